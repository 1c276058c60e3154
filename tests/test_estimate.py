"""Tests for monthly projections, model comparison and context selection."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costkit.errors import InvalidScenarioError, InvalidTokenCountError, UnknownModelError
from costkit.estimate import ContextSelection, MonthlyEstimate, compare_models, estimate_monthly_cost, optimize_context
from costkit.pricing import PriceTable, calculate_cost

D = Decimal
CHATBOT = {"daily_users": 1_000, "messages_per_user": 5, "input_tokens": 1_500, "output_tokens": 300}


def word_count(text: str) -> int:
    return len(text.split())


def test_gpt4o_chatbot_includes_embeddings() -> None:
    estimate = estimate_monthly_cost(model="gpt-4o", **CHATBOT)
    assert estimate.total == D("1012.65")
    assert estimate.llm_cost == D("1012.50")
    assert estimate.embedding_cost == D("0.15")
    assert estimate.queries == 150_000


def test_gpt4o_mini_chatbot() -> None:
    estimate = estimate_monthly_cost(model="gpt-4o-mini", **CHATBOT)
    assert estimate.total == D("60.90")
    assert estimate.cost_per_user == D("0.0609")


def test_without_embeddings() -> None:
    estimate = estimate_monthly_cost(model="gpt-4o", embedding_model=None, **CHATBOT)
    assert estimate.total == D("1012.50")
    assert estimate.embedding_cost == 0


def test_large_embedding_model() -> None:
    estimate = estimate_monthly_cost(model="gpt-4o", embedding_model="text-embedding-3-large", **CHATBOT)
    assert estimate.embedding_cost == D(150_000 * 50) * D("0.13") / 10**6


def test_total_is_sum_of_parts() -> None:
    estimate = estimate_monthly_cost(model="claude-haiku-4-5", days=31, **CHATBOT)
    assert estimate.total == estimate.llm_cost + estimate.embedding_cost
    assert estimate.llm_cost == calculate_cost("claude-haiku-4-5", 1_500, 300) * 1_000 * 5 * 31


def test_fractional_messages_per_user() -> None:
    estimate = estimate_monthly_cost(1_000, 2.5, 1_500, 300, "gpt-4o-mini")
    assert estimate.queries == 75_000
    assert estimate.total == D("60.90") / 2


def test_as_dict_and_repr() -> None:
    estimate = estimate_monthly_cost(model="gpt-4o", **CHATBOT)
    fields = estimate.as_dict()
    assert fields["total"] == D("1012.65")
    assert set(fields) >= {"queries", "llm_cost", "embedding_cost", "total", "cost_per_user"}
    assert "$1,012.65" in repr(estimate)
    assert isinstance(estimate, MonthlyEstimate)


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"daily_users": -1}, "daily_users"),
        ({"daily_users": 0}, "daily_users"),
        ({"daily_users": 10.5}, "daily_users"),
        ({"messages_per_user": -2}, "messages_per_user"),
        ({"messages_per_user": "5"}, "messages_per_user"),
        ({"days": 0}, "days"),
        ({"days": -30}, "days"),
    ],
)
def test_bad_scenario_rejected(changes: dict[str, object], name: str) -> None:
    with pytest.raises(InvalidScenarioError, match=name) as caught:
        estimate_monthly_cost(model="gpt-4o", **{**CHATBOT, **changes})  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("changes", [{"input_tokens": -1}, {"output_tokens": 1.5}, {"embedding_tokens_per_query": -50}])
def test_bad_token_counts_rejected(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidTokenCountError, match=next(iter(changes))):
        estimate_monthly_cost(model="gpt-4o", **{**CHATBOT, **changes})  # type: ignore[arg-type]


def test_unknown_model_rejected() -> None:
    with pytest.raises(UnknownModelError):
        estimate_monthly_cost(model="gpt-4-omni", **CHATBOT)


def test_custom_table() -> None:
    table = PriceTable.default().with_price("house-model", input="1", output="1")
    estimate = estimate_monthly_cost(model="house-model", embedding_model=None, table=table, **CHATBOT)
    assert estimate.total == D(150_000 * 1_800) / 10**6


def test_compare_models_one_row_each() -> None:
    frame = compare_models(["gpt-4o", "gpt-4o-mini", "claude-haiku-4-5"], **CHATBOT)
    assert list(frame.index) == ["gpt-4o", "gpt-4o-mini", "claude-haiku-4-5"]
    assert frame.loc["gpt-4o", "total"] == D("1012.65")
    assert frame.loc["gpt-4o-mini", "total"] == D("60.90")


def test_compare_models_rejects_string() -> None:
    with pytest.raises(TypeError, match="list"):
        compare_models("gpt-4o", **CHATBOT)


@given(st.integers(1, 100_000), st.integers(0, 50), st.integers(0, 20_000), st.integers(0, 4_000), st.integers(1, 31))
def test_estimate_scales_with_queries(users: int, messages: int, input_tokens: int, output_tokens: int, days: int) -> None:
    estimate = estimate_monthly_cost(users, messages, input_tokens, output_tokens, "gpt-5-mini", days=days)
    queries = users * messages * days
    assert estimate.queries == queries
    assert estimate.llm_cost == calculate_cost("gpt-5-mini", input_tokens, output_tokens) * queries
    assert estimate.total == estimate.llm_cost + estimate.embedding_cost
    assert estimate.total >= 0


# --- context selection ---------------------------------------------------------------------


def test_context_skips_oversize_chunk_and_keeps_filling() -> None:
    chunks = ["one two three", "x " * 50, "four five", "six"]
    selection = optimize_context(chunks, max_tokens=6, token_counter=word_count)
    assert selection.selected == ["one two three", "four five", "six"]
    assert selection.selected_indices == [0, 2, 3]
    assert selection.skipped_indices == [1]
    assert selection.tokens_used == 6
    assert selection.tokens_total == 56
    assert selection.tokens_saved == 50


def test_context_cost_saved_at_input_price() -> None:
    selection = optimize_context(["a " * 1_000, "b " * 500], max_tokens=600, model="gpt-4o", token_counter=word_count)
    assert selection.tokens_saved == 1_000
    assert selection.cost_saved == calculate_cost("gpt-4o", 1_000, 0)
    assert isinstance(selection, ContextSelection)


def test_context_everything_fits() -> None:
    selection = optimize_context(["a", "b c"], max_tokens=800, token_counter=word_count)
    assert selection.selected == ["a", "b c"]
    assert selection.tokens_saved == 0
    assert selection.cost_saved == 0


def test_context_zero_budget() -> None:
    selection = optimize_context(["a", "b"], max_tokens=0, token_counter=word_count)
    assert selection.selected == []
    assert selection.skipped_indices == [0, 1]


def test_context_rejects_bad_input() -> None:
    with pytest.raises(InvalidTokenCountError, match="max_tokens"):
        optimize_context(["a"], max_tokens=-1, token_counter=word_count)
    with pytest.raises(TypeError, match="chunks\\[1\\]"):
        optimize_context(["a", None], token_counter=word_count)  # type: ignore[list-item]
    with pytest.raises(TypeError, match="list"):
        optimize_context("a single string", token_counter=word_count)


@given(st.lists(st.integers(0, 400), max_size=30), st.integers(0, 1_500))
def test_context_fits_budget_and_keeps_order(sizes: list[int], budget: int) -> None:
    chunks = ["w " * size for size in sizes]
    selection = optimize_context(chunks, max_tokens=budget, token_counter=word_count)
    assert selection.tokens_used <= budget
    assert selection.selected_indices == sorted(selection.selected_indices)
    assert sorted(selection.selected_indices + selection.skipped_indices) == list(range(len(chunks)))
    assert selection.tokens_used + selection.tokens_saved == sum(sizes)
    # Every skipped chunk was too big for the budget left when it was reached.
    used = 0
    for index, size in enumerate(sizes):
        if index in selection.selected_indices:
            used += size
        else:
            assert used + size > budget


def test_context_counts_with_tokenizer() -> None:
    tokens = pytest.importorskip("costkit.tokens")
    chunks = ["The cat sat on the mat.", "Prices change, so record the date you checked them."]
    selection = optimize_context(chunks, max_tokens=1_000, model="gpt-4o")
    assert selection.tokens_used == sum(tokens.count_tokens(chunk, model="gpt-4o") for chunk in chunks)
