"""An injectable clock, so TTLs, batch progress and budget days can be simulated without sleeping."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

#: Default start of simulated time: a fixed instant, so sandbox ids and timestamps repeat run to run.
DEFAULT_START = datetime(2026, 9, 1, 9, 0, 0, tzinfo=timezone.utc).timestamp()


class SandboxClock:
    """Simulated wall-clock time in Unix seconds, which changes only through ``advance`` and ``set``.

    >>> clock = SandboxClock()
    >>> start = clock.now()
    >>> clock.advance(minutes=6)
    >>> clock.now() - start
    360.0
    """

    def __init__(self, start: float | datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = _to_timestamp(DEFAULT_START if start is None else start)

    def now(self) -> float:
        """Return the simulated time in Unix seconds."""
        with self._lock:
            return self._now

    def advance(self, seconds: float = 0.0, *, minutes: float = 0.0, hours: float = 0.0, days: float = 0.0) -> None:
        """Move simulated time forward. Raise ValueError for a negative step: time never runs backwards."""
        step = seconds + 60 * minutes + 3600 * hours + 86400 * days
        if step < 0:
            raise ValueError(f"cannot move the clock back by {-step} s; use set() to start a new timeline")
        with self._lock:
            self._now += step

    def set(self, when: float | datetime) -> None:
        """Jump to an absolute time (Unix seconds or an aware datetime)."""
        with self._lock:
            self._now = _to_timestamp(when)

    def datetime(self) -> datetime:
        """Return the simulated time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), tz=timezone.utc)


def _to_timestamp(when: float | datetime) -> float:
    if isinstance(when, datetime):
        if when.tzinfo is None:
            raise ValueError(f"naive datetime {when!r}: pass an aware datetime, e.g. with tzinfo=timezone.utc")
        return when.timestamp()
    return float(when)
