"""Choosing one channel of a multi-channel file, by index or by name."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from emgviewer.records.errors import ChannelError

Channel = int | str | None


def select_channel(names: Sequence[str], channel: Channel, path: Path) -> int:
    """Index of ``channel`` (index, name, or ``None`` for the first) among ``names``."""
    if not names:
        raise ChannelError(path, "the file holds no signal channel")
    if channel is None:
        return 0
    if isinstance(channel, int):
        if -len(names) <= channel < len(names):
            return channel % len(names)
        raise ChannelError(path, f"no channel {channel}: the file has {len(names)} channel(s)")
    wanted = channel.strip().lower()
    for index, name in enumerate(names):
        if name.strip().lower() == wanted:
            return index
    listed = ", ".join(repr(n) for n in names)
    raise ChannelError(path, f"no channel named {channel!r}; channels are {listed}")
