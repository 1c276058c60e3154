"""Monthly cost projections for a chatbot, and context selection under a token budget.

A RAG query is billed twice: once to embed the question and once for the answer. The
projection counts both, which is why 1,000 users x 5 messages x 30 days at 1,500 input and
300 output tokens on gpt-4o cost $1,012.65 a month, not the $1,012.50 of the LLM calls alone:

>>> from costkit.estimate import estimate_monthly_cost
>>> estimate_monthly_cost(1_000, 5, 1_500, 300, "gpt-4o").total
Decimal('1012.65')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from numbers import Integral, Real
from typing import Any

from costkit.errors import InvalidScenarioError
from costkit.pricing import PriceTable, calculate_cost, check_token_count, get_price, tidy_usd, token_cost

__all__ = ["ContextSelection", "MonthlyEstimate", "compare_models", "estimate_monthly_cost", "optimize_context"]


@dataclass(frozen=True)
class MonthlyEstimate:
    """A monthly projection in exact USD. ``total`` is ``llm_cost + embedding_cost``.

    ``cost_per_user`` is ``total / daily_users``, rounded to 28 significant digits where the
    division does not end.
    """

    model: str
    embedding_model: str | None
    daily_users: int
    days: int
    queries: Decimal
    llm_cost: Decimal
    embedding_cost: Decimal
    total: Decimal
    cost_per_user: Decimal

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict, money as ``Decimal``."""
        return {
            "model": self.model,
            "embedding_model": self.embedding_model,
            "daily_users": self.daily_users,
            "days": self.days,
            "queries": self.queries,
            "llm_cost": self.llm_cost,
            "embedding_cost": self.embedding_cost,
            "total": self.total,
            "cost_per_user": self.cost_per_user,
        }

    def __repr__(self) -> str:
        embedding = f" + {self.embedding_model} ${self.embedding_cost:,.2f}" if self.embedding_model else ""
        return (
            f"<MonthlyEstimate {self.model}: {self.queries:,} queries in {self.days} days, "
            f"LLM ${self.llm_cost:,.2f}{embedding} = ${self.total:,.2f} (${self.cost_per_user:,.4f} per user)>"
        )


@dataclass(frozen=True)
class ContextSelection:
    """The chunks chosen by ``optimize_context`` and what leaving the others out saves."""

    selected: list[str]
    selected_indices: list[int]
    skipped_indices: list[int]
    tokens_used: int
    tokens_total: int
    tokens_saved: int
    cost_saved: Decimal
    model: str


def estimate_monthly_cost(
    daily_users: int,
    messages_per_user: int | float | Decimal,
    input_tokens: int,
    output_tokens: int,
    model: str,
    *,
    embedding_model: str | None = "text-embedding-3-small",
    embedding_tokens_per_query: int = 50,
    days: int = 30,
    table: PriceTable | None = None,
) -> MonthlyEstimate:
    """Project the monthly cost of a RAG chatbot: LLM calls plus query embeddings.

    ``queries = daily_users x messages_per_user x days``. Each query costs one LLM call with
    ``input_tokens`` (uncached) and ``output_tokens``, plus ``embedding_tokens_per_query`` tokens
    on ``embedding_model``. Pass ``embedding_model=None`` to leave embeddings out.

    Money is exact ``Decimal``. A float ``messages_per_user`` is read in its shortest decimal
    form, so ``2.5`` is exact but ``1/3`` becomes 0.3333333333333333; pass
    ``Decimal(1) / 3`` or whole message counts where exactness matters.

    Raises ``InvalidScenarioError`` (a ``ValueError``) for a negative user or message count or
    ``days`` below 1, and ``InvalidTokenCountError`` for bad token counts.

    >>> estimate_monthly_cost(1_000, 5, 1_500, 300, "gpt-4o-mini").total
    Decimal('60.9')
    """
    if isinstance(daily_users, bool) or not isinstance(daily_users, Integral) or daily_users < 1:
        raise InvalidScenarioError(f"daily_users must be a whole number of at least 1, got {daily_users!r}.")
    if isinstance(days, bool) or not isinstance(days, Integral) or days < 1:
        raise InvalidScenarioError(f"days must be a whole number of at least 1, got {days!r}. A month is usually 30.")
    messages = _to_decimal(messages_per_user, "messages_per_user")
    check_token_count("input_tokens", input_tokens)
    check_token_count("output_tokens", output_tokens)
    check_token_count("embedding_tokens_per_query", embedding_tokens_per_query)

    queries = tidy_usd(int(daily_users) * messages * int(days))
    per_query = calculate_cost(model, input_tokens, output_tokens, table=table)
    llm_cost = tidy_usd(queries * per_query)

    embedding_cost = Decimal(0)
    if embedding_model is not None:
        embedding_rate = get_price(embedding_model, table=table).input
        embedding_cost = tidy_usd(token_cost(embedding_tokens_per_query, embedding_rate) * queries)

    total = tidy_usd(llm_cost + embedding_cost)
    return MonthlyEstimate(
        model=model,
        embedding_model=embedding_model,
        daily_users=int(daily_users),
        days=int(days),
        queries=queries,
        llm_cost=llm_cost,
        embedding_cost=embedding_cost,
        total=total,
        cost_per_user=tidy_usd(total / int(daily_users)),
    )


