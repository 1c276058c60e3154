"""Model prices and the cost of one API call, in exact ``Decimal`` USD.

Prices are USD per 1M tokens and come from the reviewed table ``data/prices.csv``, which
records an ``as_of`` date and a ``source`` for every row. Dated snapshots, aliases and provider
prefixes resolve to their family row:

>>> from costkit.pricing import PriceTable, calculate_cost
>>> PriceTable.default().get("openai/gpt-4o-2024-08-06").model
'gpt-4o'
>>> calculate_cost("gpt-4o", input_tokens=1_500, output_tokens=300)
Decimal('0.00675')

An unknown model raises ``UnknownModelError`` with close matches. It is never priced at zero.
LiteLLM's price file can fill in models the table lacks (see ``load_litellm_prices``).
"""

from __future__ import annotations

import csv
import dataclasses
import difflib
import functools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from numbers import Integral
from pathlib import Path
from typing import Any

from costkit.errors import InvalidTokenCountError, PriceTableError, UnknownModelError

__all__ = [
    "BucketRates",
    "ModelPrice",
    "PriceTable",
    "calculate_cost",
    "check_token_count",
    "get_price",
    "load_litellm_prices",
]

logger = logging.getLogger("costkit.pricing")

PER_MILLION = 1_000_000

# Snapshot suffixes that resolve to the family row: -2024-08-06, -20250929 and -latest.
_SNAPSHOT_SUFFIX = re.compile(r"-(?:\d{4}-\d{2}-\d{2}|\d{8}|latest)$")


@dataclass(frozen=True)
class BucketRates:
    """USD per 1M tokens for each usage bucket of one request, after tier and batch rules."""

    uncached_input: Decimal
    cache_read: Decimal
    cache_write_5m: Decimal
    cache_write_1h: Decimal
    output: Decimal
    long_context: bool


@dataclass(frozen=True)
class ModelPrice:
    """One price table row. Prices are USD per 1M tokens, and ``None`` means "not offered".

    A missing ``cached_input`` or cache write price means the provider bills those tokens as
    ordinary input (OpenAI and Gemini charge no cache write surcharge).
    """

    model: str
    input: Decimal
    output: Decimal
    provider: str = "custom"
    mode: str = "chat"
    cached_input: Decimal | None = None
    cache_write_5m: Decimal | None = None
    cache_write_1h: Decimal | None = None
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None
    batch_discounts_cache: bool = True
    long_context_threshold: int | None = None
    long_context_input: Decimal | None = None
    long_context_output: Decimal | None = None
    long_context_cached_input: Decimal | None = None
    encoding: str = "o200k_base"
    encoding_exact: bool = False
    context_window: int | None = None
    max_output_tokens: int | None = None
    min_cacheable_tokens: int | None = None
    discontinued_on: str | None = None
    aliases: tuple[str, ...] = ()
    notes: str = ""
    as_of: str = ""
    source: str = ""

    def rates(self, prompt_tokens: int, *, batch: bool = False) -> BucketRates:
        """Return the per-1M prices that apply to a request whose whole prompt has ``prompt_tokens``.

        The long-context tier applies when the prompt (uncached input + cache reads + cache
        writes) exceeds ``long_context_threshold``. Batch pricing halves (or otherwise scales by
        ``batch_input / input``) the input side. Cache reads and writes get the same batch
        discount only where ``batch_discounts_cache`` is true. Anthropic's pricing page states that its
        caching multipliers stack with the Batch API discount. Google's batch docs say that the
        cache discount takes precedence over the batch one. Cached tokens are never billed at the
        batch *input* price.
        """
        long_context = self.long_context_threshold is not None and prompt_tokens > self.long_context_threshold
        input_price = self.input
        output_price = self.output
        cached_price = self.cached_input if self.cached_input is not None else self.input
        if long_context:
            input_price = _required(self.long_context_input, self, "long_context_input")
            output_price = _required(self.long_context_output, self, "long_context_output")
            cached_price = self.long_context_cached_input if self.long_context_cached_input is not None else input_price

        write_5m = self.cache_write_5m if self.cache_write_5m is not None else self.input
        write_1h = self.cache_write_1h if self.cache_write_1h is not None else self.input
        if long_context and self.input:
            write_5m = write_5m * input_price / self.input
            write_1h = write_1h * input_price / self.input

        if batch:
            batch_input = _required(self.batch_input, self, "batch_input", hint="it has no batch price")
            batch_output = _required(self.batch_output, self, "batch_output", hint="it has no batch price")
            input_factor = batch_input / self.input if self.input else Decimal(0)
            output_factor = batch_output / self.output if self.output else Decimal(0)
            input_price = batch_input if not long_context else input_price * input_factor
            output_price = batch_output if not long_context else output_price * output_factor
            if self.batch_discounts_cache:
                cached_price *= input_factor
                write_5m *= input_factor
                write_1h *= input_factor

        return BucketRates(input_price, cached_price, write_5m, write_1h, output_price, long_context)


