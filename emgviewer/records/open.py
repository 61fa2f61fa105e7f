"""``read_record``: open any supported recording by any of its files or by its base path.

The reader is chosen by extension, and the file's first bytes must agree with it; a file
with an unknown extension is recognised by its content.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from emgviewer.records.channels import Channel
from emgviewer.records.csv_reader import read_csv
from emgviewer.records.edf_reader import EDF_MAGIC, read_edf
from emgviewer.records.errors import MissingFileError, UnreadableFileError, UnsupportedFormatError
from emgviewer.records.files import require_file
from emgviewer.records.record import Record
from emgviewer.records.wav_reader import RIFF_MAGIC, read_wav
from emgviewer.records.wfdb_reader import header_path_of, read_wfdb

WFDB_DATA_SUFFIXES = (".bin", ".dat")
EDF_SUFFIXES = (".edf", ".edf+", ".rec")
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
#: Every suffix a record file may have; index_folder lists these.
RECORD_SUFFIXES = (".hea", *WFDB_DATA_SUFFIXES, *EDF_SUFFIXES, ".wav", *CSV_SUFFIXES)


def read_record(path: str | Path, channel: Channel = None, fs_hz: float | None = None) -> Record:
    """Read one channel of a recording, in µV.

    ``path`` may be a WFDB header (``.hea``), its data file (``.bin``/``.dat``), the record's
    base path without extension, an EDF/EDF+, WAV or CSV file. ``channel`` picks a channel of
    a multi-channel file by index or name (default: the first). ``fs_hz`` gives the rate of a
    one-column CSV. Raises a :class:`~emgviewer.records.errors.RecordError` subclass.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise UnreadableFileError(path, "is a folder; open a record file, or index the folder")
    if suffix == ".hea":
        return read_wfdb(path.with_suffix(""), channel)
    if suffix in WFDB_DATA_SUFFIXES:
        require_file(path, "data file")
        base = path.with_suffix("")
        if not header_path_of(base).exists():
            raise MissingFileError(header_path_of(base),
                                   f"header not found next to the data file {path.name}")
        return read_wfdb(base, channel)
    if not path.exists() and header_path_of(path).exists():
        return read_wfdb(path, channel)  # a base path such as data/N2001A01BB02
    require_file(path, "record file")
    head = _first_bytes(path)
    if suffix in EDF_SUFFIXES:
        _expect(path, head.startswith(EDF_MAGIC), "EDF", "its header does not start with '0       '")
        return read_edf(path, channel)
    if suffix == ".wav":
        _expect(path, head.startswith(RIFF_MAGIC), "WAV", "it has no RIFF header")
        return read_wav(path, channel)
    if suffix in CSV_SUFFIXES:
        return read_csv(path, fs_hz)
    return _read_by_content(path, head, channel, fs_hz)


def _read_by_content(path: Path, head: bytes, channel: Channel, fs_hz: float | None) -> Record:
    if head.startswith(RIFF_MAGIC):
        return read_wav(path, channel)
    if head.startswith(EDF_MAGIC):
        return read_edf(path, channel)
    if head and _looks_like_text(head):
        return read_csv(path, fs_hz)
    raise UnsupportedFormatError(path, "not a recording format emgviewer reads "
                                       "(WFDB .hea/.bin/.dat, EDF/EDF+, WAV, CSV)")


def _first_bytes(path: Path, count: int = 512) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(count)


def _looks_like_text(head: bytes) -> bool:
    try:  # incremental: the 512-byte cut may split a multi-byte character
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return b"\x00" not in head


def _expect(path: Path, ok: bool, kind: str, why: str) -> None:
    if not ok:
        raise UnsupportedFormatError(path, f"named like a {kind} file, but {why}")
