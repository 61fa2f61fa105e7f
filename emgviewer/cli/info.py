"""``emgviewer info PATH [--json]``: what a record (or a folder of records) holds."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from emgviewer.cli.common import positive_hz
from emgviewer.records import FolderIndex, Record, index_folder, read_record
from emgviewer.records.formats import help_text
from emgviewer.records.n2001 import CLASS_LABELS


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``info`` command and its options, added to ``commands``."""
    parser = commands.add_parser(
        "info", help="describe a record or a folder of records",
        description="Print a record's rate, duration, units, header metadata, N2001 "
                    "group/subject/muscle and quality flags; for a folder, the grouped index.")
    parser.add_argument("path", type=_named_path,
                        help=f"record file ({help_text()}), record base path, or folder")
    parser.add_argument("--channel", help="channel index or name (multi-channel files)")
    parser.add_argument("--fs-hz", type=positive_hz, metavar="HZ", help="sampling rate of a one-column CSV")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(run=run)


def _named_path(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path names nothing; give a record file or a folder")
    return Path(text)


def run(args: argparse.Namespace) -> int:
    """Describe a record or a folder (text or JSON); 0, or 1 when it cannot be read (said)."""
    if args.path.is_dir():
        description = folder_summary(index_folder(args.path))
    else:
        channel = int(args.channel) if args.channel and args.channel.lstrip("-").isdigit() else args.channel
        description = record_summary(read_record(args.path, channel=channel, fs_hz=args.fs_hz))
    print(json.dumps(description, indent=2, ensure_ascii=False) if args.json else _text(description))
    return 0


def record_summary(record: Record) -> dict[str, Any]:
    """What one record is: rate, length, units, channel, N2001 name, header fields and quality."""
    meta = record.metadata
    ident = record.n2001
    return {
        "name": record.name,
        "path": str(record.source_path),
        "format": record.format,
        "channel": record.channel,
        "fs_hz": record.fs_hz,
        "duration_s": round(record.duration_s, 6),
        "n_samples": record.n_samples,
        "units": "uV" if record.calibrated else "raw (uncalibrated)",
        "source_units": record.source_units,
        "n2001": None if ident is None else {
            "group": ident.group, "group_class": ident.group_class,
            "subject": ident.subject_id, "muscle": ident.muscle_code, "number": ident.number},
        "truth": record.truth,
        "metadata": {
            "gender": meta.gender, "age_years": meta.age_years, "diagnosis": meta.diagnosis,
            "muscle": meta.muscle, "side": meta.side, "level": meta.level,
            "protocol": meta.protocol, "electrode": meta.electrode,
            "high_pass_hz": meta.high_pass_hz, "low_pass_hz": meta.low_pass_hz, "date": meta.date,
            "fields": dict(meta.fields), "notes": list(meta.notes)},
        "quality": {
            "fraction_zero": record.quality.fraction_zero,
            "fraction_clipped": record.quality.fraction_clipped,
            "fraction_missing": record.quality.fraction_missing,
            "peak_abs_uv": record.quality.peak_abs_uv,
            "one_sample_spikes": record.quality.n_spikes,
            "one_sample_spike_span_s": list(record.quality.spike_span_s) if record.quality.spike_span_s else None,
            "full_scale_uv": list(record.full_scale_uv) if record.full_scale_uv else None,
            "warnings": list(record.quality.warnings)},
    }


def folder_summary(index: FolderIndex) -> dict[str, Any]:
    """What a folder holds: its records by group and subject, and the files that could not be read."""
    return {
        "folder": str(index.root),
        "n_records": len(index.records),
        "counts": index.counts(),
        "groups": {
            group: {subject: [entry.name for entry in entries] for subject, entries in subjects.items()}
            for group, subjects in index.groups.items()},
        "problems": [str(problem) for problem in index.problems],
    }


def _text(description: dict[str, Any]) -> str:
    if "folder" in description:
        return _folder_text(description)
    lines = [f"{description['name']}  ({description['format']}, {description['path']})",
             f"  rate        {description['fs_hz']:g} Hz",
             f"  duration    {description['duration_s']:.3f} s  ({description['n_samples']} samples)",
             f"  units       {description['units']} (file: {description['source_units'] or 'none'})"]
    if description["channel"]:
        lines.append(f"  channel     {description['channel']}")
    ident = description["n2001"]
    if ident:
        lines.append(f"  N2001       group {ident['group']} ({ident['group_class']}), subject "
                     f"{ident['subject']}, muscle {ident['muscle']}, record {ident['number']}")
    if description["truth"]:
        source = "file name" if ident else "header diagnosis"
        lines.append(f"  truth       {CLASS_LABELS[description['truth']]} (from the {source})")
    meta = description["metadata"]
    for label, key in _METADATA_ROWS:
        if meta[key] is not None:
            value = meta[key]
            if isinstance(value, float):
                value = f"{value:g} Hz" if key.endswith("_hz") else f"{value:g}"
            lines.append(f"  {label:<11} {value}")
    quality = description["quality"]
    lines.append(f"  quality     zeros {quality['fraction_zero']:.2%}, clipped "
                 f"{quality['fraction_clipped']:.2%}, missing {quality['fraction_missing']:.2%}, "
                 f"peak {quality['peak_abs_uv']:.0f} µV")
    lines += [f"  WARNING     {warning}" for warning in quality["warnings"]]
    return "\n".join(lines)


_METADATA_ROWS = (
    ("sex", "gender"), ("age", "age_years"), ("diagnosis", "diagnosis"), ("muscle", "muscle"),
    ("side", "side"), ("level", "level"), ("protocol", "protocol"), ("electrode", "electrode"),
    ("high-pass", "high_pass_hz"), ("low-pass", "low_pass_hz"), ("date", "date"),
)


def _folder_text(description: dict[str, Any]) -> str:
    lines = [f"{description['folder']}: {description['n_records']} records"]
    for group, subjects in description["groups"].items():
        count = description["counts"][group]
        lines.append(f"  {group}: {count['subjects']} subjects, {count['records']} records")
        for subject, names in subjects.items():
            lines.append(f"    {subject} ({len(names)}): {names[0]} … {names[-1]}"
                         if len(names) > 2 else f"    {subject} ({len(names)}): {', '.join(names)}")
    lines += [f"  could not read: {problem}" for problem in description["problems"]]
    return "\n".join(lines)
