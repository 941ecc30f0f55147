"""TFRecord files without TensorFlow: framing, CRC checks, GZIP/ZLIB streams.

A TFRecord file is a sequence of records, each laid out as::

    uint64 length                  (little endian)
    uint32 masked_crc32c(length)   (of the 8 length bytes)
    byte   data[length]
    uint32 masked_crc32c(data)

where ``masked_crc32c(b) = rotate_right(crc32c(b), 15) + 0xa282ead8 (mod 2**32)``.
With ``compression_type='GZIP'`` or ``'ZLIB'`` the whole stream of records is
compressed as one gzip / zlib stream, as TensorFlow does.

CRC32C comes from the ``google_crc32c`` package (C implementation, maintained
by Google for its storage clients), never from a Python loop.
"""

import os
import struct
import uuid
import zlib

__all__ = [
    "DataLossError",
    "TFRecordOptions",
    "TFRecordWriter",
    "frame_record",
    "masked_crc32c",
    "read_records",
    "tf_record_iterator",
]

_MASK_DELTA = 0xA282EAD8
_U32 = 0xFFFFFFFF
_HEADER = struct.Struct("<QI")
_FOOTER = struct.Struct("<I")
_CHUNK = 1 << 22  # read large records in 4 MiB pieces, never one huge allocation


class DataLossError(ValueError):
    """A TFRecord file is corrupted or truncated (TensorFlow's DataLossError)."""


def _crc32c(data):
    import google_crc32c  # light C extension; imported on first use

    return google_crc32c.value(data if isinstance(data, bytes) else bytes(data))


def masked_crc32c(data):
    """The masked CRC32C that TFRecord stores for `data` (bytes)."""
    crc = _crc32c(data)
    rotated = ((crc >> 15) | (crc << 17)) & _U32
    return (rotated + _MASK_DELTA) & _U32


# --------------------------------------------------------------------- options

_COMPRESSION_NAMES = {None: "", "": "", "NONE": "", "GZIP": "GZIP", "ZLIB": "ZLIB"}


def _normalize_compression(compression_type):
    """Map None/''/'GZIP'/'ZLIB'/TFRecordOptions to '', 'GZIP' or 'ZLIB'."""
    if isinstance(compression_type, TFRecordOptions):
        return compression_type.compression_type
    key = compression_type.upper() if isinstance(compression_type, str) else compression_type
    if key not in _COMPRESSION_NAMES:
        raise ValueError(
            f"compression_type must be None, '', 'GZIP' or 'ZLIB'; "
            f"received {compression_type!r}.")
    return _COMPRESSION_NAMES[key]


class TFRecordOptions:
    """Options for TFRecord files (mirrors `tf.io.TFRecordOptions`).

    Args:
      compression_type: None / '' (no compression), 'GZIP' or 'ZLIB'.
      compression_level: zlib level 0-9, or -1 for zlib's default (as TF).
      mem_level: zlib memory level 1-9 (TF's default is 9).
      compression_strategy: a zlib strategy constant (default `Z_DEFAULT_STRATEGY`).
    """

    def __init__(self, compression_type=None, compression_level=None, mem_level=None,
                 compression_strategy=None):
        self.compression_type = _normalize_compression(compression_type)
        self.compression_level = -1 if compression_level is None else int(compression_level)
        if not -1 <= self.compression_level <= 9:
            raise ValueError(
                f"compression_level must be -1 (default) or in 0..9; received {compression_level!r}.")
        self.mem_level = 9 if mem_level is None else int(mem_level)
        if not 1 <= self.mem_level <= 9:
            raise ValueError(f"mem_level must be in 1..9; received {mem_level!r}.")
        self.compression_strategy = (zlib.Z_DEFAULT_STRATEGY if compression_strategy is None
                                     else int(compression_strategy))

    @staticmethod
    def get_compression_type_string(options):
        """'' / 'GZIP' / 'ZLIB' for a TFRecordOptions, a string or None."""
        return _normalize_compression(options)

    def __repr__(self):
        return (f"TFRecordOptions(compression_type={self.compression_type!r}, "
                f"compression_level={self.compression_level})")


def _as_options(options):
    if isinstance(options, TFRecordOptions):
        return options
    return TFRecordOptions(compression_type=options)


_WBITS = {"GZIP": zlib.MAX_WBITS | 16, "ZLIB": zlib.MAX_WBITS}


# ---------------------------------------------------------------------- writer

