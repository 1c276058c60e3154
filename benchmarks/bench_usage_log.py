"""Time costing a 1,000,000-row usage log: vectorised versus row-by-row ``calculate_cost``.

Run from the repository root:

    .venv/bin/python benchmarks/bench_usage_log.py [--rows 1000000] [--sample 50000] [--full]

The log is synthetic with a fixed seed (five models, cache reads and writes, 30% batch rows,
some gemini-2.5-pro prompts above its 200K-token tier). The row-by-row loop is timed on the
first ``--sample`` rows and scaled linearly to the full log, unless ``--full`` runs it on every
row. Both paths must give the same exact total on the rows they share. The vectorised total
must also equal the grouped ``Decimal`` total, or the script exits with status 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from decimal import Decimal

import numpy as np
import pandas as pd

from costkit.pricing import calculate_cost
from costkit.usage_log import cost_usage_log, usage_log_totals

from _machine import cpu_model  # benchmarks/ is on sys.path when a script here runs

MODELS = np.array(["gpt-4o", "gpt-4o-mini-2024-07-18", "claude-sonnet-4-5", "gemini-2.5-pro", "gpt-5"])


def synthetic_log(rows: int, seed: int = 20260821) -> pd.DataFrame:
    """Return a reproducible usage log with every bucket populated."""
    generator = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "model": MODELS[generator.integers(0, len(MODELS), rows)],
            "input_tokens": generator.integers(0, 250_000, rows),
            "output_tokens": generator.integers(0, 4_000, rows),
            "cached_input_tokens": generator.integers(0, 8_000, rows),
            "cache_write_5m_tokens": generator.integers(0, 2_000, rows),
            "cache_write_1h_tokens": generator.integers(0, 1_000, rows),
            "batch": generator.random(rows) < 0.3,
        }
    )


def row_by_row_total(frame: pd.DataFrame) -> Decimal:
    """Sum ``calculate_cost`` over every row, the way a plain loop would."""
    total = Decimal(0)
    for model, uncached, output, cached, write_5m, write_1h, batch in zip(
        frame["model"].tolist(),
        frame["input_tokens"].tolist(),
        frame["output_tokens"].tolist(),
        frame["cached_input_tokens"].tolist(),
        frame["cache_write_5m_tokens"].tolist(),
        frame["cache_write_1h_tokens"].tolist(),
        frame["batch"].tolist(),
    ):
        total += calculate_cost(
            model, uncached, output, cached_input_tokens=cached, cache_write_5m_tokens=write_5m,
            cache_write_1h_tokens=write_1h, batch=batch,
        )  # fmt: skip
    return total


def picodollars_to_usd(values: np.ndarray) -> Decimal:
    """Sum an int64 picodollar column exactly, in chunks that cannot overflow int64."""
    return Decimal(sum(int(chunk.sum()) for chunk in np.array_split(values, max(1, len(values) // 10_000)))).scaleb(-12)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in the synthetic log")
    parser.add_argument("--sample", type=int, default=50_000, help="rows timed row by row, then scaled")
    parser.add_argument("--full", action="store_true", help="time row-by-row on every row instead of a sample")
    args = parser.parse_args()

    frame = synthetic_log(args.rows)
    calculate_cost("gpt-4o", 1, 1)  # load the price table before timing

    start = time.perf_counter()
    costed = cost_usage_log(frame)
    vectorised_seconds = time.perf_counter() - start

    start = time.perf_counter()
    totals = usage_log_totals(frame)
    totals_seconds = time.perf_counter() - start

    loop_rows = args.rows if args.full else min(args.sample, args.rows)
    start = time.perf_counter()
    loop_total = row_by_row_total(frame.iloc[:loop_rows])
    loop_seconds = time.perf_counter() - start
    loop_seconds_scaled = loop_seconds * args.rows / loop_rows

    vectorised_total = picodollars_to_usd(costed["cost_picodollars"].to_numpy())
    grouped_total = sum(totals["cost_usd"], Decimal(0))
    shared_total = picodollars_to_usd(costed["cost_picodollars"].to_numpy()[:loop_rows])
    same = shared_total == loop_total and vectorised_total == grouped_total

    print(f"machine: {cpu_model()}, nproc {os.cpu_count()}, Python {platform.python_version()}, pandas {pd.__version__}")
    print(f"rows: {args.rows:,}; row-by-row timed on {loop_rows:,} rows{' (full)' if args.full else ', scaled linearly'}")
    print(f"cost_usage_log (vectorised, per row): {vectorised_seconds:8.3f} s")
    print(f"usage_log_totals (grouped Decimal):   {totals_seconds:8.3f} s")
    print(f"row-by-row calculate_cost:            {loop_seconds_scaled:8.3f} s ({loop_seconds:.3f} s measured)")
    print(f"speed-up, per-row vectorised:  {loop_seconds_scaled / vectorised_seconds:7.1f}x")
    print(f"speed-up, grouped totals:      {loop_seconds_scaled / totals_seconds:7.1f}x")
    print(f"total USD: vectorised {vectorised_total}, grouped {grouped_total}")
    print(f"same total on the {loop_rows:,} shared rows: {shared_total == loop_total} ({loop_total})")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