class PriceTable:
    """An immutable set of ``ModelPrice`` rows with alias, snapshot and prefix resolution.

    >>> table = PriceTable.default().with_price("my-finetune", input="3", output="12")
    >>> table.get("my-finetune").output
    Decimal('12')
    """

    def __init__(self, prices: Iterable[ModelPrice]) -> None:
        self._rows: dict[str, ModelPrice] = {}
        self._names: dict[str, str] = {}
        for price in prices:
            key = price.model.lower()
            if key in self._names:
                raise PriceTableError(f"Duplicate model id or alias {price.model!r} in the price table. Keep one row per model.")
            self._rows[price.model] = price
            self._names[key] = price.model
        for price in self._rows.values():
            for alias in price.aliases:
                owner = self._names.setdefault(alias.lower(), price.model)
                if owner != price.model:
                    raise PriceTableError(f"Alias {alias!r} of {price.model!r} is already claimed by {owner!r}. Remove one of them.")

    @classmethod
    def default(cls) -> PriceTable:
        """Return the bundled reviewed table (loaded once, then cached)."""
        return _default_table()

    @classmethod
    def from_csv(cls, path: str | Path) -> PriceTable:
        """Read a table in the ``data/prices.csv`` format. Raises ``PriceTableError`` on a bad row."""
        path = Path(path)
        try:
            with path.open(newline="", encoding="utf-8") as handle:
                return cls(_row_to_price(row, path, line) for line, row in enumerate(csv.DictReader(handle), start=2))
        except OSError as error:
            raise PriceTableError(f"Cannot read price table {str(path)!r}: {error}") from error

    def get(self, model: str) -> ModelPrice:
        """Return the row for ``model``, resolving aliases, dated snapshots and ``provider/`` prefixes.

        Raises ``UnknownModelError`` naming up to three close matches when nothing resolves.
        """
        if not isinstance(model, str) or not model.strip():
            raise UnknownModelError(
                str(model),
                message=f"Missing model: expected a model id such as 'gpt-4o', got {model!r}. Run `costkit models` to list them.",
            )
        found = self._resolve(model.strip())
        if found is None:
            close = difflib.get_close_matches(model.strip().lower(), list(self._names), n=3, cutoff=0.6)
            raise UnknownModelError(model, list(dict.fromkeys(self._names[name] for name in close)))
        return found

    def with_price(self, model: str, *, input: Any, output: Any, **extra: Any) -> PriceTable:
        """Return a copy of this table with a custom row for ``model`` (replacing any row of that id).

        ``input`` and ``output`` are USD per 1M tokens. ``extra`` sets other ``ModelPrice`` fields,
        e.g. ``cached_input="0.30"`` or ``batch_input="1.5"``.
        """
        known = {field.name for field in dataclasses.fields(ModelPrice)} - {"model", "input", "output"}
        unknown = sorted(set(extra) - known)
        if unknown:
            raise TypeError(f"with_price() got unknown fields {unknown}. Valid fields are {sorted(known)}.")
        fields: dict[str, Any] = {"provider": "custom", "source": "custom price", "as_of": date.today().isoformat()}
        fields.update(extra)
        for name in _DECIMAL_FIELDS & fields.keys():
            if fields[name] is not None:
                fields[name] = _to_price(fields[name], name, model)
        if "aliases" in fields:
            fields["aliases"] = tuple(fields["aliases"])
        price = ModelPrice(model=model, input=_to_price(input, "input", model), output=_to_price(output, "output", model), **fields)
        return PriceTable([*(row for row in self._rows.values() if row.model != model), price])

    def merged_with_litellm(self, path: str | Path) -> PriceTable:
        """Return this table plus the rows of a LiteLLM price file that it cannot resolve.

        Rows this table already prices win, because LiteLLM's file has known wrong rows.
        """
        from costkit.litellm_prices import read_litellm_prices, with_bare_aliases

        added = [row for row in read_litellm_prices(path) if self._resolve(row.model) is None]
        logger.debug("Added %d LiteLLM rows from %s", len(added), path)
        return PriceTable([*self._rows.values(), *with_bare_aliases(added, self)])

    def models(self) -> list[str]:
        """Return the model ids of every row, sorted."""
        return sorted(self._rows)

    @property
    def as_of(self) -> str:
        """The oldest ``as_of`` date in the table, so no row is newer than it claims."""
        dates = [row.as_of for row in self._rows.values() if row.as_of]
        return min(dates) if dates else ""

    def to_frame(self) -> Any:
        """Return the table as a pandas DataFrame indexed by model (imports pandas)."""
        import pandas as pd

        frame = pd.DataFrame([dataclasses.asdict(row) for row in self._rows.values()])
        return frame.set_index("model").sort_index()

    def __contains__(self, model: object) -> bool:
        return isinstance(model, str) and self._resolve(model) is not None

    def __iter__(self) -> Iterator[ModelPrice]:
        return iter(self._rows.values())

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"PriceTable({len(self)} models, as of {self.as_of or 'unknown'})"

    def _resolve(self, model: str) -> ModelPrice | None:
        candidates = [model, model.rsplit("/", 1)[-1]]
        for name in candidates:
            for key in (name.lower(), _SNAPSHOT_SUFFIX.sub("", name.lower())):
                owner = self._names.get(key)
                if owner is not None:
                    return self._rows[owner]
        return None


