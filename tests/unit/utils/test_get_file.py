"""`get_file`: Keras's cache layout, hash checks, file:// downloads, Keras 2's
extraction layout and safe extraction. Nothing is fetched from the internet."""
import hashlib
import io
import os
import tarfile
import zipfile

import pytest

from layerkit.utils import get_file
from layerkit.utils.archives import UnsafeArchiveError, extract_archive


@pytest.fixture
def home(tmp_path, monkeypatch):
    root = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(root))
    return root


def _source(tmp_path, name, data):
    path = tmp_path / "origin" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, path.as_uri()


def _tar(path, files, folder="pkg"):
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_downloads_into_keras_home_and_checks_the_hash(home, tmp_path, capsys):
    data = b"hello layerkit" * 100
    _, url = _source(tmp_path, "f.bin", data)
    sha = hashlib.sha256(data).hexdigest()
    path = get_file("f.bin", url, file_hash=sha)
    assert path == str(home / "datasets" / "f.bin")
    assert open(path, "rb").read() == data
    assert "Downloading data from" in capsys.readouterr().out
    assert not [n for n in os.listdir(home / "datasets") if n.startswith(".download")]
    # cached and valid: not fetched again (the origin is gone)
    os.remove(tmp_path / "origin" / "f.bin")
    assert get_file("f.bin", url, file_hash=sha) == path
    assert "Downloading" not in capsys.readouterr().out
    # md5 (Keras 2's md5_hash) and an explicit algorithm work the same
    md5 = hashlib.md5(data).hexdigest()
    assert get_file("f.bin", url, md5_hash=md5) == path
    assert get_file("f.bin", url, file_hash=md5, hash_algorithm="md5") == path


def test_fname_defaults_to_the_url_name_and_cache_dir_and_subdir_apply(home, tmp_path):
    _, url = _source(tmp_path, "data.txt", b"abc")
    assert get_file(origin=url) == str(home / "datasets" / "data.txt")
    other = tmp_path / "elsewhere"
    path = get_file("x.txt", url, cache_dir=str(other), cache_subdir="models")
    assert path == str(other / "models" / "x.txt")
    # Keras 2 accepted a file name with sub-folders
    assert get_file(os.path.join("sub", "y.txt"), url) == str(home / "datasets" / "sub" / "y.txt")


def test_default_home_is_dot_keras(tmp_path, monkeypatch):
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    _, url = _source(tmp_path, "a.txt", b"a")
    assert get_file("a.txt", url) == str(tmp_path / ".keras" / "datasets" / "a.txt")


def test_offline_error_names_the_url_and_the_expected_path(home, tmp_path):
    url = (tmp_path / "missing.npz").as_uri()
    with pytest.raises(OSError) as info:
        get_file("mnist.npz", url)
    message = str(info.value)
    assert url in message and str(home / "datasets" / "mnist.npz") in message
    assert not os.path.exists(home / "datasets" / "mnist.npz")


def test_a_stale_cached_copy_is_downloaded_again(home, tmp_path, capsys):
    data = b"new contents"
    _, url = _source(tmp_path, "f.bin", data)
    (home / "datasets").mkdir(parents=True)
    (home / "datasets" / "f.bin").write_bytes(b"old")
    path = get_file("f.bin", url, file_hash=hashlib.sha256(data).hexdigest())
    assert open(path, "rb").read() == data
    assert "does not match" in capsys.readouterr().out


def test_a_wrong_download_hash_raises_and_removes_the_file(home, tmp_path):
    _, url = _source(tmp_path, "f.bin", b"tampered")
    with pytest.raises(ValueError) as info:
        get_file("f.bin", url, file_hash="0" * 64)
    target = str(home / "datasets" / "f.bin")
    assert url in str(info.value) and target in str(info.value)
    assert not os.path.exists(target)


def test_force_download_fetches_even_a_valid_copy(home, tmp_path):
    src, url = _source(tmp_path, "f.bin", b"one")
    get_file("f.bin", url)
    src.write_bytes(b"two")
    assert open(get_file("f.bin", url), "rb").read() == b"one"
    assert open(get_file("f.bin", url, force_download=True), "rb").read() == b"two"


def test_untar_uses_keras_2_layout(home, tmp_path):
    archive = tmp_path / "src.tar.gz"
    _tar(archive, {"a.txt": b"A", "b/c.txt": b"C"}, folder="flower_photos")
    path = get_file("flower_photos", archive.as_uri(), untar=True)
    datasets = home / "datasets"
    assert path == str(datasets / "flower_photos")
    assert (datasets / "flower_photos.tar.gz").is_file()
    assert (datasets / "flower_photos" / "b" / "c.txt").read_bytes() == b"C"


