"""Tests for the exercise self-checks: a correct solution passes, wrong ones fail with a reason."""

from __future__ import annotations

import pandas as pd
import pytest

from costkit import calculate_cost, count_message_tokens, count_tokens
from costkit.encodings import encoding_for_model
from costkit.exercises import (
    EXERCISE_1_SCENARIOS,
    check_exercise_1,
    check_truncation,
    expected_monthly_cost_by_model,
    hint,
)
from costkit.pricing import get_price


def correct_calculator(system_prompt, user_messages, daily_users, models):
    costs = []
    for model in models:
        day = 0
        for message in user_messages:
            request = [{"role": "system", "content": system_prompt}, {"role": "user", "content": message}]
            day += calculate_cost(model, count_message_tokens(request, model), 300)
        costs.append(day * daily_users * 30)
    return pd.DataFrame({"monthly_cost_usd": costs}, index=pd.Index(models, name="model"))


def test_exercise_1_passes_correct_solution(capsys):
    result = check_exercise_1(correct_calculator)
    printed = capsys.readouterr().out

    assert result.passed
    assert len(result.checks) == sum(len(models) for *_, models in EXERCISE_1_SCENARIOS)
    assert "✗" not in printed
    assert "Exercise 1: all checks passed." in printed


def test_exercise_1_accepts_floats_and_model_column():
    def float_calculator(*args):
        frame = correct_calculator(*args).reset_index()
        frame["monthly_cost_usd"] = frame["monthly_cost_usd"].astype(float)
        return frame

    assert check_exercise_1(float_calculator, verbose=False).passed


def test_exercise_1_stub_fails_without_raising(capsys):
    result = check_exercise_1(lambda *args: None)
    printed = capsys.readouterr().out

    assert not result.passed
    assert "returned None" in printed
    assert printed.count("✗") == len(EXERCISE_1_SCENARIOS)


def test_exercise_1_reports_exception():
    def broken(*args):
        raise ZeroDivisionError("division by zero")

    result = check_exercise_1(broken, verbose=False)

    assert not result.passed
    assert "ZeroDivisionError" in result.checks[0].detail


def test_exercise_1_passes_float_arithmetic():
    def float_prices(system_prompt, user_messages, daily_users, models):
        costs = {}
        for model in models:
            price = get_price(model)
            day = 0.0
            for message in user_messages:
                request = [{"role": "system", "content": system_prompt}, {"role": "user", "content": message}]
                input_tokens = count_message_tokens(request, model)
                day += input_tokens * float(price.input) / 1e6 + 300 * float(price.output) / 1e6
            costs[model] = day * daily_users * 30
        return costs

    result = check_exercise_1(float_prices, verbose=False)

    assert result.passed, result.failed


def text_only_joined(system_prompt, user_messages, daily_users, models):
    costs = {}
    for model in models:
        tokens = [count_tokens(system_prompt + message, model) for message in user_messages]
        costs[model] = sum(calculate_cost(model, count, 300) for count in tokens) * daily_users * 30
    return costs


def text_only_separate(system_prompt, user_messages, daily_users, models):
    costs = {}
    for model in models:
        tokens = [count_tokens(system_prompt, model) + count_tokens(message, model) for message in user_messages]
        costs[model] = sum(calculate_cost(model, count, 300) for count in tokens) * daily_users * 30
    return costs


@pytest.mark.parametrize("calculator", [text_only_joined, text_only_separate])
def test_exercise_1_framing_mistake_fails_everywhere(calculator):
    result = check_exercise_1(calculator, verbose=False)

    assert len(result.checks) == sum(len(models) for *_, models in EXERCISE_1_SCENARIOS)
    assert result.failed == result.checks
    for check in result.failed:
        assert "off by $" in check.detail
        assert "more than the 0.1% tolerance" in check.detail


def test_exercise_1_failure_shows_differing_amounts():
    result = check_exercise_1(text_only_joined, verbose=False)
    tiny = next(check for check in result.failed if check.name.startswith("scenario 3") and "gpt-4o" in check.name)

    # $0.18825 expected against $0.186525: cents alone would print "$0.19, got $0.19".
    assert "expected $0.1883, got $0.1865" in tiny.detail
    assert "off by $0.0017 or 0.92%" in tiny.detail


def test_exercise_1_catches_missing_rows():
    def first_model_only(system_prompt, user_messages, daily_users, models):
        return correct_calculator(system_prompt, user_messages, daily_users, models[:1])

    result = check_exercise_1(first_model_only, verbose=False)

    assert not result.passed
    assert "one row per model" in result.failed[0].detail


def test_exercise_1_rejects_missing_column():
    result = check_exercise_1(lambda *args: pd.DataFrame({"cost": [1.0]}), verbose=False)

    assert not result.passed
    assert "'monthly_cost_usd' column" in result.checks[0].detail


def test_expected_cost_scales_with_users():
    prompt, messages, _, models = EXERCISE_1_SCENARIOS[0]
    one = expected_monthly_cost_by_model(prompt, messages, 1, models)
    many = expected_monthly_cost_by_model(prompt, messages, 1_000, models)

    for model in models:
        assert many[model] == one[model] * 1_000


def correct_truncation(text, max_tokens, model):
    encoding = encoding_for_model(model)
    tokens = encoding.encode_ordinary(text)
    keep = min(max_tokens, len(tokens))
    while keep > 0:
        candidate = encoding.decode(tokens[:keep])
        if text.startswith(candidate) and count_tokens(candidate, model) <= max_tokens:
            return candidate
        keep -= 1
    return ""


def test_truncation_passes_correct_solution():
    assert check_truncation(correct_truncation, verbose=False).passed


def test_truncation_catches_split_character():
    def naive(text, max_tokens, model):
        encoding = encoding_for_model(model)
        return encoding.decode(encoding.encode_ordinary(text)[:max_tokens])

    result = check_truncation(naive, verbose=False)

    assert not result.passed
    assert any("not a prefix" in check.detail for check in result.failed)


def test_truncation_catches_character_budget():
    result = check_truncation(lambda text, max_tokens, model: text[:max_tokens], verbose=False)

    assert not result.passed
    assert any("kept only" in check.detail for check in result.failed)


def test_truncation_catches_overlong_result():
    result = check_truncation(lambda text, max_tokens, model: text, verbose=False)

    assert not result.passed
    assert any("at most" in check.detail for check in result.failed)


def test_hint_prints_text(capsys):
    hint(1)
    assert "count_message_tokens" in capsys.readouterr().out

    hint("truncate")
    assert "\\ufffd" in capsys.readouterr().out


def test_hint_unknown_exercise():
    with pytest.raises(KeyError, match="No hint for exercise 99"):
        hint(99)


def test_result_repr_and_summary():
    result = check_exercise_1(lambda *args: None, verbose=False)

    assert "passed=False" in repr(result)
    assert result.summary() == f"Exercise 1: 0 of {len(EXERCISE_1_SCENARIOS)} checks passed."