def get_price(model: str, *, table: PriceTable | None = None) -> ModelPrice:
    """Return the price row for ``model`` from ``table`` (default: the reviewed table)."""
    return (table or PriceTable.default()).get(model)


def calculate_cost(
    model: str | ModelPrice,
    input_tokens: int,
    output_tokens: int,
    *,
    cached_input_tokens: int = 0,
    cache_write_5m_tokens: int = 0,
    cache_write_1h_tokens: int = 0,
    batch: bool = False,
    table: PriceTable | None = None,
) -> Decimal:
    """Return the exact USD cost of one request.

    ``input_tokens`` means *uncached* input tokens. Cache reads and writes are passed separately,
    so an OpenAI ``prompt_tokens`` count must have its ``cached_tokens`` subtracted first
    (``costkit.usage.normalize_usage`` does that for you). Reasoning tokens are part of
    ``output_tokens``. The long-context tier is chosen by the whole prompt size.

    >>> calculate_cost("claude-sonnet-4-5", 400, 200, cached_input_tokens=3_600)
    Decimal('0.00528')
    """
    price = model if isinstance(model, ModelPrice) else get_price(model, table=table)
    counts = (
        check_token_count("input_tokens", input_tokens),
        check_token_count("cached_input_tokens", cached_input_tokens),
        check_token_count("cache_write_5m_tokens", cache_write_5m_tokens),
        check_token_count("cache_write_1h_tokens", cache_write_1h_tokens),
        check_token_count("output_tokens", output_tokens),
    )
    rates = price.rates(sum(counts[:4]), batch=batch)
    prices = (rates.uncached_input, rates.cache_read, rates.cache_write_5m, rates.cache_write_1h, rates.output)
    return tidy_usd(sum((token_cost(count, rate) for count, rate in zip(counts, prices)), Decimal(0)))


def load_litellm_prices(path: str | Path, *, reviewed: PriceTable | None = None) -> PriceTable:
    """Return the reviewed table extended with the models of a LiteLLM price file.

    ``path`` is a copy of LiteLLM's ``model_prices_and_context_window.json``. Nothing is
    downloaded. Rows the reviewed table already prices keep their reviewed price.
    """
    return (reviewed or PriceTable.default()).merged_with_litellm(path)


