"""Read LiteLLM's ``model_prices_and_context_window.json`` format into costkit price rows.

LiteLLM's file covers a long tail of models that the reviewed table lacks. It has known wrong
rows, so ``PriceTable.merged_with_litellm`` adds only the models the reviewed table does not
price. Nothing here downloads anything: pass a local copy of the file.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costkit.errors import PriceTableError
from costkit.pricing import PER_MILLION, ModelPrice, tidy_usd

if TYPE_CHECKING:
    from costkit.pricing import PriceTable

__all__ = ["read_litellm_prices", "with_bare_aliases"]

logger = logging.getLogger("costkit.pricing")


def read_litellm_prices(path: str | Path) -> list[ModelPrice]:
    """Parse a LiteLLM ``model_prices_and_context_window.json`` file into price rows.

    LiteLLM stores USD per token (``input_cost_per_token``, ``cache_read_input_token_cost``,
    ``cache_creation_input_token_cost``, ``..._above_1hr``, ``..._batches``, ``..._above_200k_tokens``).
    Rows are converted to USD per 1M tokens without float rounding. ``sample_spec``, modes other
    than chat, completion, responses and embedding, and chat rows without both an input and an
    output price are skipped, because a half-priced row would under-report cost.
    """
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PriceTableError(f"Cannot read LiteLLM price file {str(path)!r}: {error}") from error
    if not isinstance(document, dict):
        raise PriceTableError(f"{str(path)!r} is not a LiteLLM price file: expected a JSON object of model rows.")

    as_of = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc).date().isoformat()
    rows = []
    for model, entry in document.items():
        if model == "sample_spec" or not isinstance(entry, dict):
            continue
        row = _litellm_row(model, entry, source=f"LiteLLM {path.name}", as_of=as_of)
        if row is None:
            logger.debug("Skipped LiteLLM row %r (mode %r)", model, entry.get("mode"))
        else:
            rows.append(row)
    return rows


def with_bare_aliases(rows: list[ModelPrice], reviewed: PriceTable) -> list[ModelPrice]:
    """Let ``deepseek-chat`` find ``deepseek/deepseek-chat`` when exactly one new row ends in that name."""
    owners: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if "/" in row.model:
            owners.setdefault(row.model.rsplit("/", 1)[-1].lower(), []).append(index)
    claimed_ids = {row.model.lower() for row in rows}
    result = list(rows)
    for bare, indices in owners.items():
        if len(indices) == 1 and bare not in claimed_ids and reviewed._resolve(bare) is None:
            row = result[indices[0]]
            result[indices[0]] = dataclasses.replace(row, aliases=(*row.aliases, bare))
    return result


_LITELLM_MODES = {"chat": "chat", "completion": "chat", "responses": "chat", "embedding": "embedding"}
_LITELLM_TIER = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")


def _litellm_row(model: str, entry: dict[str, Any], *, source: str, as_of: str) -> ModelPrice | None:
    mode = _LITELLM_MODES.get(entry.get("mode") or "chat")
    if mode is None:
        return None

    def per_million(key: str) -> Decimal | None:
        value = entry.get(key)
        if value is None or isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            return None
        return tidy_usd(Decimal(value) * PER_MILLION)

    input_price = per_million("input_cost_per_token")
    output_price = per_million("output_cost_per_token")
    if output_price is None and mode == "embedding":
        output_price = Decimal(0)
    if input_price is None or output_price is None or input_price < 0 or output_price < 0:
        return None

    tiers = sorted(int(match.group(1)) for key in entry if (match := _LITELLM_TIER.match(key)))
    tier = tiers[0] if tiers else None
    suffix = f"_above_{tier}k_tokens"

    def whole(key: str) -> int | None:
        value = entry.get(key)
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else None

    return ModelPrice(
        model=model,
        input=input_price,
        output=output_price,
        provider=str(entry.get("litellm_provider") or "unknown"),
        mode=mode,
        cached_input=per_million("cache_read_input_token_cost"),
        cache_write_5m=per_million("cache_creation_input_token_cost"),
        cache_write_1h=per_million("cache_creation_input_token_cost_above_1hr"),
        batch_input=per_million("input_cost_per_token_batches"),
        batch_output=per_million("output_cost_per_token_batches"),
        long_context_threshold=tier * 1000 if tier else None,
        long_context_input=per_million("input_cost_per_token" + suffix) if tier else None,
        long_context_output=per_million("output_cost_per_token" + suffix) if tier else None,
        long_context_cached_input=per_million("cache_read_input_token_cost" + suffix) if tier else None,
        encoding="o200k_base",
        context_window=whole("max_input_tokens"),
        max_output_tokens=whole("max_output_tokens"),
        discontinued_on=str(entry["deprecation_date"]) if entry.get("deprecation_date") else None,
        notes="Imported from LiteLLM and not reviewed.",
        as_of=as_of,
        source=source,
    )
