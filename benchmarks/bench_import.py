"""Time `import costkit` in fresh interpreters, side by side with an empty interpreter start.

Run: .venv/bin/python benchmarks/bench_import.py [--runs 15]
The import cost is the difference of the two medians; the target is at most 0.3 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def _median_start_time(code: str, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="interpreter starts per case (default: 15)")
    args = parser.parse_args()

    _median_start_time("import costkit", 2)  # warm the file cache and bytecode
    baseline = _median_start_time("pass", args.runs)
    with_costkit = _median_start_time("import costkit", args.runs)
    with_tokens = _median_start_time("import costkit; costkit.count_tokens('warm up', 'gpt-4o')", args.runs)

    print(f"{'case':<44} {'median start (s)':>17}")
    print(f"{'python -c pass':<44} {baseline:>17.3f}")
    label = 'python -c "import costkit"'
    print(f"{label:<44} {with_costkit:>17.3f}")
    print(f"{'import costkit + first count_tokens':<44} {with_tokens:>17.3f}")
    print(f"import costkit costs {with_costkit - baseline:.3f} s (target <= 0.300 s)")
    print(f"first count_tokens (loads tiktoken and o200k_base) costs {with_tokens - with_costkit:.3f} s more")


if __name__ == "__main__":
    main()
