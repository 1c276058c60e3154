"""Tests for usage normalisation, cost breakdowns and the vectorised usage log."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from anthropic.types import CacheCreation, Message, TextBlock
from anthropic.types import Usage as AnthropicUsage
from hypothesis import given, settings
from hypothesis import strategies as st
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletion
from openai.types.completion_usage import CompletionTokensDetails, PromptTokensDetails
from openai.types.responses import ResponseUsage
from openai.types.responses.response_usage import InputTokensDetails, OutputTokensDetails

from costkit.errors import InvalidTokenCountError, InvalidUsageError, UnknownModelError
from costkit.pricing import PriceTable, calculate_cost
from costkit.usage import BUCKETS, Usage, cost_of, normalize_usage
from costkit.usage_log import cost_usage_log, usage_log_totals

D = Decimal


def chat_usage(prompt: int, completion: int, cached: int = 0, reasoning: int = 0) -> CompletionUsage:
    return CompletionUsage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=prompt + completion,
        prompt_tokens_details=PromptTokensDetails(cached_tokens=cached),
        completion_tokens_details=CompletionTokensDetails(reasoning_tokens=reasoning),
    )


def anthropic_usage(input_tokens: int, output: int, read: int = 0, write_5m: int = 0, write_1h: int = 0) -> AnthropicUsage:
    return AnthropicUsage(
        input_tokens=input_tokens,
        output_tokens=output,
        cache_read_input_tokens=read,
        cache_creation_input_tokens=write_5m + write_1h,
        cache_creation=CacheCreation(ephemeral_5m_input_tokens=write_5m, ephemeral_1h_input_tokens=write_1h),
    )


# --- OpenAI --------------------------------------------------------------------------------


def test_openai_cached_tokens_are_subset_of_prompt() -> None:
    usage = normalize_usage(chat_usage(prompt=2_000, completion=100, cached=1_024))
    assert usage.uncached_input == 976
    assert usage.cache_read == 1_024
    assert usage.prompt_tokens == 2_000
    assert usage.provider == "openai"


def test_openai_cost_not_double_counted() -> None:
    breakdown = cost_of(chat_usage(prompt=2_000, completion=100, cached=1_024), "gpt-4o")
    expected = calculate_cost("gpt-4o", 976, 100, cached_input_tokens=1_024)
    assert breakdown.total == expected
    assert breakdown.cache_read == D(1_024) * D("1.25") / 10**6


def test_openai_dict_matches_sdk_object() -> None:
    as_dict = {
        "prompt_tokens": 2_000,
        "completion_tokens": 100,
        "total_tokens": 2_100,
        "prompt_tokens_details": {"cached_tokens": 1_024},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }
    assert normalize_usage(as_dict) == normalize_usage(chat_usage(2_000, 100, 1_024))


def test_reasoning_tokens_billed_once_as_output() -> None:
    breakdown = cost_of(chat_usage(prompt=500, completion=3_000, reasoning=2_500), "o4-mini")
    assert breakdown.usage.reasoning == 2_500
    assert breakdown.usage.output == 3_000
    assert breakdown.output == D(3_000) * D("4.40") / 10**6
    assert breakdown.total == calculate_cost("o4-mini", 500, 3_000)


def test_responses_usage_object() -> None:
    usage = ResponseUsage(
        input_tokens=5_000,
        input_tokens_details=InputTokensDetails(cached_tokens=4_096, cache_write_tokens=0),
        output_tokens=800,
        output_tokens_details=OutputTokensDetails(reasoning_tokens=600),
        total_tokens=5_800,
    )
    normalized = normalize_usage(usage, "gpt-5")
    assert (normalized.uncached_input, normalized.cache_read, normalized.output, normalized.reasoning) == (904, 4_096, 800, 600)
    assert cost_of(usage, "gpt-5").total == calculate_cost("gpt-5", 904, 800, cached_input_tokens=4_096)


def test_responses_usage_dict() -> None:
    usage = {"input_tokens": 300, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 20,
             "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 320}  # fmt: skip
    normalized = normalize_usage(usage)
    assert normalized.provider == "openai"
    assert normalized.uncached_input == 300


def test_chat_completion_response_takes_model() -> None:
    response = ChatCompletion(
        id="chatcmpl-1",
        object="chat.completion",
        created=0,
        model="gpt-4o-mini-2024-07-18",
        choices=[],
        usage=chat_usage(1_500, 300),
    )
    breakdown = cost_of(response)
    assert breakdown.price.model == "gpt-4o-mini"
    assert breakdown.total == D("0.000405")


def test_cached_above_prompt_rejected() -> None:
    with pytest.raises(InvalidUsageError, match="cached_tokens"):
        normalize_usage({"prompt_tokens": 100, "completion_tokens": 1, "prompt_tokens_details": {"cached_tokens": 200}})


def test_total_tokens_mismatch_rejected() -> None:
    with pytest.raises(InvalidUsageError, match="total_tokens"):
        normalize_usage({"prompt_tokens": 100, "completion_tokens": 1, "total_tokens": 50})


# --- Anthropic -----------------------------------------------------------------------------


def test_anthropic_input_excludes_cache() -> None:
    usage = normalize_usage(anthropic_usage(input_tokens=400, output=200, read=3_600))
    assert usage.uncached_input == 400
    assert usage.cache_read == 3_600
    assert usage.prompt_tokens == 4_000
    assert usage.provider == "anthropic"


def test_anthropic_write_lifetimes_priced_apart() -> None:
    breakdown = cost_of(anthropic_usage(input_tokens=10, output=0, write_5m=1_000_000, write_1h=1_000_000), "claude-sonnet-4-5")
    assert breakdown.cache_write_5m == D("3.75")
    assert breakdown.cache_write_1h == D("6")
    assert breakdown.cache_write_1h == 2 * calculate_cost("claude-sonnet-4-5", 1_000_000, 0)


def test_anthropic_read_is_tenth_of_input() -> None:
    breakdown = cost_of(anthropic_usage(input_tokens=0, output=0, read=1_000_000), "claude-haiku-4-5")
    assert breakdown.cache_read == calculate_cost("claude-haiku-4-5", 1_000_000, 0) / 10


def test_anthropic_writes_default_to_five_minutes() -> None:
    usage = normalize_usage({"input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 2_048, "cache_read_input_tokens": 0})
    assert (usage.cache_write_5m, usage.cache_write_1h) == (2_048, 0)


def test_anthropic_breakdown_must_match_total() -> None:
    usage = {"input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 2_000,
             "cache_creation": {"ephemeral_5m_input_tokens": 1_000, "ephemeral_1h_input_tokens": 500}}  # fmt: skip
    with pytest.raises(InvalidUsageError, match="cache_creation"):
        normalize_usage(usage)


def test_anthropic_batch_tier_priced_as_batch() -> None:
    usage = AnthropicUsage(input_tokens=1_000_000, output_tokens=0, service_tier="batch")
    breakdown = cost_of(usage, "claude-opus-4-6")
    assert breakdown.batch is True
    assert breakdown.total == D("2.5")


def test_anthropic_message_response() -> None:
    message = Message(
        id="msg_1",
        type="message",
        role="assistant",
        model="claude-sonnet-4-5-20250929",
        content=[TextBlock(type="text", text="placeholder")],
        stop_reason="end_turn",
        stop_sequence=None,
        usage=anthropic_usage(input_tokens=400, output=200, read=3_600),
    )
    breakdown = cost_of(message)
    assert breakdown.price.model == "claude-sonnet-4-5"
    assert breakdown.total == D("0.00528")


def test_mixed_provider_fields_rejected() -> None:
    with pytest.raises(InvalidUsageError, match="mixes"):
        normalize_usage({"prompt_tokens": 10, "completion_tokens": 1, "cache_read_input_tokens": 5})


def test_provider_hint_must_match_fields() -> None:
    with pytest.raises(InvalidUsageError, match="provider"):
        normalize_usage({"input_tokens": 10, "output_tokens": 1, "cache_read_input_tokens": 5}, provider="openai")


@pytest.mark.parametrize(
    ("usage", "field"),
    [
        ({"prompt_tokens": -1, "completion_tokens": 1}, "prompt_tokens"),
        ({"prompt_tokens": 1.5, "completion_tokens": 1}, "prompt_tokens"),
        ({"prompt_tokens": 10, "completion_tokens": True}, "completion_tokens"),
        ({"prompt_tokens": 10}, "completion_tokens"),
        ({"input_tokens": 10, "output_tokens": 1, "cache_read_input_tokens": -3}, "cache_read_input_tokens"),
        ({"output_tokens": 1}, "input_tokens"),
    ],
)
def test_bad_usage_names_field(usage: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidUsageError, match=field):
        normalize_usage(usage)


def test_response_without_usage_rejected() -> None:
    with pytest.raises(InvalidUsageError, match="usage=None"):
        normalize_usage({"model": "gpt-4o", "usage": None})


def test_cost_of_needs_model() -> None:
    with pytest.raises(InvalidUsageError, match="model"):
        cost_of({"prompt_tokens": 10, "completion_tokens": 1})


def test_unknown_model_in_cost_of() -> None:
    with pytest.raises(UnknownModelError):
        cost_of({"prompt_tokens": 10, "completion_tokens": 1}, "gpt-9")


# --- Usage and CostBreakdown ---------------------------------------------------------------


def test_usage_rejects_reasoning_above_output() -> None:
    with pytest.raises(InvalidTokenCountError, match="reasoning"):
        Usage(output=10, reasoning=11)


def test_usage_addition() -> None:
    total = Usage(uncached_input=1, cache_read=2, output=3, model="gpt-4o") + Usage(uncached_input=10, output=5, reasoning=2)
    assert (total.uncached_input, total.cache_read, total.output, total.reasoning, total.model) == (11, 2, 8, 2, "gpt-4o")
    with pytest.raises(InvalidUsageError):
        Usage(model="gpt-4o") + Usage(model="gpt-5")


def test_breakdown_renders() -> None:
    breakdown = cost_of(anthropic_usage(input_tokens=400, output=200, read=3_600), "claude-sonnet-4-5")
    text = str(breakdown)
    assert "cache_read" in text
    assert "0.00528" in text
    assert "<table>" in breakdown._repr_html_()
    frame = breakdown.to_frame()
    assert frame.loc["total", "cost_usd"] == breakdown.total
    assert list(frame.index) == [*BUCKETS, "total"]


def test_long_context_flag_on_breakdown() -> None:
    breakdown = cost_of({"input_tokens": 250_000, "output_tokens": 100}, "gemini-2.5-pro")
    assert breakdown.long_context is True
    assert breakdown.uncached_input == D(250_000) * D("2.50") / 10**6


usage_strategy = st.builds(
    Usage,
    uncached_input=st.integers(0, 2_000_000),
    cache_read=st.integers(0, 2_000_000),
    cache_write_5m=st.integers(0, 2_000_000),
    cache_write_1h=st.integers(0, 2_000_000),
    output=st.integers(0, 2_000_000),
)
all_models = sorted(row.model for row in PriceTable.default() if row.mode == "chat")


@given(usage_strategy, st.sampled_from(all_models), st.booleans())
def test_total_is_sum_of_parts(usage: Usage, model: str, batch: bool) -> None:
    breakdown = cost_of(usage, model, batch=batch)
    assert breakdown.total == sum(getattr(breakdown, name) for name in BUCKETS)
    assert all(getattr(breakdown, name) >= 0 for name in BUCKETS)
    counts = dict(cached_input_tokens=usage.cache_read, cache_write_5m_tokens=usage.cache_write_5m, cache_write_1h_tokens=usage.cache_write_1h)
    assert breakdown.total == calculate_cost(model, usage.uncached_input, usage.output, batch=batch, **counts)


# --- vectorised usage log ------------------------------------------------------------------


def synthetic_log(rows: int, seed: int = 7) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    models = np.array(["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5-20250929", "gemini-2.5-pro", "gpt-5"])
    return pd.DataFrame(
        {
            "model": models[generator.integers(0, len(models), rows)],
            "input_tokens": generator.integers(0, 300_000, rows),
            "output_tokens": generator.integers(0, 4_000, rows),
            "cached_input_tokens": generator.integers(0, 5_000, rows),
            "cache_write_5m_tokens": generator.integers(0, 2_000, rows),
            "cache_write_1h_tokens": generator.integers(0, 2_000, rows),
            "batch": generator.random(rows) < 0.3,
        }
    )


def row_by_row(frame: pd.DataFrame) -> list[Decimal]:
    return [
        calculate_cost(
            row.model,
            int(row.input_tokens),
            int(row.output_tokens),
            cached_input_tokens=int(row.cached_input_tokens),
            cache_write_5m_tokens=int(row.cache_write_5m_tokens),
            cache_write_1h_tokens=int(row.cache_write_1h_tokens),
            batch=bool(row.batch),
        )
        for row in frame.itertuples()
    ]


def test_usage_log_matches_row_by_row() -> None:
    frame = synthetic_log(2_000)
    expected = row_by_row(frame)
    costed = cost_usage_log(frame)
    exact = [D(int(value)).scaleb(-12) for value in costed["cost_picodollars"]]
    assert exact == expected
    assert costed["long_context"].any()
    assert usage_log_totals(frame)["cost_usd"].sum() == sum(expected)


def test_usage_log_totals_per_model() -> None:
    frame = synthetic_log(500)
    totals = usage_log_totals(frame)
    costs = row_by_row(frame)
    resolved = cost_usage_log(frame)["price_model"]
    for model in totals.index:
        assert totals.loc[model, "cost_usd"] == sum(cost for cost, name in zip(costs, resolved) if name == model)
        assert totals.loc[model, "output_tokens"] == frame.loc[resolved == model, "output_tokens"].sum()


def test_usage_log_minimal_columns() -> None:
    frame = pd.DataFrame({"model": ["gpt-4o", "gpt-4o-mini"], "input_tokens": [1_500, 1_500], "output_tokens": [300, 300]})
    costed = cost_usage_log(frame)
    assert costed["cost_usd"].tolist() == [0.00675, 0.000405]
    assert usage_log_totals(frame)["cost_usd"].sum() == D("0.007155")


def test_usage_log_rejects_negative_count() -> None:
    frame = pd.DataFrame({"model": ["gpt-4o"], "input_tokens": [-1], "output_tokens": [1]})
    with pytest.raises(InvalidTokenCountError, match="input_tokens"):
        cost_usage_log(frame)


def test_usage_log_rejects_float_counts() -> None:
    frame = pd.DataFrame({"model": ["gpt-4o"], "input_tokens": [1.5], "output_tokens": [1]})
    with pytest.raises(InvalidTokenCountError, match="input_tokens"):
        usage_log_totals(frame)


def test_usage_log_rejects_missing_column() -> None:
    with pytest.raises(InvalidUsageError, match="output_tokens"):
        cost_usage_log(pd.DataFrame({"model": ["gpt-4o"], "input_tokens": [1]}))


def test_usage_log_unknown_model() -> None:
    frame = pd.DataFrame({"model": ["gpt-4o", "not-a-model"], "input_tokens": [1, 1], "output_tokens": [1, 1]})
    with pytest.raises(UnknownModelError, match="not-a-model"):
        cost_usage_log(frame)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 60), st.integers(0, 2**16))
def test_usage_log_exact_for_random_logs(rows: int, seed: int) -> None:
    frame = synthetic_log(rows, seed)
    assert usage_log_totals(frame)["cost_usd"].sum() == sum(row_by_row(frame))


def test_embeddings_usage_priced_as_input_only() -> None:
    usage = {"prompt_tokens": 50_000, "total_tokens": 50_000}

    breakdown = cost_of(usage, "text-embedding-3-small")

    assert breakdown.usage.output == 0
    assert breakdown.total == Decimal("0.001")


def test_usage_without_output_still_rejected() -> None:
    with pytest.raises(InvalidUsageError, match="completion_tokens is missing"):
        normalize_usage({"prompt_tokens": 10}, "gpt-4o")
