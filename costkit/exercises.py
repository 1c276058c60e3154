"""Self-checks and hints for the workbook's practice exercises.

Each ``check_…`` function calls the learner's function on a few scenarios, compares the results with
costkit's own figures and prints one line per check::

    ✓ scenario 1, gpt-4o: expected $1,089.54, got $1,089.54
    ✗ scenario 1, gpt-4o-mini: expected $65.37, got $63.12 (off by $2.25 or 3.44%, more than the 0.1% tolerance)

A check never raises because of the learner's code: an exception, a ``None`` or a value of the wrong
shape becomes a failed check with the reason, so a notebook still runs top to bottom. The returned
:class:`ExerciseResult` has ``passed`` for scripts and tests.

Exercises:

- ``"truncate"`` (notebook 01): ``truncate_to_tokens(text, max_tokens, model)`` returns the longest
  prefix of ``text`` that fits in ``max_tokens`` tokens.
- ``1`` (notebook 02): ``monthly_cost_by_model(system_prompt, user_messages, daily_users, models)``
  returns the monthly cost of a chatbot, one row per model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

#: How far a learner's monthly cost may be from costkit's figure and still pass, as a share of the
#: expected cost. Dropping the chat framing tokens (counting with ``count_tokens`` instead of
#: ``count_message_tokens``) moves every exercise-1 cost by 0.3% or more, so that mistake fails.
COST_TOLERANCE_RELATIVE = Decimal("0.001")

#: The smallest tolerance in USD, so that float arithmetic on a tiny expected cost still passes.
COST_TOLERANCE_MIN_USD = Decimal("0.000001")


@dataclass(frozen=True)
class Check:
    """One comparison between the learner's result and the expected one."""

    name: str
    passed: bool
    detail: str

    def __str__(self) -> str:
        mark = "✓" if self.passed else "✗"
        return f"{mark} {self.name}: {self.detail}"


@dataclass
class ExerciseResult:
    """All checks of one exercise run. ``passed`` is true only if there was at least one check and all passed."""

    exercise: str
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def summary(self) -> str:
        passed = len(self.checks) - len(self.failed)
        verdict = "all checks passed" if self.passed else f"{passed} of {len(self.checks)} checks passed"
        return f"Exercise {self.exercise}: {verdict}."

    def __repr__(self) -> str:
        return f"ExerciseResult(exercise={self.exercise!r}, passed={self.passed}, checks={len(self.checks)})"


HINTS: dict[str, str] = {
    "1": (
        "Hint for exercise 1:\n"
        "1. For one model, build the request a user message produces:\n"
        "   [{'role': 'system', 'content': system_prompt}, {'role': 'user', 'content': message}].\n"
        "2. Count its input tokens with costkit.count_message_tokens(messages, model): it adds the\n"
        "   per-message overhead and the reply priming that count_tokens leaves out.\n"
        "3. Price one request with costkit.calculate_cost(model, input_tokens, output_tokens).\n"
        "4. Add the requests of one user's day, then multiply by daily_users and days.\n"
        "5. Return pandas.DataFrame({'monthly_cost_usd': costs}, index=pandas.Index(models, name='model'))."
    ),
    "truncate": (
        "Hint for the truncation exercise:\n"
        "1. Get the tokenizer: costkit.encodings.encoding_for_model(model) returns a tiktoken Encoding.\n"
        "2. Encode the text and keep the first max_tokens token ids; decode them back to a string.\n"
        "3. A token can end in the middle of a multi-byte character (common in Japanese), and the\n"
        "   decoded string then ends in '\\ufffd' and is no longer a prefix of the text. Drop one more\n"
        "   token until text.startswith(candidate) and count_tokens(candidate, model) <= max_tokens."
    ),
}


def hint(exercise: int | str) -> None:
    """Print the hint for an exercise: ``hint(1)`` or ``hint("truncate")``."""
    key = str(exercise)
    if key not in HINTS:
        known = ", ".join(repr(name) for name in HINTS)
        raise KeyError(f"No hint for exercise {exercise!r}; hints exist for {known}.")
    print(HINTS[key])


# --- exercise 1: monthly cost of a chatbot, one row per model --------------------------------------

_SUPPORT_PROMPT = (
    "You are the help desk of a repair café. Answer in at most three sentences, in the visitor's "
    "language, and say so when a question needs a volunteer to look at the item."
)