def check_token_count(name: str, value: object) -> int:
    """Return ``value`` as an ``int`` or raise ``InvalidTokenCountError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InvalidTokenCountError(
            f"{name} must be a non-negative integer, got {value!r} ({type(value).__name__}). Pass a whole token count such as 1500."
        )
    if value < 0:
        raise InvalidTokenCountError(f"{name} must be a non-negative integer, got {value}. Token counts cannot be negative.")
    return int(value)


def token_cost(tokens: int, rate_per_million: Decimal) -> Decimal:
    """Return the exact USD cost of ``tokens`` at ``rate_per_million`` USD per 1M tokens."""
    return (tokens * rate_per_million).scaleb(-6)


def tidy_usd(amount: Decimal) -> Decimal:
    """Drop trailing zeros without switching to exponent notation (``1.50E+3`` stays ``1500``)."""
    normal = amount.normalize()
    return normal if normal.as_tuple().exponent <= 0 else normal.quantize(Decimal(1))  # type: ignore[operator]


# --- helpers -------------------------------------------------------------------------------

_DECIMAL_FIELDS = {
    "cached_input", "cache_write_5m", "cache_write_1h", "batch_input", "batch_output",
    "long_context_input", "long_context_output", "long_context_cached_input",
}  # fmt: skip
_INT_FIELDS = {"long_context_threshold", "context_window", "max_output_tokens", "min_cacheable_tokens"}


@functools.lru_cache(maxsize=1)
def _default_table() -> PriceTable:
    return PriceTable.from_csv(bundled_prices_path())


def bundled_prices_path() -> Path:
    """Return the reviewed price table: inside an installed wheel, or ``data/`` in a checkout."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "_data" / "prices.csv", package_dir.parent / "data" / "prices.csv"):
        if candidate.is_file():
            return candidate
    raise PriceTableError(f"The bundled price table is missing: looked in {package_dir / '_data'} and {package_dir.parent / 'data'}. Reinstall costkit.")


def _row_to_price(row: dict[str, str | None], path: Path, line: int) -> ModelPrice:
    where = f"{path.name} line {line}"
    if None in row or any(value is None for value in row.values()):
        raise PriceTableError(f"{where} has a different number of columns than the header. Check for an unquoted comma.")
    model = (row.get("model") or "").strip()
    if not model:
        raise PriceTableError(f"{where} has no model id.")
    values: dict[str, Any] = {}
    for name, text in row.items():
        text = (text or "").strip()
        if name in ("model", None):
            continue
        if name in ("input", "output") or name in _DECIMAL_FIELDS:
            values[name] = _to_price(text, name, model, where=where) if text else None
        elif name in _INT_FIELDS:
            values[name] = _to_int(text, name, where) if text else None
        elif name in ("batch_discounts_cache", "encoding_exact"):
            values[name] = text.lower() in ("true", "yes", "1")
        elif name == "aliases":
            values[name] = tuple(alias.strip() for alias in text.split("|") if alias.strip())
        elif name == "discontinued_on":
            values[name] = text or None
        else:
            values[name] = text
    if values.get("input") is None or values.get("output") is None:
        raise PriceTableError(f"{where} ({model}) needs both an input and an output price. Write 0 for a price that is really zero.")
    return ModelPrice(model=model, **values)


def _to_price(value: Any, name: str, model: str, *, where: str = "") -> Decimal:
    try:
        price = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise PriceTableError(f"{where or model}: {name} must be a USD amount per 1M tokens, got {value!r}.") from None
    if not price.is_finite() or price < 0:
        raise PriceTableError(f"{where or model}: {name} must be a non-negative USD amount per 1M tokens, got {value!r}.")
    return price


def _to_int(text: str, name: str, where: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise PriceTableError(f"{where}: {name} must be a whole number, got {text!r}.") from None


def _required(value: Decimal | None, price: ModelPrice, field: str, *, hint: str = "") -> Decimal:
    if value is None:
        reason = hint or f"its {field} price is missing"
        raise PriceTableError(
            f"Cannot price {price.model!r} this way because {reason}. Add {field} with PriceTable.with_price({price.model!r}, ..., {field}=...)."
        )
    return value
