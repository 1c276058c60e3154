"""Plot helpers shared by the notebooks and the calculator widget.

Chart helpers draw on a matplotlib ``Axes`` (a new figure when none is passed), label the axes with
units and return the ``Axes``. ``show_token_boundaries`` returns HTML, and ``format_usd`` formats money.
"""

from __future__ import annotations

import html
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd
    from matplotlib.axes import Axes

#: Colour of the bars in cost charts, and of a highlighted bar.
BAR_COLOR = "#4C72B0"
HIGHLIGHT_COLOR = "#DD8452"


def plot_monthly_costs(
    table: pd.DataFrame,
    *,
    column: str = "monthly_cost_usd",
    ax: Axes | None = None,
    title: str | None = None,
    highlight: str | None = None,
) -> Axes:
    """Draw a horizontal bar per model (the DataFrame index) with its USD amount written beside it.

    ``table`` is usually the output of :func:`costkit.widgets.monthly_cost_table`; any DataFrame
    indexed by model with a numeric or ``Decimal`` ``column`` works. ``highlight`` colours one model.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.45 * len(table) + 1.2))

    models = [str(model) for model in table.index]
    values = [float(value) for value in table[column]]
    colors = [HIGHLIGHT_COLOR if model == highlight else BAR_COLOR for model in models]
    bars = ax.barh(models, values, color=colors)
    ax.invert_yaxis()  # first row on top
    ax.bar_label(bars, labels=[format_usd(value) for value in table[column]], padding=3, fontsize=9)
    ax.set_xlabel("Cost per month (USD)")
    ax.set_xlim(0, max(values + [0.01]) * 1.22)  # room for the labels
    ax.spines[["top", "right"]].set_visible(False)
    if title is None:
        cheapest, priciest = min(values), max(values)
        title = "Monthly cost per model"
        if cheapest > 0 and priciest / cheapest >= 1.5:
            title = f"The most expensive model costs {priciest / cheapest:.0f}× the cheapest"
    ax.set_title(title)
    return ax


def format_usd(amount: Decimal | float) -> str:
    """Format a USD amount with thousands separators and cents, half a cent rounded up: ``$1,012.65``."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"${value:,.2f}"


def round_money(
    table: pd.DataFrame, places: int = 2, *, column_places: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """Return a copy of ``table`` whose ``Decimal`` columns are rounded to ``places`` decimals, for display.

    Exact ``Decimal`` values print with however many digits they happen to have (``60.9`` next to
    ``1012.65``); rounding them to one precision makes a column readable. ``column_places`` sets
    other precisions for named columns, e.g. ``{"cost_per_query_usd": 6}`` for fractions of a cent.
    Other columns are unchanged. Each figure is rounded on its own, so rounded parts can differ from
    their rounded total by a cent.
    """
    column_places = dict(column_places or {})
    missing = sorted(set(column_places) - {str(column) for column in table.columns})
    if missing:
        raise KeyError(f"column_places names columns not in the table: {missing}; columns are {list(table.columns)}")

    shown = table.copy()
    for column in shown.columns:
        values = shown[column]
        if len(values) and all(isinstance(value, Decimal) for value in values):
            exponent = Decimal(1).scaleb(-column_places.get(str(column), places))
            shown[column] = [value.quantize(exponent, rounding=ROUND_HALF_UP) for value in values]
    return shown


#: Background colours that alternate between neighbouring tokens in ``show_token_boundaries``.
TOKEN_COLORS = ("#dbe9f6", "#fde2c8")


def show_token_boundaries(text: str, model: str = "gpt-4o", *, encoding: str | None = None) -> Any:
    """Return an IPython ``HTML`` object that shows ``text`` split into tokens on alternating colours.

    Spaces are drawn as ``·`` and newlines as ``↵`` so that the boundaries stay visible. A piece shown
    as ``�`` is part of a character split across several tokens (see ``costkit.tokens.token_boundaries``).
    """
    from IPython.display import HTML

    from costkit.tokens import token_boundaries

    pieces = token_boundaries(text, model, encoding=encoding)
    spans = []
    for number, piece in enumerate(pieces):
        shown = html.escape(piece).replace(" ", "·").replace("\n", "↵<br>")
        color = TOKEN_COLORS[number % len(TOKEN_COLORS)]
        spans.append(f'<span style="background:{color};padding:1px 0;border-radius:2px">{shown}</span>')
    label = encoding or model
    caption = f"<div style='color:#555;margin-bottom:4px'>{len(pieces)} tokens with {html.escape(label)}</div>"
    body = "<div style='font-family:monospace;line-height:1.9;white-space:normal'>" + "".join(spans) + "</div>"
    return HTML(caption + body)
