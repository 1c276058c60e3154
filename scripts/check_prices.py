"""Compare the reviewed price table with a copy of LiteLLM's price file and print the differences.

Usage:
    python scripts/check_prices.py PATH/TO/model_prices_and_context_window.json [--table data/prices.csv]

The script reads local files only and never downloads anything. Get the JSON file yourself
(for example from a LiteLLM release) and review every difference against the provider's pricing
page before changing ``data/prices.csv``: LiteLLM's file has known wrong rows.

Exit code: 0 when every compared price agrees, 1 when some differ, 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

from costkit.errors import PriceTableError
from costkit.litellm_prices import read_litellm_prices
from costkit.pricing import ModelPrice, PriceTable, bundled_prices_path

# Fields compared between the two files, USD per 1M tokens.
COMPARED_FIELDS = (
    "input", "output", "cached_input", "cache_write_5m", "cache_write_1h", "batch_input", "batch_output",
    "long_context_input", "long_context_output",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare data/prices.csv with a LiteLLM price file (no download).")
    parser.add_argument("litellm_json", type=Path, help="path to a local model_prices_and_context_window.json")
    parser.add_argument("--table", type=Path, default=None, help="reviewed price table CSV (default: the bundled table)")
    args = parser.parse_args(argv)

    try:
        reviewed = PriceTable.from_csv(args.table or bundled_prices_path())
        imported = read_litellm_prices(args.litellm_json)
    except PriceTableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    differences, missing = compare(reviewed, imported)
    for line in differences:
        print(line)
    if missing:
        print(f"Not in the LiteLLM file: {', '.join(missing)}")
    print(
        f"{len(differences)} price difference(s) and {len(missing)} missing model(s) across {len(reviewed)} reviewed models; "
        f"the LiteLLM file has {len(imported)} priced rows."
    )
    return 1 if differences else 0


def compare(reviewed: PriceTable, imported: list[ModelPrice]) -> tuple[list[str], list[str]]:
    """Return one line per reviewed model and field whose LiteLLM price differs, and the models LiteLLM lacks."""
    by_key = {row.model.lower(): row for row in imported}
    lines: list[str] = []
    missing: list[str] = []
    for row in reviewed:
        match = _find(row, by_key)
        if match is None:
            missing.append(row.model)
            continue
        for field in COMPARED_FIELDS:
            ours: Decimal | None = getattr(row, field)
            theirs: Decimal | None = getattr(match, field)
            if ours is None or theirs is None:
                continue
            if ours != theirs:
                lines.append(f"{row.model}: {field} reviewed {ours} vs LiteLLM {theirs} (row {match.model!r})")
    return lines, missing


def _find(row: ModelPrice, by_key: dict[str, ModelPrice]) -> ModelPrice | None:
    names = [row.model, *row.aliases]
    prefixes = ("", f"{row.provider}/", "gemini/", "anthropic/", "openai/")
    for name in names:
        for prefix in prefixes:
            found = by_key.get(f"{prefix}{name}".lower())
            if found is not None:
                return found
    return None


if __name__ == "__main__":
    sys.exit(main())