def _record_bytes(record):
    """bytes for one record: bytes-like as is, str as UTF-8, a message serialized."""
    if isinstance(record, bytes):
        return record
    if isinstance(record, (bytearray, memoryview)):
        return bytes(record)
    if isinstance(record, str):
        return record.encode("utf-8")
    if hasattr(record, "SerializeToString"):
        # Deterministic: map entries sorted by key, so equal messages give equal bytes,
        # the same bytes TF's `SerializeToString(deterministic=True)` gives under the same
        # protobuf runtime. (Runtimes differ only when one key is a prefix of another:
        # C++ puts "a" before "ab", upb puts "ab" first.)
        return record.SerializeToString(deterministic=True)
    raise TypeError(
        "TFRecordWriter.write expects bytes (e.g. example.SerializeToString()), str or a "
        f"protobuf message; received {type(record).__name__}.")


def frame_record(data):
    """The framed bytes (header, data, footer) of one TFRecord record."""
    header = struct.pack("<Q", len(data))
    return b"".join((header, _FOOTER.pack(masked_crc32c(header)), data,
                     _FOOTER.pack(masked_crc32c(data))))


class TFRecordWriter:
    """Writes records to a TFRecord file (mirrors `tf.io.TFRecordWriter`).

    The file is written under a temporary name in the same folder and renamed to
    `path` by `close()` (or leaving a `with` block), so a reader never sees a
    half-written file; if the `with` block raises, the temporary file is removed
    and `path` is left untouched.

    Args:
      path: destination file.
      options: None, '', 'GZIP', 'ZLIB' or a `TFRecordOptions`.
    """

    def __init__(self, path, options=None):
        self._path = os.fspath(path)
        self._options = _as_options(options)
        folder, name = os.path.split(os.path.abspath(self._path))
        self._tmp_path = os.path.join(folder, f".{name}.tmp-{uuid.uuid4().hex[:12]}")
        try:
            self._file = open(self._tmp_path, "wb")
        except FileNotFoundError:
            raise FileNotFoundError(
                f"Cannot create TFRecord file '{self._path}': folder '{folder}' does not "
                "exist.") from None
        comp = self._options.compression_type
        self._compressor = None
        if comp:
            opts = self._options
            self._compressor = zlib.compressobj(
                opts.compression_level, zlib.DEFLATED, _WBITS[comp], opts.mem_level,
                opts.compression_strategy)
        self._closed = False

    @property
    def path(self):
        return self._path

    def _emit(self, data):
        if self._compressor is not None:
            data = self._compressor.compress(data)
        if data:
            self._file.write(data)

    def write(self, record):
        """Appends one record (bytes, str, or a message serialized deterministically)."""
        if self._closed:
            raise ValueError(f"TFRecordWriter for '{self._path}' is closed; cannot write.")
        self._emit(frame_record(_record_bytes(record)))

    def flush(self):
        """Pushes buffered bytes to the temporary file (visible at `path` after close)."""
        if self._closed:
            return
        if self._compressor is not None:
            self._file.write(self._compressor.flush(zlib.Z_SYNC_FLUSH))
        self._file.flush()

    def close(self):
        """Finishes the stream and moves the file into place at `path`."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._compressor is not None:
                self._file.write(self._compressor.flush(zlib.Z_FINISH))
            self._file.close()
            os.replace(self._tmp_path, self._path)
        except BaseException:
            self._discard()
            raise

    def _discard(self):
        self._closed = True
        try:
            self._file.close()
        finally:
            if os.path.exists(self._tmp_path):
                os.remove(self._tmp_path)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self._discard()
        return False

    def __del__(self):
        # Like TF's writer, an unclosed writer finishes its file when collected.
        if getattr(self, "_closed", True) is False:
            try:
                self.close()
            except Exception:  # noqa: BLE001 - never raise from a finalizer
                pass


# ---------------------------------------------------------------------- reader

class _InflatingReader:
    """A minimal `read(n)` over a zlib/gzip-compressed file, with clear errors."""

    def __init__(self, raw, path, comp):
        self._raw = raw
        self._path = path
        self._comp = comp
        self._wbits = _WBITS[comp]
        self._inflater = zlib.decompressobj(self._wbits)
        self._buf = bytearray()
        self._eof = False

    def _fill(self, want):
        while len(self._buf) < want and not self._eof:
            chunk = self._raw.read(1 << 16)
            try:
                if not chunk:
                    self._buf += self._inflater.flush()
                    if not self._inflater.eof and self._raw.tell() > 0:
                        raise DataLossError(
                            f"{self._comp}-compressed TFRecord file '{self._path}' ends in the "
                            "middle of the compressed stream (truncated file).")
                    self._eof = True
                    break
                self._buf += self._inflater.decompress(chunk)
                # gzip allows several members back to back; start the next one.
                while self._inflater.eof and self._inflater.unused_data:
                    rest = self._inflater.unused_data
                    if self._comp != "GZIP":
                        raise DataLossError(
                            f"ZLIB-compressed TFRecord file '{self._path}' has "
                            f"{len(rest)} stray bytes after the end of the compressed stream.")
                    self._inflater = zlib.decompressobj(self._wbits)
                    self._buf += self._inflater.decompress(rest)
            except zlib.error as e:
                hint = ""
                if self._raw.tell() <= (1 << 16):
                    hint = (" Is the file compressed that way? Pass the compression_type it "
                            "was written with (None, 'GZIP' or 'ZLIB').")
                raise DataLossError(
                    f"Cannot decompress TFRecord file '{self._path}' as {self._comp}: {e}."
                    + hint) from None

    def read(self, n):
        self._fill(n)
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def close(self):
        self._raw.close()


def _read_exact(f, n):
    if n <= _CHUNK:
        return f.read(n)
    parts, left = [], n
    while left:
        piece = f.read(min(left, _CHUNK))
        if not piece:
            break
        parts.append(piece)
        left -= len(piece)
    return b"".join(parts)


def _compression_hint(header):
    if header[:2] == b"\x1f\x8b":
        return " The file starts with the GZIP magic bytes; read it with compression_type='GZIP'."
    if len(header) >= 2 and header[0] == 0x78 and (header[0] * 256 + header[1]) % 31 == 0:
        return " The file starts like a ZLIB stream; read it with compression_type='ZLIB'."
    return ""


def read_records(path, compression_type=None, check_crc=True):
    """Yields the data bytes of each record of one TFRecord file, in order.

    Raises FileNotFoundError naming `path` if it does not exist and
    `DataLossError` naming the file and record offset on a bad CRC or a
    truncated record. Offsets are positions in the (decompressed) stream.
    """
    path = os.fspath(path)
    comp = _normalize_compression(compression_type)
    try:
        raw = open(path, "rb")
    except FileNotFoundError:
        raise FileNotFoundError(f"TFRecord file not found: '{path}'.") from None
    except IsADirectoryError:
        raise IsADirectoryError(f"Expected a TFRecord file, got a folder: '{path}'.") from None
    where = f"TFRecord file '{path}'" + (f" ({comp}-decompressed stream)" if comp else "")
    f = _InflatingReader(raw, path, comp) if comp else raw
    size = None if comp else os.fstat(raw.fileno()).st_size
    try:
        offset = 0
        while True:
            header = f.read(12)
            if not header:
                return
            if len(header) < 12:
                raise DataLossError(
                    f"Truncated record at byte offset {offset} of {where}: expected a 12-byte "
                    f"header, found only {len(header)} bytes before end of file.")
            length, length_crc = _HEADER.unpack(header)
            if check_crc and masked_crc32c(header[:8]) != length_crc:
                hint = _compression_hint(header) if (offset == 0 and not comp) else ""
                raise DataLossError(
                    f"Corrupted record at byte offset {offset} of {where}: the length field's "
                    f"CRC does not match (stored 0x{length_crc:08x}, computed "
                    f"0x{masked_crc32c(header[:8]):08x}).{hint}")
            need = length + 4
            if size is not None and offset + 12 + need > size:
                raise DataLossError(
                    f"Truncated record at byte offset {offset} of {where}: the record declares "
                    f"{length} data bytes (+4 CRC bytes) but only {size - offset - 12} bytes "
                    "remain in the file.")
            body = _read_exact(f, need)
            if len(body) < need:
                raise DataLossError(
                    f"Truncated record at byte offset {offset} of {where}: the record declares "
                    f"{length} data bytes (+4 CRC bytes) but only {len(body)} bytes remain.")
            data = body[:length]
            if check_crc:
                (data_crc,) = _FOOTER.unpack_from(body, length)
                if masked_crc32c(data) != data_crc:
                    raise DataLossError(
                        f"Corrupted record at byte offset {offset} of {where}: the data CRC does "
                        f"not match (stored 0x{data_crc:08x}, computed "
                        f"0x{masked_crc32c(data):08x}).")
            yield data
            offset += 12 + need
    finally:
        f.close()


def tf_record_iterator(path, options=None):
    """Iterates the records of a TFRecord file (mirrors `tf.compat.v1.io.tf_record_iterator`)."""
    return read_records(path, _as_options(options).compression_type)
