"""The CPU model name that every benchmark prints beside its figures."""

from __future__ import annotations

import platform


def cpu_model() -> str:
    """Return the CPU model from /proc/cpuinfo, or what ``platform`` reports where that file is missing."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"
