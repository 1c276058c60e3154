"""Measure costkit's token counting against raw tiktoken on the same texts, in one run.

    .venv/bin/python benchmarks/bench_tokens.py [--repeats 5] [--documents 2000]

The texts are chunks of the Python standard library's own source files (code, comments and
docstrings), so the benchmark needs no download. Each timing is the best of ``--repeats`` runs,
and the runs of the compared functions are interleaved so that machine noise hits them alike.
Prints two tables: single-text throughput (costkit ``count_tokens`` vs tiktoken ``encode`` and
``encode_ordinary``) and ``count_tokens_many`` with 1 and 2 threads.
"""

from __future__ import annotations

import argparse
import os
import platform
import sysconfig
import time
from collections.abc import Callable
from pathlib import Path

import tiktoken

from costkit.encodings import get_encoding
from costkit.tokens import count_tokens, count_tokens_many

from _machine import cpu_model  # benchmarks/ is on sys.path when a script here runs

MODEL = "gpt-4o"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement; the best one is reported")
    parser.add_argument("--documents", type=int, default=2000, help="number of text chunks to count")
    parser.add_argument("--chunk-chars", type=int, default=2000, help="characters per text chunk")
    args = parser.parse_args()

    documents = load_documents(args.documents, args.chunk_chars)
    short_texts = [document[:60] for document in documents]
    encoding = get_encoding("o200k_base")
    total_chars = sum(len(document) for document in documents)

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {cpu_model()}")
    print(f"python {platform.python_version()}, tiktoken {tiktoken.__version__}, model {MODEL} (o200k_base)")
    print(f"texts: {len(documents)} chunks of stdlib source, {total_chars:,} characters; best of {args.repeats} runs")
    print()

    print_single_text_table(documents, short_texts, encoding, args.repeats)
    print()
    print_batch_table(documents, args.repeats)


def print_single_text_table(
    documents: list[str], short_texts: list[str], encoding: tiktoken.Encoding, repeats: int
) -> None:
    print("Single-text counting, one call per text")
    print(f"{'texts':<22}{'function':<36}{'seconds':>10}{'texts/s':>12}{'vs encode':>11}")

    for label, texts in ((f"{len(documents)} x ~2000 chars", documents), (f"{len(short_texts)} x 60 chars", short_texts)):
        candidates: dict[str, Callable[[], object]] = {
            "tiktoken Encoding.encode": lambda texts=texts: [len(encoding.encode(text)) for text in texts],
            "tiktoken Encoding.encode_ordinary": lambda texts=texts: [len(encoding.encode_ordinary(text)) for text in texts],
            "costkit count_tokens": lambda texts=texts: [count_tokens(text, MODEL) for text in texts],
        }
        timings = best_interleaved(candidates, repeats)
        baseline = timings["tiktoken Encoding.encode"]
        for name, seconds in timings.items():
            print(f"{label:<22}{name:<36}{seconds:>10.4f}{len(texts) / seconds:>12,.0f}{baseline / seconds:>10.2f}x")


def print_batch_table(documents: list[str], repeats: int) -> None:
    print("Batch counting, count_tokens_many (tiktoken's batch API)")
    print(f"{'threads':<10}{'seconds':>10}{'texts/s':>12}{'speed-up':>10}")

    candidates: dict[str, Callable[[], object]] = {
        str(threads): (lambda threads=threads: count_tokens_many(documents, MODEL, num_threads=threads)) for threads in (1, 2)
    }
    timings = best_interleaved(candidates, repeats)
    one_thread = timings["1"]
    for threads, seconds in timings.items():
        print(f"{threads:<10}{seconds:>10.4f}{len(documents) / seconds:>12,.0f}{one_thread / seconds:>9.2f}x")


def best_interleaved(candidates: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Run each candidate once per round for ``repeats`` rounds and return its fastest time in seconds."""
    for function in candidates.values():
        function()  # warm-up: loads the encoding and fills caches

    best = {name: float("inf") for name in candidates}
    for _ in range(repeats):
        for name, function in candidates.items():
            start = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def load_documents(count: int, chunk_chars: int) -> list[str]:
    """Cut the standard library's .py files into ``count`` chunks of ``chunk_chars`` characters."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    documents: list[str] = []
    for path in sorted(stdlib.glob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for start in range(0, len(text) - chunk_chars, chunk_chars):
            documents.append(text[start : start + chunk_chars])
            if len(documents) == count:
                return documents
    return documents


if __name__ == "__main__":
    main()