def test_extract_with_fname_uses_keras_2_layout(home, tmp_path):
    archive = tmp_path / "spa.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("spa-eng/spa.txt", "hola")
    path = get_file("spa-eng.zip", archive.as_uri(), extract=True)
    assert path == str(home / "datasets" / "spa-eng.zip")
    assert open(os.path.join(os.path.dirname(path), "spa-eng", "spa.txt")).read() == "hola"


def test_extract_without_fname_uses_keras_3_layout(home, tmp_path):
    archive = tmp_path / "aclImdb.tar.gz"
    _tar(archive, {"README": b"r"}, folder="aclImdb")
    path = get_file(origin=archive.as_uri(), extract=True)
    folder = home / "datasets" / "aclImdb.tar.gz"
    assert path == str(folder)
    assert (folder / "aclImdb" / "README").read_bytes() == b"r"
    assert (home / "datasets" / "aclImdb.tar.gz_archive").is_file()


def test_bad_arguments_are_named(home):
    with pytest.raises(ValueError, match="origin"):
        get_file("x")
    with pytest.raises(ValueError, match="hash_algorithm"):
        get_file("x", "file:///nowhere", file_hash="ab", hash_algorithm="sha1")


def _evil_tar(path, build):
    with tarfile.open(path, "w") as tar:
        build(tar)


def _file(tar, name, data=b"x"):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def _link(tar, name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    tar.addfile(info)


@pytest.mark.parametrize("member,build", [
    ("../escape.txt", lambda t: _file(t, "../escape.txt")),
    ("/abs.txt", lambda t: _file(t, "/abs.txt")),
    ("ok/../../up.txt", lambda t: _file(t, "ok/../../up.txt")),
    ("link", lambda t: _link(t, "link", "/etc/passwd")),
    ("dir/link", lambda t: _link(t, "dir/link", "../../outside")),
    ("hard", lambda t: _link(t, "hard", "../outside", tarfile.LNKTYPE)),
])
def test_tar_members_escaping_the_folder_are_refused(tmp_path, member, build):
    archive = tmp_path / "evil.tar"
    _evil_tar(archive, lambda t: (_file(t, "good.txt"), build(t)))
    target = tmp_path / "out" / "inner"
    with pytest.raises(UnsafeArchiveError) as info:
        extract_archive(archive, target)
    assert repr(member) in str(info.value)
    assert not (tmp_path / "out" / "inner" / "good.txt").exists()
    assert not (tmp_path / "out" / "escape.txt").exists()


def test_zip_members_escaping_the_folder_are_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("fine.txt", "ok")
        z.writestr("../../evil.txt", "bad")
    with pytest.raises(UnsafeArchiveError, match=r"'\.\./\.\./evil\.txt'"):
        extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()


def test_links_inside_the_folder_are_extracted(tmp_path):
    archive = tmp_path / "ok.tar"
    _evil_tar(archive, lambda t: (_file(t, "d/real.txt", b"R"), _link(t, "d/alias", "real.txt")))
    assert extract_archive(archive, tmp_path / "out")
    assert (tmp_path / "out" / "d" / "alias").read_bytes() == b"R"
    assert not extract_archive(archive, tmp_path / "o2", archive_format="zip")
    with pytest.raises(ValueError, match="archive_format"):
        extract_archive(archive, tmp_path / "o3", archive_format="rar")


def test_keras_2_path_reaches_get_file(keras_alias):
    from keras.utils.data_utils import get_file as old_path

    assert old_path is get_file


def _tree(root):
    return sorted(os.path.relpath(os.path.join(d, f), root)
                  for d, _, names in os.walk(root) for f in names)


@pytest.mark.parametrize("kwargs", [{}, {"fname": "named.tar.gz"}, {"extract": True}])
def test_matches_keras_3_where_the_layouts_agree(keras_oracle, tmp_path, kwargs):
    from keras.src.utils.file_utils import get_file as keras_get_file
    from keras.src.utils.file_utils import hash_file as keras_hash

    from layerkit.utils.file_utils import hash_file

    archive = tmp_path / "pack.tar.gz"
    _tar(archive, {"x.txt": b"X"}, folder="pack")
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    # Keras falls back to /tmp/.keras for a cache_dir that does not exist yet
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    ours = get_file(origin=archive.as_uri(), cache_dir=str(tmp_path / "a"), file_hash=sha,
                    **kwargs)
    theirs = keras_get_file(origin=archive.as_uri(), cache_dir=str(tmp_path / "b"),
                            file_hash=sha, **kwargs)
    assert os.path.relpath(ours, tmp_path / "a") == os.path.relpath(theirs, tmp_path / "b")
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    for algorithm in ("sha256", "md5"):
        assert hash_file(archive, algorithm) == keras_hash(archive, algorithm)
