"""Run every benchmark in this folder, one after another, and print each one's report.

Run: .venv/bin/python benchmarks/run_all.py   (or `make bench`)
It takes a few minutes on a 2-core machine. Copy the figures, with the machine, into
docs/benchmarks.md by hand: a benchmark record states what was measured, not what a script wrote.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

from _machine import cpu_model  # benchmarks/ is on sys.path when a script here runs

BENCHMARKS = ("bench_import.py", "bench_tokens.py", "bench_usage_log.py", "bench_embeddings.py")


def main() -> int:
    folder = Path(__file__).resolve().parent
    print(f"Python {platform.python_version()} on {platform.machine()}, {cpu_model()}")
    failed = []
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(folder / name)], check=False)
        print(f"({name} took {time.perf_counter() - started:.0f} s, exit code {result.returncode})", flush=True)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
