"""Tests for the monthly-cost calculator: the pure table, the summary and the widget's live update."""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
import pytest

from costkit import estimate_monthly_cost
from costkit.clients import describe_mode
from costkit.errors import UnknownModelError
from costkit.plots import format_usd, plot_monthly_costs, round_money
from costkit.pricing import PriceTable
from costkit.widgets import (
    TABLE_COLUMNS,
    describe_setup,
    monthly_cost_calculator,
    monthly_cost_table,
    rounding_note,
    summarize_monthly_costs,
)

SCENARIO = dict(daily_users=1_000, messages_per_user=5, input_tokens=1_500, output_tokens=300)


def test_table_matches_published_scenario():
    table = monthly_cost_table(models=["gpt-4o", "gpt-4o-mini"], **SCENARIO)

    assert table.loc["gpt-4o", "monthly_cost_usd"] == Decimal("1012.65")
    assert table.loc["gpt-4o-mini", "monthly_cost_usd"] == Decimal("60.90")
    assert table.loc["gpt-4o", "embedding_cost_usd"] == Decimal("0.15")
    assert table.loc["gpt-4o", "requests_per_month"] == 150_000


def test_table_agrees_with_estimate():
    models = ["claude-haiku-4-5", "gpt-4.1-mini", "gemini-2.5-flash"]
    table = monthly_cost_table(200, 3, 2_000, 500, models, days=31)

    for model in models:
        expected = estimate_monthly_cost(200, 3, 2_000, 500, model, days=31)
        assert table.loc[model, "monthly_cost_usd"] == expected.total
        assert table.loc[model, "llm_cost_usd"] == expected.llm_cost
        assert table.loc[model, "cost_per_user_usd"] == expected.cost_per_user


def test_table_columns_and_order():
    table = monthly_cost_table(models=["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5"], **SCENARIO)

    assert list(table.columns) == list(TABLE_COLUMNS)
    assert list(table.index) == ["gpt-4o-mini", "gpt-4o", "claude-sonnet-4-5"]
    assert table.index.name == "model"


def test_table_money_is_exact_decimal():
    table = monthly_cost_table(models=["gpt-4o"], **SCENARIO)
    row = table.loc["gpt-4o"]

    assert isinstance(row["monthly_cost_usd"], Decimal)
    assert row["llm_cost_usd"] + row["embedding_cost_usd"] == row["monthly_cost_usd"]


def test_table_drops_repeated_models():
    table = monthly_cost_table(models=["gpt-4o", "gpt-4o"], **SCENARIO)

    assert list(table.index) == ["gpt-4o"]


def test_table_rejects_empty_models():
    with pytest.raises(ValueError, match="models is empty"):
        monthly_cost_table(models=[], **SCENARIO)


def test_table_rejects_unknown_model():
    with pytest.raises(UnknownModelError):
        monthly_cost_table(models=["gpt-4o", "no-such-model"], **SCENARIO)


def test_summary_names_cheapest_and_priciest():
    table = monthly_cost_table(models=["gpt-4o", "gpt-4o-mini"], **SCENARIO)

    assert summarize_monthly_costs(table) == (
        "Cheapest: gpt-4o-mini at $60.90 a month. Most expensive: gpt-4o at $1,012.65 a month."
    )


def test_summary_single_model():
    table = monthly_cost_table(models=["gpt-4o"], **SCENARIO)

    assert summarize_monthly_costs(table) == "gpt-4o: $1,012.65 a month"


def test_format_usd_rounds_half_up():
    assert format_usd(Decimal("113.625")) == "$113.63"
    assert format_usd(Decimal("1012.65")) == "$1,012.65"
    assert format_usd(0) == "$0.00"


def test_round_money_leaves_other_columns():
    table = monthly_cost_table(models=["gpt-4o-mini"], **SCENARIO)
    shown = round_money(table)

    assert str(shown.loc["gpt-4o-mini", "monthly_cost_usd"]) == "60.90"
    assert shown.loc["gpt-4o-mini", "requests_per_month"] == 150_000
    assert str(table.loc["gpt-4o-mini", "cost_per_user_usd"]) == "0.0609"


