"""Provider usage objects as disjoint billing buckets, and their exact cost.

OpenAI and Anthropic count cached tokens differently, which is the most common cost bug:

- OpenAI ``prompt_tokens`` (Chat Completions) and ``input_tokens`` (Responses) *include* the
  cached tokens reported in ``*_tokens_details.cached_tokens``.
- Anthropic ``input_tokens`` *excludes* ``cache_read_input_tokens`` and
  ``cache_creation_input_tokens``. The ``cache_creation`` object splits the writes into
  5-minute and 1-hour ones.

``normalize_usage`` turns either into a ``Usage`` whose buckets never overlap, and ``cost_of``
prices it:

>>> from costkit.usage import cost_of
>>> usage = {"prompt_tokens": 2_000, "completion_tokens": 100,
...          "prompt_tokens_details": {"cached_tokens": 1_024}}
>>> cost_of(usage, "gpt-4o").total
Decimal('0.00472')

``costkit.usage_log`` prices a pandas log of many requests at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from costkit.errors import InvalidTokenCountError, InvalidUsageError
from costkit.pricing import ModelPrice, PriceTable, check_token_count, get_price, tidy_usd, token_cost

__all__ = [
    "BUCKETS",
    "CostBreakdown",
    "Usage",
    "cost_of",
    "normalize_usage",
]

logger = logging.getLogger("costkit.usage")

# The billed buckets, in display order. Reasoning tokens are a subset of ``output``.
BUCKETS = ("uncached_input", "cache_read", "cache_write_5m", "cache_write_1h", "output")


@dataclass(frozen=True)
class Usage:
    """Token counts of one or more requests in disjoint buckets.

    ``uncached_input + cache_read + cache_write_5m + cache_write_1h`` is the whole prompt.
    ``reasoning`` is informational: those tokens are already counted in ``output`` and billed
    once, as output.
    """

    uncached_input: int = 0
    cache_read: int = 0
    cache_write_5m: int = 0
    cache_write_1h: int = 0
    output: int = 0
    reasoning: int = 0
    model: str | None = None
    batch: bool = False
    provider: str | None = None

    def __post_init__(self) -> None:
        for name in (*BUCKETS, "reasoning"):
            check_token_count(name, getattr(self, name))
        if self.reasoning > self.output:
            raise InvalidTokenCountError(
                f"reasoning ({self.reasoning}) exceeds output ({self.output}). Reasoning tokens are a subset of output tokens."
            )

    @property
    def prompt_tokens(self) -> int:
        """Every input token of the request: uncached, cache reads and cache writes."""
        return self.uncached_input + self.cache_read + self.cache_write_5m + self.cache_write_1h

    @property
    def cache_write(self) -> int:
        """Cache writes of both lifetimes."""
        return self.cache_write_5m + self.cache_write_1h

    def __add__(self, other: object) -> Usage:
        if not isinstance(other, Usage):
            return NotImplemented
        if self.model and other.model and self.model != other.model:
            raise InvalidUsageError(f"Cannot add usage of {self.model!r} and {other.model!r}. Sum usage per model.")
        if self.batch != other.batch:
            raise InvalidUsageError("Cannot add batch and real-time usage. They are billed at different prices.")
        counts = {name: getattr(self, name) + getattr(other, name) for name in (*BUCKETS, "reasoning")}
        return Usage(**counts, model=self.model or other.model, batch=self.batch, provider=self.provider or other.provider)


@dataclass(frozen=True)
class CostBreakdown:
    """The USD cost of a ``Usage`` per bucket, with the price row that produced it.

    ``total`` is exactly the sum of the bucket costs.
    """

    model: str
    price: ModelPrice
    usage: Usage
    batch: bool
    long_context: bool
    uncached_input: Decimal
    cache_read: Decimal
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    output: Decimal
    rates: dict[str, Decimal] = field(default_factory=dict, compare=False)

    @property
    def total(self) -> Decimal:
        """Sum of the bucket costs, in USD."""
        return tidy_usd(sum((getattr(self, name) for name in BUCKETS), Decimal(0)))

    def rows(self) -> list[tuple[str, int, Decimal, Decimal]]:
        """Return ``(bucket, tokens, USD per 1M, USD)`` per bucket, in display order.

        A cache write bucket is left out when the model has no cache write price (OpenAI and
        Gemini models) and the usage has no tokens in it, so the table shows only what can be billed.
        """
        rows = []
        for name in BUCKETS:
            tokens = getattr(self.usage, name)
            if tokens == 0 and name.startswith("cache_write") and getattr(self.price, name) is None:
                continue
            rows.append((name, tokens, self.rates[name], getattr(self, name)))
        return rows

    def to_frame(self) -> Any:
        """Return the breakdown as a pandas DataFrame with a ``total`` row (imports pandas)."""
        import pandas as pd

        frame = pd.DataFrame(self.rows(), columns=["bucket", "tokens", "usd_per_1m", "cost_usd"]).set_index("bucket")
        frame.loc["total"] = [self.usage.prompt_tokens + self.usage.output, None, self.total]
        return frame

    def __str__(self) -> str:
        title = f"{self.price.model}{' (batch)' if self.batch else ''}{' (long context)' if self.long_context else ''}"
        lines = [title, f"{'bucket':<16}{'tokens':>12}{'USD/1M':>10}{'USD':>16}"]
        for name, tokens, rate, cost in self.rows():
            lines.append(f"{name:<16}{tokens:>12,}{rate:>10}{cost:>16}")
        lines.append(f"{'total':<16}{self.usage.prompt_tokens + self.usage.output:>12,}{'':>10}{self.total:>16}")
        if self.usage.reasoning:
            lines.append(f"(output includes {self.usage.reasoning:,} reasoning tokens)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{name}</td><td>{tokens:,}</td><td>{rate}</td><td>{cost}</td></tr>" for name, tokens, rate, cost in self.rows()
        )
        total = f"<tr><th>total</th><th>{self.usage.prompt_tokens + self.usage.output:,}</th><th></th><th>{self.total}</th></tr>"
        head = "<tr><th>bucket</th><th>tokens</th><th>USD / 1M</th><th>USD</th></tr>"
        return f"<table><caption>{self.price.model}{' (batch)' if self.batch else ''}</caption>{head}{body}{total}</table>"


def normalize_usage(usage_or_response: Any, model: str | None = None, *, provider: str | None = None) -> Usage:
    """Convert a provider usage object, or a whole response, into a ``Usage``.

    Accepts OpenAI Chat Completions usage (``prompt_tokens``), OpenAI Responses usage
    (``input_tokens`` with ``input_tokens_details``) and Anthropic usage (``input_tokens`` with
    ``cache_*`` fields), as SDK objects or plain dicts, or a response that has ``.usage`` and
    ``.model``. The provider is detected from the fields. Pass ``provider="openai"`` or
    ``"anthropic"`` when a dict has only ``input_tokens`` and ``output_tokens``.

    Raises ``InvalidUsageError`` naming the field when a count is missing, negative, not an
    integer, or inconsistent (cached tokens above the prompt, a cache write breakdown that does
    not add up, reasoning above output).
    """
    if isinstance(usage_or_response, Usage):
        return usage_or_response if model is None else _replace(usage_or_response, model=model)

    data = _as_mapping(usage_or_response, "usage")
    if "usage" in data and not _TOKEN_KEYS & data.keys():
        model = model or (data.get("model") if isinstance(data.get("model"), str) else None)
        if data["usage"] is None:
            raise InvalidUsageError("The response has usage=None. Request usage (e.g. stream_options={'include_usage': True}).")
        data = _as_mapping(data["usage"], "usage")

    flavour = _detect_flavour(data, provider, usage_or_response)
    if flavour == "openai_chat":
        return _from_openai(data, model, "prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details")
    if flavour == "openai_responses":
        return _from_openai(data, model, "input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details")
    return _from_anthropic(data, model)


def cost_of(
    usage_or_response: Any,
    model: str | None = None,
    *,
    batch: bool = False,
    table: PriceTable | None = None,
) -> CostBreakdown:
    """Return the exact cost of a usage object or response, bucket by bucket.

    ``model`` overrides the model named in the response. ``batch=True`` prices the request at
    the model's batch prices (Anthropic usage that reports ``service_tier="batch"`` is priced
    that way on its own). Cache reads in a batch use the cached-input price, batch-discounted
    only where the provider stacks the two discounts (see ``ModelPrice.rates``).
    """
    usage = normalize_usage(usage_or_response, model)
    if usage.model is None:
        raise InvalidUsageError("The usage names no model. Pass the model, e.g. cost_of(usage, 'gpt-4o').")
    price = get_price(usage.model, table=table)
    batch = batch or usage.batch
    rates = price.rates(usage.prompt_tokens, batch=batch)
    rate_by_bucket = {name: getattr(rates, name) for name in BUCKETS}
    costs = {name: tidy_usd(token_cost(getattr(usage, name), rate_by_bucket[name])) for name in BUCKETS}
    return CostBreakdown(
        model=usage.model, price=price, usage=usage, batch=batch, long_context=rates.long_context, rates=rate_by_bucket, **costs
    )


# --- helpers -------------------------------------------------------------------------------

_TOKEN_KEYS = {"prompt_tokens", "completion_tokens", "input_tokens", "output_tokens"}
_ANTHROPIC_KEYS = {"cache_creation_input_tokens", "cache_read_input_tokens", "cache_creation"}
_OPENAI_RESPONSES_KEYS = {"input_tokens_details", "output_tokens_details"}


def _as_mapping(value: Any, where: str) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    if hasattr(value, "model_dump"):
        return value.model_dump()
    if hasattr(value, "__dict__"):
        return vars(value)
    raise InvalidUsageError(f"{where} must be a usage object, a dict or a response, got {type(value).__name__}: {value!r}.")


def _detect_flavour(data: Mapping[str, Any], provider: str | None, original: Any) -> str:
    keys = {key for key, value in data.items() if value is not None}
    module = type(original).__module__.split(".")[0]
    if "prompt_tokens" in keys or "completion_tokens" in keys:
        if keys & _ANTHROPIC_KEYS:
            raise InvalidUsageError(f"The usage mixes OpenAI and Anthropic fields ({sorted(keys)}). Pass one provider's usage.")
        return "openai_chat"
    if "input_tokens" not in keys:
        raise InvalidUsageError(f"The usage has no input_tokens or prompt_tokens field (fields: {sorted(data)}).")
    has_anthropic = bool(keys & _ANTHROPIC_KEYS) or module == "anthropic"
    has_openai = bool(keys & _OPENAI_RESPONSES_KEYS - {"output_tokens_details"}) or module == "openai"
    if has_anthropic and has_openai:
        raise InvalidUsageError(f"The usage mixes OpenAI and Anthropic fields ({sorted(keys)}). Pass one provider's usage.")
    if provider is not None:
        if provider not in ("openai", "anthropic"):
            raise InvalidUsageError(f"provider must be 'openai' or 'anthropic', got {provider!r}.")
        if (provider == "openai" and has_anthropic) or (provider == "anthropic" and has_openai):
            raise InvalidUsageError(f"provider={provider!r} does not match the usage fields {sorted(keys)}.")
        return "openai_responses" if provider == "openai" else "anthropic"
    if has_openai:
        return "openai_responses"
    if has_anthropic:
        return "anthropic"
    if "output_tokens_details" in keys:
        details = _as_mapping(data["output_tokens_details"], "output_tokens_details")
        return "openai_responses" if "reasoning_tokens" in details else "anthropic"
    # Without cache fields both providers' input_tokens mean the same thing, so the buckets agree.
    return "plain"


def _count(data: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> int:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidUsageError(f"{where}{key} is missing. The usage object needs it to be priced.")
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidUsageError(f"{where}{key} must be an integer token count, got {value!r}.")
    if value < 0:
        raise InvalidUsageError(f"{where}{key} must not be negative, got {value}.")
    return value


def _details(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key)
    return {} if value is None else _as_mapping(value, key)


def _from_openai(data: Mapping[str, Any], model: str | None, prompt_key: str, output_key: str, prompt_details: str, output_details: str) -> Usage:
    prompt = _count(data, prompt_key, "usage.")
    # Embeddings usage has prompt_tokens and total_tokens only: no output to bill.
    is_embedding = prompt_key == "prompt_tokens" and data.get(output_key) is None and "total_tokens" in data
    output = _count(data, output_key, "usage.", required=not is_embedding)
    cached = _count(_details(data, prompt_details), "cached_tokens", f"usage.{prompt_details}.", required=False)
    reasoning = _count(_details(data, output_details), "reasoning_tokens", f"usage.{output_details}.", required=False)
    if cached > prompt:
        raise InvalidUsageError(f"usage.{prompt_details}.cached_tokens ({cached}) exceeds usage.{prompt_key} ({prompt}); OpenAI counts cached tokens inside {prompt_key}.")
    if reasoning > output:
        raise InvalidUsageError(f"usage.{output_details}.reasoning_tokens ({reasoning}) exceeds usage.{output_key} ({output}).")
    total = data.get("total_tokens")
    if isinstance(total, int) and not isinstance(total, bool) and total != prompt + output:
        raise InvalidUsageError(f"usage.total_tokens ({total}) is not {prompt_key} + {output_key} ({prompt + output}).")
    # NOTE: newer SDKs also report cache_write_tokens. They stay in uncached input, which is
    # right while no OpenAI row in the table charges a cache write surcharge.
    writes = _count(_details(data, prompt_details), "cache_write_tokens", f"usage.{prompt_details}.", required=False)
    if writes:
        logger.debug("Counted %d OpenAI cache write tokens as uncached input for %s", writes, model)
    return Usage(uncached_input=prompt - cached, cache_read=cached, output=output, reasoning=reasoning, model=model, provider="openai")


def _from_anthropic(data: Mapping[str, Any], model: str | None) -> Usage:
    uncached = _count(data, "input_tokens", "usage.")
    output = _count(data, "output_tokens", "usage.")
    cache_read = _count(data, "cache_read_input_tokens", "usage.", required=False)
    creation = _count(data, "cache_creation_input_tokens", "usage.", required=False)
    reasoning = _count(_details(data, "output_tokens_details"), "thinking_tokens", "usage.output_tokens_details.", required=False)
    if reasoning > output:
        raise InvalidUsageError(f"usage.output_tokens_details.thinking_tokens ({reasoning}) exceeds usage.output_tokens ({output}).")

    split = _details(data, "cache_creation")
    if split:
        write_5m = _count(split, "ephemeral_5m_input_tokens", "usage.cache_creation.", required=False)
        write_1h = _count(split, "ephemeral_1h_input_tokens", "usage.cache_creation.", required=False)
        if "cache_creation_input_tokens" in data and data["cache_creation_input_tokens"] is not None and write_5m + write_1h != creation:
            raise InvalidUsageError(
                f"usage.cache_creation splits {write_5m} + {write_1h} tokens, but usage.cache_creation_input_tokens is {creation}. The two must agree."
            )
    else:
        # Without the breakdown every write is a 5-minute write, the API's default lifetime.
        write_5m, write_1h = creation, 0

    provider = "anthropic" if (data.keys() & _ANTHROPIC_KEYS) or model and model.startswith("claude") else None
    return Usage(
        uncached_input=uncached,
        cache_read=cache_read,
        cache_write_5m=write_5m,
        cache_write_1h=write_1h,
        output=output,
        reasoning=reasoning,
        model=model,
        batch=data.get("service_tier") == "batch",
        provider=provider,
    )


def _replace(usage: Usage, **changes: Any) -> Usage:
    values = {item.name: getattr(usage, item.name) for item in fields(usage)}
    values.update(changes)
    return Usage(**values)
