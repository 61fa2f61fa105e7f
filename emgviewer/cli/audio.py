"""``emgviewer audio PATH --out FILE.wav [--start S] [--end S] [--high-pass HZ] [--low-pass HZ]
[--notch HZ] [--force]``

The record (or the part from --start to --end) as sound: mono 16-bit WAV at 44.1 kHz, the
same resampling and limiter as the viewer's playback, through the given display filter.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emgviewer.analysis.audio import SoundError, check_sound_rate, pcm16, wav_bytes
from emgviewer.analysis.display_filter import NOTCH_PRESETS_HZ, DisplayFilter, FilterError
from emgviewer.cli.common import error, positive_hz, refuse_output, write_output
from emgviewer.records import read_record


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``audio`` command and its options, added to ``commands``."""
    parser = commands.add_parser(
        "audio", help="write the sound of a record as a WAV file",
        description="Write a record, or part of it, as sound (mono 16-bit WAV, 44.1 kHz), as the "
                    "viewer plays it.")
    parser.add_argument("path", type=Path, metavar="PATH", help="a record file")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE.wav", help="the WAV file to write")
    parser.add_argument("--start", type=float, default=0.0, metavar="S", help="from this time in s (default 0)")
    parser.add_argument("--end", type=float, metavar="S", help="to this time in s (default: the end)")
    parser.add_argument("--high-pass", type=positive_hz, metavar="HZ", help="display high-pass filter")
    parser.add_argument("--low-pass", type=positive_hz, metavar="HZ", help="display low-pass filter")
    parser.add_argument("--notch", type=float, choices=NOTCH_PRESETS_HZ, metavar="HZ", help="mains notch: 50 or 60")
    parser.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    parser.add_argument("--fs-hz", type=positive_hz, metavar="HZ",
                        help="sampling rate of one-column CSV files that do not state it")
    parser.set_defaults(run=run, out_suffix=".wav")


def run(args: argparse.Namespace) -> int:
    """Write the record's sound (or a span of it) as a WAV file; 0, or 1 when an input is refused (said)."""
    if refuse_output(args.out, args.force, ".wav", [args.path]):
        return 1
    record = read_record(args.path, fs_hz=args.fs_hz)
    try:
        check_sound_rate(record.fs_hz)
    except SoundError as err:  # said before any time is turned into samples (1e-300 Hz overflows)
        error(f"{args.path}: {err}")
        return 1
    end = record.duration_s if args.end is None else args.end
    if not 0 <= args.start < end <= record.duration_s + 1e-9:
        error(f"{args.path}: --start {args.start:g} and --end {end:g} must satisfy 0 <= start < end <= "
              f"{record.duration_s:g} s (the record's length)")
        return 1
    spec = DisplayFilter(args.high_pass, args.low_pass, args.notch)
    try:
        signal = spec.apply(record.signal_uv, record.fs_hz)
    except FilterError as err:
        error(f"{args.path}: {err}")
        return 1
    part = signal[int(round(args.start * record.fs_hz)): int(round(end * record.fs_hz))]
    try:
        samples, rate = pcm16(part, record.fs_hz)
    except SoundError as err:
        error(f"{args.path}: {err}")
        return 1
    if not write_output(args.out, wav_bytes(samples, rate), args.force):
        return 1
    print(f"wrote {args.out} ({samples.size / rate:.2f} s at {rate} Hz, {spec.label()})", file=sys.stderr)
    return 0