def compare_models(models: Sequence[str], **scenario: Any) -> Any:
    """Return one row per model for the same scenario, as a pandas DataFrame indexed by model.

    ``scenario`` takes the arguments of ``estimate_monthly_cost`` other than ``model``. Money
    columns hold exact ``Decimal`` values, so call ``.astype(float)`` before plotting.

    >>> compare_models(["gpt-4o", "gpt-4o-mini"], daily_users=1_000, messages_per_user=5,
    ...                input_tokens=1_500, output_tokens=300)["total"].tolist()
    [Decimal('1012.65'), Decimal('60.9')]
    """
    import pandas as pd

    if isinstance(models, str):
        raise TypeError(f"models must be a list of model ids, got the string {models!r}. Wrap it in a list.")
    if "model" in scenario:
        raise TypeError("compare_models() takes the models as its first argument, not as model=.")
    rows = [estimate_monthly_cost(model=model, **scenario).as_dict() for model in models]
    return pd.DataFrame(rows).set_index("model")


def optimize_context(
    chunks: Sequence[str],
    max_tokens: int = 800,
    *,
    model: str = "gpt-4o",
    token_counter: Callable[[str], int] | None = None,
    table: PriceTable | None = None,
) -> ContextSelection:
    """Choose retrieved chunks, in relevance order, that fit in ``max_tokens``.

    ``chunks`` must already be sorted by relevance, best first. A chunk that would overflow the
    budget is skipped and filling continues with later, smaller chunks, so one long chunk does
    not end the selection early (a stop-at-first-overflow loop would leave budget unused). The
    order of the chosen chunks is kept. ``cost_saved`` prices the left-out tokens at the model's
    input price.

    Tokens are counted with ``costkit.tokens.count_tokens`` for ``model`` unless a
    ``token_counter`` is given.

    >>> picked = optimize_context(["a b", "c " * 900, "d"], max_tokens=5, token_counter=lambda text: len(text.split()))
    >>> picked.selected_indices, picked.tokens_used
    ([0, 2], 3)
    """
    if isinstance(chunks, str):
        raise TypeError("chunks must be a list of strings, got one string. Wrap it in a list.")
    check_token_count("max_tokens", max_tokens)
    if token_counter is None:
        from costkit.tokens import count_tokens

        def token_counter(text: str) -> int:
            return count_tokens(text, model=model)

    selected: list[str] = []
    selected_indices: list[int] = []
    skipped_indices: list[int] = []
    used = 0
    total = 0
    for index, chunk in enumerate(chunks):
        if not isinstance(chunk, str):
            raise TypeError(f"chunks[{index}] must be a string, got {type(chunk).__name__}: {chunk!r}.")
        tokens = check_token_count(f"token count of chunks[{index}]", token_counter(chunk))
        total += tokens
        if used + tokens <= max_tokens:
            selected.append(chunk)
            selected_indices.append(index)
            used += tokens
        else:
            skipped_indices.append(index)

    saved = total - used
    price = get_price(model, table=table)
    return ContextSelection(
        selected=selected,
        selected_indices=selected_indices,
        skipped_indices=skipped_indices,
        tokens_used=used,
        tokens_total=total,
        tokens_saved=saved,
        cost_saved=tidy_usd(token_cost(saved, price.input)),
        model=price.model,
    )


def _to_decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Real, Decimal)):
        raise InvalidScenarioError(f"{name} must be a number, got {value!r} ({type(value).__name__}).")
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidScenarioError(f"{name} must be a number, got {value!r}.") from None
    if not number.is_finite() or number < 0:
        raise InvalidScenarioError(f"{name} must be a non-negative number, got {value!r}.")
    return number
