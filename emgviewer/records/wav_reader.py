"""WAV files, as exported by some EMG machines. WAV carries no calibration, so integer samples
are kept in raw units and the record is marked uncalibrated."""

from __future__ import annotations

import re
import struct
import warnings
from pathlib import Path

import numpy as np

from emgviewer.records.channels import Channel, select_channel
from emgviewer.records.errors import EmptyFileError, HeaderError, InvalidValueError, TruncatedDataError
from emgviewer.records.files import require_file, require_rate, shorten
from emgviewer.records.record import Record

RIFF_MAGIC = b"RIFF"
#: What scipy says of a chunk it skips (see :func:`_quiet_skipped_chunks`).
SKIPPED_CHUNK = "Chunk (non-data) not understood, skipping it."


def read_wav(path: Path, channel: Channel = None) -> Record:
    """A WAV record's chosen channel, in raw units (WAV carries no calibration)."""
    size = require_file(path, "WAV file")
    _check_chunks(path, size)
    try:
        from scipy.io import wavfile  # scipy.io costs 0.4 s to import: only when a WAV is read

        _quiet_skipped_chunks(wavfile.WavFileWarning)
        fs_hz, data = wavfile.read(path, mmap=False)
    except Exception as err:  # scipy raises ValueError on malformed chunks
        raise HeaderError(path, f"not a readable WAV file ({shorten(str(err))})") from None
    rate = require_rate(path, fs_hz)
    if data.size == 0:
        raise EmptyFileError(path, "the WAV file holds no samples")
    data = data.reshape(len(data), -1)
    index = select_channel([f"channel {i}" for i in range(data.shape[1])], channel, path)
    column = data[:, index]
    if np.issubdtype(column.dtype, np.floating):
        beyond = np.flatnonzero(np.abs(column) > np.finfo(np.float32).max)
        if beyond.size:  # cast to float32 they would read as infinity: a wrong trace, not a warning
            raise InvalidValueError(path, f"sample {int(beyond[0]):,} ({float(column[beyond[0]]):g}) is beyond the range "
                                          f"of a 32-bit float ({beyond.size:,} such samples)")
    full_scale = None
    if np.issubdtype(column.dtype, np.integer):
        info = np.iinfo(column.dtype)
        full_scale = (float(info.min), float(info.max))
    return Record(
        name=path.stem,
        signal_uv=column.astype(np.float32),
        fs_hz=rate,
        source_path=path,
        format="WAV",
        channel=f"channel {index}",
        source_units="",
        calibrated=False,
        full_scale_uv=full_scale,
    )


def _quiet_skipped_chunks(category: type[Warning]) -> None:
    """scipy warns for each chunk it skips (a recorder's 'bext' or 'cue '): harmless once
    :func:`_check_chunks` has walked them. One narrow filter, put (back) first before each read,
    so it holds even where a test harness restored the filters; never a ``catch_warnings``
    around the read, whose swap of every filter would reach every other thread's warnings."""
    warnings.filterwarnings("ignore", message=re.escape(SKIPPED_CHUNK), category=category)  # idempotent


def _check_chunks(path: Path, size: int) -> None:
    """Walk the chunks as scipy will, and refuse what it would only warn about and then read in
    part (a RIFF size beyond the file, a chunk cut short). Every chunk must fit in the file:
    scipy allocates what a chunk claims, so a damaged size field would otherwise cost gigabytes
    before any error."""
    with open(path, "rb") as handle:
        head = handle.read(12)
        if len(head) < 12 or head[:4] != RIFF_MAGIC or head[8:12] != b"WAVE":
            raise HeaderError(path, "not a readable WAV file (no RIFF/WAVE header)")
        claimed = struct.unpack("<I", head[4:8])[0] + 8
        if claimed > size:
            raise TruncatedDataError(path, f"the RIFF header says the file is {claimed:,} bytes but it has {size:,}")
        offset, names = 12, set()
        while offset < claimed:
            if offset + 8 > claimed:
                raise TruncatedDataError(path, f"a WAV chunk header at byte {offset:,} is cut short by the "
                                               "end of the RIFF data")
            handle.seek(offset)
            chunk = handle.read(8)
            name, length = chunk[:4], struct.unpack("<I", chunk[4:8])[0]
            if offset + 8 + length > size:
                raise TruncatedDataError(path, f"WAV chunk {name.decode('latin-1')!r} claims {length:,} bytes "
                                               f"but the file ends {size - offset - 8:,} bytes later")
            names.add(name)
            offset += 8 + length + (length & 1)
    # scipy meets a file without them with an internal error ("cannot access local variable 'fs'").
    for needed in (b"fmt ", b"data"):
        if needed not in names:
            raise HeaderError(path, f"not a readable WAV file (it has no {needed.decode()!r} chunk)")
