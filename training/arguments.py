"""Argument types of ``python -m training``: every bad value is refused by argparse with one
line naming the option, before any data is read or any minute of training is spent.

``--window-s 0`` is refused, not read as "the model's default"; ``nan`` is no number; a file
the command reads must exist as a file (a folder as a folder).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import re
from pathlib import Path


class InputFileError(ValueError):
    """A file a command reads is not what it must be; ``str(err)`` names the file and the problem."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")


def read_json_value(path: Path):
    """The JSON value in ``path``, gzip-compressed when its name ends in ``.gz`` (the large
    experiment tables are kept so)."""
    try:
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")
        return json.loads(text)
    except FileNotFoundError:
        raise InputFileError(path, "no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError, gzip.BadGzipFile, EOFError) as err:
        raise InputFileError(path, f"not a JSON file ({err})") from None


def write_json_gz(path: Path, value) -> None:
    """``value`` as gzip-compressed JSON, byte-for-byte the same for the same value (no time
    stamp), written atomically."""
    from emgviewer.atomic import atomic_write_bytes

    atomic_write_bytes(path, gzip.compress(json.dumps(value, indent=1).encode("utf-8"), mtime=0))


def read_json(path: Path) -> dict:
    """A JSON object from ``path`` (a checkpoint's description, an evaluation report)."""
    value = read_json_value(path)
    if not isinstance(value, dict):
        raise InputFileError(path, f"holds a JSON {type(value).__name__}, not an object")
    return value


def number(low: float | None = None, high: float | None = None, low_open: bool = False,
           high_open: bool = False):
    """A finite float within [low, high] (an open end excludes its bound)."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r}: must be a finite number")
        too_low = low is not None and (value <= low if low_open else value < low)
        too_high = high is not None and (value >= high if high_open else value > high)
        if too_low or too_high:
            raise argparse.ArgumentTypeError(f"{text}: must be {_range_text(low, high, low_open, high_open)}")
        return value
    return parse


def count(low: int, high: int | None = None):
    """A whole number of at least ``low`` (and at most ``high``)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{text}: must be {_range_text(low, high, False, False)}")
        return value
    return parse


def _range_text(low, high, low_open: bool, high_open: bool) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'above' if low_open else 'at least'} {low:g}")
    if high is not None:
        parts.append(f"{'below' if high_open else 'at most'} {high:g}")
    return " and ".join(parts)


def _existing(what: str, is_kind):
    """An argparse type for a path that must exist and be a ``what`` (``is_kind`` checks it)."""
    def parse(text: str) -> Path:
        path = Path(text)
        if not path.exists():
            raise argparse.ArgumentTypeError(f"{text}: no such {what}")
        if not is_kind(path):
            raise argparse.ArgumentTypeError(f"{text}: not a {what}")
        return path
    return parse


existing_file = _existing("file", Path.is_file)
existing_folder = _existing("folder", Path.is_dir)


_DEVICE = re.compile(r"auto|cpu|cuda(:\d{1,2})?")


def device(text: str) -> str:
    """auto, cpu, cuda or cuda:N: a device torch would only refuse after the data is loaded."""
    if not _DEVICE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r}: expected auto, cpu, cuda or cuda:N")
    return text


positive_seconds = number(0.0, 60.0, low_open=True)
