"""Safe extraction of tar and zip archives (used by `get_file`).

Every member is checked before anything is written: a member whose path is
absolute, climbs out with `..`, or is a link pointing outside the target folder
stops the extraction with an error naming that member. Keras 3 warns and skips
such members; layerkit refuses the archive, because a file that tries to escape
is not a file to trust with the rest of its content either. Device files and
other special members are refused the same way.
"""
import os
import tarfile
import zipfile

__all__ = ["extract_archive", "UnsafeArchiveError"]


class UnsafeArchiveError(ValueError):
    """An archive member would land outside the extraction folder."""


def _inside(base, relative):
    # realpath resolves links already on disk, so a member written through a
    # symlink placed by an earlier member is caught too.
    target = os.path.realpath(os.path.join(base, relative))
    return os.path.commonpath([target, base]) == base


def _refuse(archive_path, member, why):
    raise UnsafeArchiveError(
        f"Refusing to extract {archive_path!r}: member {member!r} {why}. Nothing from this "
        "archive was trusted; check where the file came from.")


def _check_tar_member(archive_path, info, base):
    name = info.name
    if os.path.isabs(name) or name.startswith(("/", "\\")):
        _refuse(archive_path, name, "has an absolute path")
    if not _inside(base, name):
        _refuse(archive_path, name, "points outside the target folder")
    if info.issym():
        # a symlink resolves from the folder that holds it
        link = os.path.join(os.path.dirname(name), info.linkname)
        if os.path.isabs(info.linkname) or not _inside(base, link):
            _refuse(archive_path, name, f"is a link to {info.linkname!r} outside the target folder")
    elif info.islnk():
        # a hard link names its target from the archive root
        if os.path.isabs(info.linkname) or not _inside(base, info.linkname):
            _refuse(archive_path, name, f"is a link to {info.linkname!r} outside the target folder")
    elif not (info.isfile() or info.isdir()):
        _refuse(archive_path, name, "is a device or other special file")


def _extract_tar(archive_path, base):
    with tarfile.open(archive_path) as archive:
        members = archive.getmembers()
        for info in members:
            _check_tar_member(archive_path, info, base)
        # "data" filter (Python >= 3.11.4) re-checks the same rules in the stdlib
        kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        archive.extractall(base, members=members, **kwargs)


def _extract_zip(archive_path, base):
    with zipfile.ZipFile(archive_path) as archive:
        for info in archive.infolist():
            name = info.filename
            if os.path.isabs(name) or name.startswith(("/", "\\")) or ":" in name.split("/")[0]:
                _refuse(archive_path, name, "has an absolute path")
            if not _inside(base, name):
                _refuse(archive_path, name, "points outside the target folder")
        archive.extractall(base)


_FORMATS = {"tar": (tarfile.is_tarfile, _extract_tar),
            "zip": (zipfile.is_zipfile, _extract_zip)}


def extract_archive(archive_path, path=".", archive_format="auto"):
    """Extracts a tar (plain, gz, bz2, xz) or zip archive into `path`.

    Args:
        archive_path: the archive file.
        path: folder to extract into (created if missing).
        archive_format: "auto" (tar, then zip), "tar", "zip", a list of these,
            or None (extract nothing).

    Returns:
        True if the file matched a format and was extracted, else False.
    """
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else archive_format
    if isinstance(formats, str):
        formats = [formats]
    for name in formats:
        if name not in _FORMATS:
            raise ValueError(f"archive_format must be 'auto', 'tar', 'zip', a list of these or "
                             f"None; received {archive_format!r}.")
    archive_path = os.fspath(archive_path)
    for name in formats:
        matches, extract = _FORMATS[name]
        if matches(archive_path):
            os.makedirs(path, exist_ok=True)
            extract(archive_path, os.path.realpath(os.fspath(path)))
            return True
    return False