#: Scenarios the check runs: system prompt, expected user messages, daily users, models.
EXERCISE_1_SCENARIOS: tuple[tuple[str, tuple[str, ...], int, tuple[str, ...]], ...] = (
    (
        _SUPPORT_PROMPT,
        (
            "Do I need to book a slot to get my kettle fixed?",
            "My cordless drill battery does not charge any more. Can you help?",
            "What does a replacement fuse cost?",
        ),
        1_000,
        ("gpt-4o", "gpt-4o-mini", "claude-haiku-4-5"),
    ),
    (
        _SUPPORT_PROMPT * 20,
        ("Hello!",),
        250,
        ("gpt-4.1-nano", "gpt-5-mini"),
    ),
    (
        _SUPPORT_PROMPT,
        ("Are you open on Saturday?", "Danke! Und am Sonntag?"),
        1,
        ("gpt-4o", "claude-sonnet-4-5"),
    ),
)

#: Output tokens per reply and days per month that exercise 1 assumes.
EXERCISE_1_OUTPUT_TOKENS = 300
EXERCISE_1_DAYS = 30


def expected_monthly_cost_by_model(
    system_prompt: str,
    user_messages: Sequence[str],
    daily_users: int,
    models: Sequence[str],
    *,
    output_tokens: int = EXERCISE_1_OUTPUT_TOKENS,
    days: int = EXERCISE_1_DAYS,
) -> dict[str, Decimal]:
    """Return costkit's monthly cost per model for exercise 1, exact in ``Decimal``.

    Every daily user sends each message in ``user_messages`` once a day. Each message is its own
    request with the system prompt in front, and every reply has ``output_tokens`` tokens.
    """
    from costkit.pricing import calculate_cost
    from costkit.tokens import count_message_tokens

    costs = {}
    for model in models:
        one_user_day = Decimal(0)
        for message in user_messages:
            request = [
                {"role": "system", "content": system_prompt},
                {"role": "user", "content": message},
            ]
            input_tokens = count_message_tokens(request, model)
            one_user_day += calculate_cost(model, input_tokens, output_tokens)
        costs[model] = one_user_day * daily_users * days
    return costs


def check_exercise_1(fn: Callable[..., Any], *, verbose: bool = True) -> ExerciseResult:
    """Check a learner's ``monthly_cost_by_model(system_prompt, user_messages, daily_users, models)``.

    The function must return a pandas DataFrame indexed by model with a ``monthly_cost_usd`` column
    (a mapping of model to cost is accepted too). Each model's cost must be within
    :data:`COST_TOLERANCE_RELATIVE` (0.1%) of :func:`expected_monthly_cost_by_model`, and never
    needs to be closer than :data:`COST_TOLERANCE_MIN_USD`.
    """
    result = ExerciseResult("1")
    for number, (system_prompt, messages, daily_users, models) in enumerate(EXERCISE_1_SCENARIOS, start=1):
        label = f"scenario {number} ({_plural(daily_users, 'user')}, {_plural(len(messages), 'message')} a day)"
        expected = expected_monthly_cost_by_model(system_prompt, messages, daily_users, models)
        try:
            returned = fn(system_prompt, list(messages), daily_users, list(models))
        except Exception as error:  # the learner's code may raise anything; report it instead
            result.checks.append(Check(label, False, f"your function raised {type(error).__name__}: {error}"))
            continue

        costs, problem = _costs_by_model(returned)
        if problem:
            result.checks.append(Check(label, False, problem))
            continue
        if sorted(costs) != sorted(models):
            result.checks.append(
                Check(label, False, f"expected one row per model {list(models)}, got rows {list(costs)}")
            )
            continue
        for model in models:
            result.checks.append(_compare_cost(f"{label}, {model}", expected[model], costs[model]))

    _report(result, verbose)
    return result


def _costs_by_model(returned: Any) -> tuple[dict[str, Decimal], str | None]:
    """Read a DataFrame or mapping of model -> cost; return the costs or a message saying what is wrong."""
    if returned is None:
        return {}, "your function returned None; return a DataFrame with one row per model"
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency of costkit
        pd = None

    if pd is not None and isinstance(returned, pd.DataFrame):
        frame = returned
        if "model" in frame.columns:
            frame = frame.set_index("model")
        if "monthly_cost_usd" not in frame.columns:
            return {}, f"expected a 'monthly_cost_usd' column, got columns {list(frame.columns)}"
        series = frame["monthly_cost_usd"]
    elif pd is not None and isinstance(returned, pd.Series):
        series = returned
    elif isinstance(returned, Mapping):
        series = returned
    else:
        return {}, f"expected a DataFrame indexed by model, got {type(returned).__name__}"

    costs = {}
    for model, value in series.items():
        try:
            costs[str(model)] = Decimal(str(value))
        except ArithmeticError:
            return {}, f"the cost for {model!r} is not a number: {value!r}"
    return costs, None


