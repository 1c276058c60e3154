"""Notebook helpers: the set-up line every notebook prints first and the monthly-cost calculator.

The calculator is split in two so that tests need no browser:

- :func:`monthly_cost_table` computes the monthly cost of a chatbot per model (pure, returns a
  pandas DataFrame with ``Decimal`` money columns);
- :func:`monthly_cost_calculator` wraps it in ipywidgets sliders and redraws a table and a bar chart
  whenever a control changes.

pandas and matplotlib are imported inside the functions that need them. ``import costkit`` does not
import this module, so ipywidgets loads only in notebooks that use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import ipywidgets

from costkit.plots import format_usd, plot_monthly_costs, round_money

if TYPE_CHECKING:
    import pandas as pd

#: Models the calculator offers by default: two OpenAI tiers, two Anthropic tiers, one Google model.
DEFAULT_MODELS: tuple[str, ...] = (
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1-mini",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "gemini-2.5-flash",
)

#: Columns of :func:`monthly_cost_table`, in order. Money columns are USD as ``Decimal``;
#: ``cost_per_user_usd`` is the monthly cost divided by the daily users.
TABLE_COLUMNS: tuple[str, ...] = (
    "requests_per_month",
    "llm_cost_usd",
    "embedding_cost_usd",
    "monthly_cost_usd",
    "cost_per_user_usd",
)


def describe_setup() -> str:
    """Return the two lines a notebook prints first: the API mode and the price table.

    The first line comes from :func:`costkit.clients.describe_mode`. It states whether each provider
    uses the sandbox or the live API, names the key variables that are set (never their values) and
    gives the as-of date of the oldest price row. The second line adds the size of the bundled
    table, and the range of dates when its rows were checked on different days.

    >>> print(describe_setup())  # doctest: +SKIP
    Mode: sandbox (offline, $0) — COSTKIT_OFFLINE is set; prices as of 2026-08-21
    Price table: 23 models (data/prices.csv)
    """
    from costkit.clients import describe_mode
    from costkit.pricing import PriceTable

    table = PriceTable.default()
    dates = sorted({row.as_of for row in table if row.as_of})
    price_line = f"Price table: {len(table)} models (data/prices.csv)"
    if len(dates) > 1:
        price_line += f", rows checked from {dates[0]} to {dates[-1]}"
    return f"{describe_mode()}\n{price_line}"


def monthly_cost_table(
    daily_users: int,
    messages_per_user: float,
    input_tokens: int,
    output_tokens: int,
    models: Sequence[str] = DEFAULT_MODELS,
    *,
    days: int = 30,
    embedding_model: str = "text-embedding-3-small",
    embedding_tokens_per_query: int = 50,
) -> pd.DataFrame:
    """Compute the monthly cost of a RAG chatbot on each model, cheapest first.

    Every user message is one request with ``input_tokens`` in and ``output_tokens`` out, plus one
    query embedding of ``embedding_tokens_per_query`` tokens. The figures come from
    :func:`costkit.estimate_monthly_cost`, so they match what the rest of costkit computes.

    Returns a DataFrame indexed by model with the columns in :data:`TABLE_COLUMNS`.
    Raises ``ValueError`` when ``models`` is empty and ``costkit.UnknownModelError`` for a model
    that is not in the price table.
    """
    import pandas as pd

    from costkit.estimate import estimate_monthly_cost

    if not models:
        raise ValueError("models is empty: pass at least one model id, e.g. models=['gpt-4o-mini']")

    rows = {}
    for model in dict.fromkeys(models):  # drop repeats, keep order
        estimate = estimate_monthly_cost(
            daily_users,
            messages_per_user,
            input_tokens,
            output_tokens,
            model,
            embedding_model=embedding_model,
            embedding_tokens_per_query=embedding_tokens_per_query,
            days=days,
        )
        rows[model] = {
            "requests_per_month": _count_value(estimate.queries),
            "llm_cost_usd": estimate.llm_cost,
            "embedding_cost_usd": estimate.embedding_cost,
            "monthly_cost_usd": estimate.total,
            "cost_per_user_usd": estimate.cost_per_user,
        }

    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(TABLE_COLUMNS))
    table.index.name = "model"
    return table.sort_values("monthly_cost_usd", kind="stable")


def summarize_monthly_costs(table: pd.DataFrame) -> str:
    """Return one sentence naming the cheapest and the most expensive model in ``table``."""
    cheapest = table["monthly_cost_usd"].idxmin()
    priciest = table["monthly_cost_usd"].idxmax()
    low = table.loc[cheapest, "monthly_cost_usd"]
    high = table.loc[priciest, "monthly_cost_usd"]
    if cheapest == priciest:
        return f"{cheapest}: {format_usd(low)} a month"
    return (
        f"Cheapest: {cheapest} at {format_usd(low)} a month. "
        f"Most expensive: {priciest} at {format_usd(high)} a month."
    )


def rounding_note(table: pd.DataFrame) -> str:
    """Return a note naming the rows whose cent-rounded costs do not add up, or ``""`` when all do.

    :func:`costkit.plots.round_money` rounds the LLM cost, the embedding cost and the exact total each
    on its own, so the two parts shown can add up to a cent more or less than the total shown
    ($91.13 + $0.23 beside $91.35 for an exact $91.125 + $0.225 = $91.35).
    """
    shown = round_money(table)
    uneven = [
        str(model)
        for model, row in shown.iterrows()
        if row["llm_cost_usd"] + row["embedding_cost_usd"] != row["monthly_cost_usd"]
    ]
    if not uneven:
        return ""
    return (
        "Each figure is rounded to the cent from its exact value, so for "
        f"{', '.join(uneven)} the LLM and embedding costs shown add up to a cent more or less than the total."
    )


def monthly_cost_calculator(
    models: Sequence[str] = DEFAULT_MODELS,
    *,
    daily_users: int = 1_000,
    messages_per_user: int = 5,
    input_tokens: int = 1_500,
    output_tokens: int = 300,
) -> MonthlyCostCalculator:
    """Build the interactive calculator: sliders and a model picker above a live table and chart.

    Display the returned widget as the last expression of a notebook cell. Its ``table`` attribute
    contains the DataFrame currently shown, and ``summary`` the HTML line with the cheapest and most
    expensive model (the browser test reads that line).
    """
    return MonthlyCostCalculator(
        models,
        daily_users=daily_users,
        messages_per_user=messages_per_user,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
    )


class MonthlyCostCalculator(ipywidgets.VBox):
    """A VBox with sliders for users, messages and tokens, a model picker, a summary line and a chart.

    Build it with :func:`monthly_cost_calculator`.
    """

    def __init__(
        self,
        models: Sequence[str],
        *,
        daily_users: int,
        messages_per_user: int,
        input_tokens: int,
        output_tokens: int,
    ) -> None:
        if not models:
            raise ValueError("models is empty: pass at least one model id, e.g. models=['gpt-4o-mini']")

        slider_layout = ipywidgets.Layout(width="480px")
        style = {"description_width": "170px"}
        self.controls: dict[str, Any] = {
            "daily_users": ipywidgets.IntSlider(
                value=daily_users, min=100, max=max(20_000, daily_users), step=100,
                description="Daily users", style=style, layout=slider_layout,
            ),
            "messages_per_user": ipywidgets.IntSlider(
                value=messages_per_user, min=1, max=max(50, messages_per_user), step=1,
                description="Messages per user/day", style=style, layout=slider_layout,
            ),
            "input_tokens": ipywidgets.IntSlider(
                value=input_tokens, min=0, max=max(20_000, input_tokens), step=100,
                description="Input tokens/request", style=style, layout=slider_layout,
            ),
            "output_tokens": ipywidgets.IntSlider(
                value=output_tokens, min=0, max=max(4_000, output_tokens), step=50,
                description="Output tokens/request", style=style, layout=slider_layout,
            ),
            "models": ipywidgets.SelectMultiple(
                options=list(dict.fromkeys(models)), value=tuple(dict.fromkeys(models)),
                description="Models", rows=min(len(models), 8), style=style,
            ),
        }
        self.summary = ipywidgets.HTML()
        self.summary.add_class("costkit-calculator-summary")
        self.output = ipywidgets.Output()
        self.table: pd.DataFrame | None = None

        super().__init__(children=[*self.controls.values(), self.summary, self.output])
        self.add_class("costkit-calculator")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    def refresh(self) -> None:
        """Recompute the table from the current control values and redraw the summary and chart."""
        from IPython.display import display

        models = self.controls["models"].value
        if not models:
            self.table = None
            self.summary.value = "<b>Select at least one model.</b>"
            self.output.clear_output()
            return

        self.table = monthly_cost_table(
            self.controls["daily_users"].value,
            self.controls["messages_per_user"].value,
            self.controls["input_tokens"].value,
            self.controls["output_tokens"].value,
            models,
        )
        self.summary.value = f"<b>{summarize_monthly_costs(self.table)}</b>"

        import matplotlib.pyplot as plt

        with self.output:
            self.output.clear_output(wait=True)
            display(round_money(self.table))
            note = rounding_note(self.table)
            if note:
                print(note)
            figure, axes = plt.subplots(figsize=(7, 0.45 * len(self.table) + 1.2))
            plot_monthly_costs(self.table, ax=axes)
            display(figure)
            plt.close(figure)

    def _on_change(self, change: dict[str, Any]) -> None:
        self.refresh()


def _count_value(count: Decimal) -> int | float:
    """Return a request count as an int when it is whole (it is unless messages_per_user is fractional)."""
    return int(count) if count == count.to_integral_value() else float(count)
