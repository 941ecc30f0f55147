"""`get_file`: a file from a URL, kept in Keras's cache.

The cache is Keras's, so files a user already downloaded with Keras are found:
`$KERAS_HOME/<cache_subdir>/` if KERAS_HOME is set, else `~/.keras/<cache_subdir>/`,
and `/tmp/.keras/<cache_subdir>/` when that folder is not writable.

Where Keras 2 and Keras 3 lay out extracted archives differently, layerkit keeps
Keras 2's layout whenever the caller names the file, since the programs written
against it build paths from it:

* `untar=True`: the archive is `<fname>.tar.gz`, extracted into the cache folder;
  the return value is `<cache folder>/<fname>` (the folder the archive holds).
* `extract=True` with `fname`: the archive is `<fname>`, extracted into the cache
  folder; the return value is the archive's path (programs then take its
  `dirname`). Keras 3 returns a `<stem>_extracted` folder instead.
* `extract=True` without `fname` (which Keras 2 programs never wrote): Keras 3's
  layout, the archive `<name>_archive` extracted into `<name>/`, that folder returned.

Offline, or when the downloaded file's hash differs, the error names the URL and
the exact path where the file is expected, so it can be put there by hand.
"""
import hashlib
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings

from layerkit.utils.archives import extract_archive

__all__ = ["get_file", "cache_folder", "hash_file", "validate_file"]

_CHUNK = 1 << 16


def _keras_home():
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    return os.path.join(os.path.expanduser("~"), ".keras")


def cache_folder(cache_subdir="datasets", cache_dir=None):
    """The folder `get_file` keeps files in (created if missing)."""
    base = os.path.expanduser(os.fspath(cache_dir) if cache_dir is not None else _keras_home())
    if not os.path.isdir(base):
        try:
            os.makedirs(base, exist_ok=True)
        except OSError:
            pass
    if not os.access(base, os.W_OK):
        base = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(),
                            ".keras")
    folder = os.path.join(base, os.fspath(cache_subdir))
    os.makedirs(folder, exist_ok=True)
    return folder


def _hasher(algorithm, file_hash=None):
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None
                                 and len(str(file_hash)) == 64):
        return hashlib.sha256()
    if algorithm in ("md5", "auto"):
        return hashlib.md5()
    raise ValueError(f"hash_algorithm must be 'auto', 'sha256' or 'md5'; received {algorithm!r}.")


def hash_file(fpath, algorithm="sha256", chunk_size=_CHUNK):
    """The file's sha256 (or md5) hex digest."""
    hasher = _hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=_CHUNK):
    """Whether the file's hash is `file_hash` ("auto": 64 hex digits is sha256, else md5)."""
    return hash_file(fpath, _hasher(algorithm, file_hash), chunk_size) == str(file_hash)


def _algorithm_name(algorithm, file_hash):
    return _hasher(algorithm, file_hash).name


def _download(origin, target):
    """Fetches origin into target through a temporary name, with a progress bar."""
    from layerkit.utils.progbar import Progbar

    folder = os.path.dirname(target) or "."
    fd, partial = tempfile.mkstemp(prefix=".download-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(origin) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            bar, done = Progbar(total), 0
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
                done += len(chunk)
                bar.update(done)
            if total is None or done < total:
                bar.update(done, finalize=True)
        os.replace(partial, target)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise


def _targets(fname, named, untar, extract, datadir):
    """(archive or file path, extraction folder or None, path to return)."""
    if untar:
        folder = os.path.join(datadir, fname)
        return folder + ".tar.gz", datadir, folder
    if extract and not named:
        folder = os.path.join(datadir, fname)
        return folder + "_archive", folder, folder
    target = os.path.join(datadir, fname)
    return target, (datadir if extract else None), target


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """Returns the path of a file from `origin`, downloading it if it is not cached.

    Args:
        fname: the file's name in the cache (may contain sub-folders); default the
            last part of `origin`'s path.
        origin: the file's URL.
        untar: the file is a `.tar.gz` archive to extract (Keras 2's spelling).
        md5_hash: the file's md5 (Keras 2's spelling of `file_hash`).
        file_hash: the file's sha256 (64 hex digits) or md5 hash; a cached file
            whose hash differs is downloaded again.
        cache_subdir: sub-folder of the cache (an absolute path is used as is).
        hash_algorithm: "auto", "sha256" or "md5".
        extract: extract the archive (tar or zip) after downloading.
        archive_format: "auto", "tar", "zip" or None.
        cache_dir: cache root; default `$KERAS_HOME` or `~/.keras`.
        force_download: download even when a valid copy is cached.

    Returns:
        The path of the file (or, see the module docstring, the extracted folder).
    """
    if origin is None:
        raise ValueError("get_file: please give `origin`, the URL of the file to download.")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if file_hash is not None:
        _hasher(hash_algorithm, file_hash)  # an unknown algorithm fails before any download
    named = bool(fname)
    fname = os.fspath(fname) if named else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"get_file: cannot take a file name from origin {origin!r}; "
                         "please give `fname`.")
    datadir = cache_folder(cache_subdir, cache_dir)
    target, extract_to, result = _targets(fname, named, untar, extract, datadir)
    os.makedirs(os.path.dirname(target), exist_ok=True)

    stale = False
    if os.path.exists(target) and not force_download:
        if file_hash is None or validate_file(target, file_hash, hash_algorithm):
            download = False
        else:
            stale = download = True
            print(f"A local file was found at {target}, but its "
                  f"{_algorithm_name(hash_algorithm, file_hash)} hash does not match the "
                  f"original value of {file_hash}, so it will be downloaded again.")
    else:
        download = True

    if download:
        print(f"Downloading data from {origin}")
        try:
            _download(origin, target)
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", None) or e
            note = (" (the copy there has the wrong hash)" if stale else "")
            raise OSError(
                f"URL fetch failure on {origin}: {reason}. Without a network, download the "
                f"file elsewhere and put it at {target}{note}.") from e
        if file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
            os.remove(target)
            raise ValueError(
                f"The file downloaded from {origin} is incomplete or corrupted: its "
                f"{_algorithm_name(hash_algorithm, file_hash)} hash does not match {file_hash}. "
                f"It was removed; put a good copy at {target}.")

    if untar or extract:
        if untar and os.path.isdir(result) and not download:
            return result  # Keras 2 extracted an untar archive only once
        fmt = "tar" if untar else archive_format
        if not extract_archive(target, extract_to, fmt):
            warnings.warn(f"get_file: {target} is not a {fmt} archive; nothing was extracted.",
                          stacklevel=2)
    return result