def _compare_cost(name: str, expected: Decimal, actual: Decimal) -> Check:
    from costkit.plots import format_usd

    if not actual.is_finite():
        return Check(name, False, f"expected {format_usd(expected)}, got {actual}")
    difference = abs(actual - expected)
    tolerance = max(abs(expected) * COST_TOLERANCE_RELATIVE, COST_TOLERANCE_MIN_USD)
    if difference <= tolerance:
        return Check(name, True, f"expected {format_usd(expected)}, got {format_usd(actual)}")

    # Cents can hide a failing difference (expected $0.19, got $0.19), so show as many decimals as give
    # the difference two significant digits.
    places = min(max(2, 1 - difference.adjusted()), 8)
    detail = f"expected {_format_usd_places(expected, places)}, got {_format_usd_places(actual, places)}"
    off_by = f"off by {_format_usd_places(difference, places)}"
    if expected:
        off_by += f" or {float(difference / abs(expected)):.2%}"
    return Check(name, False, f"{detail} ({off_by}, more than the {float(COST_TOLERANCE_RELATIVE):.1%} tolerance)")


def _format_usd_places(amount: Decimal, places: int) -> str:
    # Half a unit rounds up, as in format_usd. The precision grows with the amount, because quantize()
    # raises InvalidOperation when the result has more digits than the context allows.
    context = Context(prec=max(28, amount.adjusted() + places + 2))
    value = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=context)
    return f"${value:,.{places}f}"


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def _report(result: ExerciseResult, verbose: bool) -> None:
    if verbose:
        for check in result.checks:
            print(check)
    print(result.summary())


# --- truncation exercise (notebook 01) ------------------------------------------------------------

#: Scenarios for the truncation exercise: sample name, max_tokens, model.
TRUNCATE_SCENARIOS: tuple[tuple[str, int, str], ...] = (
    ("english", 40, "gpt-4o"),
    ("english", 40, "gpt-4"),
    ("japanese", 35, "gpt-4o"),  # both budgets end inside a character's bytes
    ("japanese", 40, "gpt-4"),
    ("english", 100_000, "gpt-4o"),
    ("english", 0, "gpt-4o"),
)

#: A kept prefix must use at least this share of the token budget (a token may need to be dropped
#: where it splits a character, so the longest valid prefix can be a few tokens short).
TRUNCATE_MIN_BUDGET_SHARE = 0.9

_TRUNCATE_SAMPLES = {
    "english": (
        "Most of the cost of a chat request is in the text you send: the system prompt, the retrieved "
        "context and the conversation so far. Trimming a document to a token budget before it is sent "
        "is the cheapest optimisation there is, because it needs no second model and no cache."
    ),
    "japanese": (
        "チャットのリクエストの費用の大半は、送信するテキストにあります。システムプロンプト、検索した文脈、"
        "そしてそれまでの会話です。送信する前に文書をトークンの予算に収まるように切り詰めることは、"
        "二つ目のモデルもキャッシュも要らない、最も安い最適化です。"
    ),
}


def check_truncation(fn: Callable[[str, int, str], Any], *, verbose: bool = True) -> ExerciseResult:
    """Check a learner's ``truncate_to_tokens(text, max_tokens, model)``.

    For each scenario the result must be a string, a prefix of the text, at most ``max_tokens``
    tokens long, and either the whole text or at least :data:`TRUNCATE_MIN_BUDGET_SHARE` of the budget.
    """
    from costkit.tokens import count_tokens

    result = ExerciseResult("truncate")
    for sample, max_tokens, model in TRUNCATE_SCENARIOS:
        text = _TRUNCATE_SAMPLES[sample]
        label = f"{sample} text, {max_tokens:,} tokens, {model}"
        try:
            returned = fn(text, max_tokens, model)
        except Exception as error:  # the learner's code may raise anything; report it instead
            result.checks.append(Check(label, False, f"your function raised {type(error).__name__}: {error}"))
            continue

        if not isinstance(returned, str):
            result.checks.append(Check(label, False, f"expected a str, got {type(returned).__name__}"))
            continue
        if not text.startswith(returned):
            result.checks.append(
                Check(label, False, f"the result is not a prefix of the text; it ends in {returned[-12:]!r}")
            )
            continue

        tokens = count_tokens(returned, model)
        if tokens > max_tokens:
            result.checks.append(Check(label, False, f"expected at most {max_tokens} tokens, got {tokens}"))
            continue
        total = count_tokens(text, model)
        minimum = min(total, int(max_tokens * TRUNCATE_MIN_BUDGET_SHARE))
        if returned != text and tokens < minimum:
            result.checks.append(
                Check(label, False, f"kept only {tokens} tokens; expected at least {minimum} of the {max_tokens}")
            )
            continue
        result.checks.append(Check(label, True, f"{tokens} tokens, {len(returned)} characters kept"))

    _report(result, verbose)
    return result
