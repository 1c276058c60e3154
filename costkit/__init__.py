"""costkit: cost engineering for LLM applications, offline first.

The public names below load their modules on first use, so ``import costkit`` stays fast and
never imports pandas, matplotlib, tiktoken or the provider SDKs by itself.

>>> import costkit
>>> costkit.calculate_cost("gpt-4o", input_tokens=1_500, output_tokens=300)
Decimal('0.00675')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    "count_tokens": "costkit.tokens",
    "count_message_tokens": "costkit.tokens",
    "count_image_tokens": "costkit.tokens",
    "count_tool_tokens": "costkit.tokens",
    "count_tokens_many": "costkit.tokens",
    "token_boundaries": "costkit.tokens",
    "is_estimate": "costkit.tokens",
    "calculate_cost": "costkit.pricing",
    "get_price": "costkit.pricing",
    "ModelPrice": "costkit.pricing",
    "PriceTable": "costkit.pricing",
    "Usage": "costkit.usage",
    "CostBreakdown": "costkit.usage",
    "cost_of": "costkit.usage",
    "normalize_usage": "costkit.usage",
    "estimate_monthly_cost": "costkit.estimate",
    "MonthlyEstimate": "costkit.estimate",
    "optimize_context": "costkit.estimate",
    "ContextSelection": "costkit.estimate",
    "compare_models": "costkit.estimate",
    "cost_usage_log": "costkit.usage_log",
    "usage_log_totals": "costkit.usage_log",
    "load_litellm_prices": "costkit.pricing",
    "Embedder": "costkit.embeddings",
    "StaticEmbedder": "costkit.embeddings",
    "cosine_similarity": "costkit.embeddings",
    "get_embedder": "costkit.embeddings",
    "openai_client": "costkit.clients",
    "anthropic_client": "costkit.clients",
    "describe_mode": "costkit.clients",
    "CostkitError": "costkit.errors",
    "UnknownModelError": "costkit.errors",
    "InvalidTokenCountError": "costkit.errors",
    "InvalidMessageError": "costkit.errors",
    "InvalidUsageError": "costkit.errors",
    "PriceTableError": "costkit.errors",
    "InvalidScenarioError": "costkit.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'costkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:
    from costkit.clients import anthropic_client, describe_mode, openai_client
    from costkit.embeddings import Embedder, StaticEmbedder, cosine_similarity, get_embedder
    from costkit.errors import (
        CostkitError,
        InvalidMessageError,
        InvalidTokenCountError,
        InvalidScenarioError,
        InvalidUsageError,
        PriceTableError,
        UnknownModelError,
    )
    from costkit.estimate import ContextSelection, MonthlyEstimate, compare_models, estimate_monthly_cost, optimize_context
    from costkit.pricing import ModelPrice, PriceTable, calculate_cost, get_price, load_litellm_prices
    from costkit.tokens import (
        count_image_tokens,
        count_message_tokens,
        count_tokens,
        count_tokens_many,
        count_tool_tokens,
        is_estimate,
        token_boundaries,
    )
    from costkit.usage import CostBreakdown, Usage, cost_of, normalize_usage
    from costkit.usage_log import cost_usage_log, usage_log_totals