def test_round_money_column_places():
    per_query = pd.DataFrame(
        {"cost_per_query_usd": [Decimal("0.000405")], "per_1000_queries_usd": [Decimal("0.405000")]}
    )
    shown = round_money(per_query, column_places={"cost_per_query_usd": 6})

    assert str(shown.loc[0, "cost_per_query_usd"]) == "0.000405"
    assert str(shown.loc[0, "per_1000_queries_usd"]) == "0.41"
    assert str(per_query.loc[0, "per_1000_queries_usd"]) == "0.405000"


def test_round_money_rejects_unknown_column():
    table = monthly_cost_table(models=["gpt-4o-mini"], **SCENARIO)

    with pytest.raises(KeyError, match="cost_usd"):
        round_money(table, column_places={"cost_usd": 4})


def test_rounding_note_names_uneven_rows():
    # 1,500 users × 5 messages × 30 days: gpt-4o-mini costs $91.125 + $0.225 = $91.35 exactly,
    # which rounds to $91.13 + $0.23 beside a total of $91.35.
    table = monthly_cost_table(models=["gpt-4o-mini", "gpt-4o"], **{**SCENARIO, "daily_users": 1_500})
    note = rounding_note(table)

    assert table.loc["gpt-4o-mini", "monthly_cost_usd"] == Decimal("91.35")
    assert "so for gpt-4o-mini the LLM and embedding costs" in note
    assert note.endswith("add up to a cent more or less than the total.")


def test_rounding_note_empty_when_parts_add_up():
    table = monthly_cost_table(models=["gpt-4o-mini", "gpt-4o"], **SCENARIO)

    assert rounding_note(table) == ""


def test_describe_setup_prints_mode_and_date(monkeypatch):
    monkeypatch.setenv("COSTKIT_OFFLINE", "1")
    lines = describe_setup().splitlines()

    assert len(lines) == 2
    assert lines[0] == describe_mode()
    assert lines[0].startswith("Mode: sandbox (offline, $0)")
    assert re.search(r"prices as of \d{4}-\d{2}-\d{2}$", lines[0])
    assert lines[1].startswith("Price table: ")


def test_describe_setup_states_date_once(monkeypatch):
    monkeypatch.setenv("COSTKIT_OFFLINE", "1")
    text = describe_setup()
    as_of = PriceTable.default().as_of

    assert as_of
    assert text.count(as_of) == 1
    assert text.count("Mode: ") == 1


def test_describe_setup_names_key_not_value(monkeypatch):
    secret = "sk-proj-notarealkey0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("COSTKIT_OFFLINE", "0")
    text = describe_setup()

    assert text.startswith("Mode: live OpenAI, sandbox Anthropic")
    assert "OPENAI_API_KEY present" in text
    assert "ANTHROPIC_API_KEY not set" in text
    assert secret not in text
    assert "notarealkey" not in text


def test_describe_setup_offline_overrides_keys(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-notarealkey0123456789abcdef")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-notarealkey0123456789abcdef")
    monkeypatch.setenv("COSTKIT_OFFLINE", "true")

    assert describe_setup().startswith("Mode: sandbox (offline, $0) — COSTKIT_OFFLINE is set")


def test_plot_labels_axes_in_usd():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = monthly_cost_table(models=["gpt-4o", "gpt-4o-mini"], **SCENARIO)
    ax = plot_monthly_costs(table)

    assert ax.get_xlabel() == "Cost per month (USD)"
    assert "17×" in ax.get_title()
    assert [label.get_text() for label in ax.get_yticklabels()] == ["gpt-4o-mini", "gpt-4o"]
    plt.close(ax.figure)


def test_calculator_updates_on_slider_change():
    calculator = monthly_cost_calculator(["gpt-4o", "gpt-4o-mini"])
    before = calculator.summary.value

    assert "$60.90" in before
    calculator.controls["daily_users"].value = 2_000

    assert calculator.summary.value != before
    assert "$121.80" in calculator.summary.value
    assert calculator.table.loc["gpt-4o", "monthly_cost_usd"] == Decimal("2025.30")


def test_calculator_model_picker():
    calculator = monthly_cost_calculator(["gpt-4o", "gpt-4o-mini"])

    calculator.controls["models"].value = ("gpt-4o",)
    assert list(calculator.table.index) == ["gpt-4o"]

    calculator.controls["models"].value = ()
    assert calculator.table is None
    assert "Select at least one model" in calculator.summary.value


def test_calculator_rejects_empty_models():
    with pytest.raises(ValueError, match="models is empty"):
        monthly_cost_calculator([])
