"""Reading recordings: one :class:`Record` model for N2001, WFDB, EDF/EDF+, WAV and CSV files.

>>> from emgviewer.records import read_record, index_folder
>>> record = read_record("data/n2001/N2001A01BB02.hea")       # doctest: +SKIP
>>> record.fs_hz, record.duration_s, record.truth              # doctest: +SKIP
(23437.5, 11.18..., 'ALS')
"""

from emgviewer.records.errors import (
    ChannelError,
    EmptyFileError,
    HeaderError,
    InvalidValueError,
    MissingFileError,
    NoRecordsError,
    RecordError,
    TruncatedDataError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from emgviewer.records.index import FolderIndex, RecordEntry, expand_paths, index_folder
from emgviewer.records.metadata import RecordMetadata
from emgviewer.records.n2001 import GROUP_CLASSES, N2001Id, parse_n2001_name
from emgviewer.records.open import read_record
from emgviewer.records.quality import QualityFlags
from emgviewer.records.record import Record

__all__ = [
    "GROUP_CLASSES",
    "ChannelError",
    "EmptyFileError",
    "FolderIndex",
    "HeaderError",
    "InvalidValueError",
    "MissingFileError",
    "N2001Id",
    "NoRecordsError",
    "QualityFlags",
    "Record",
    "RecordEntry",
    "RecordError",
    "RecordMetadata",
    "TruncatedDataError",
    "UnreadableFileError",
    "UnsupportedFormatError",
    "expand_paths",
    "index_folder",
    "parse_n2001_name",
    "read_record",
]
