"""Exceptions raised by costkit.

Every error message names the value that failed and what to do instead.

    CostkitError
    ├── UnknownModelError        (also a LookupError) a model id missing from the price table
    ├── InvalidTokenCountError   (also a ValueError) a negative, fractional or non-numeric token count
    ├── InvalidMessageError      (also a ValueError) a chat message or content part that cannot be counted
    ├── InvalidUsageError        (also a ValueError) a usage object whose fields cannot be read or do not add up
    ├── PriceTableError          a price table row or file that cannot be parsed
    └── InvalidScenarioError     (also a ValueError) a cost projection input such as a negative user count
"""

from __future__ import annotations


class CostkitError(Exception):
    """Base class of every error that costkit raises on purpose."""


class UnknownModelError(CostkitError, LookupError):
    """A model id that is not in the price table and has no alias or snapshot that resolves to it."""

    def __init__(
        self, model: str, suggestions: list[str] | None = None, *, fix: str | None = None, message: str | None = None
    ) -> None:
        self.model = model
        self.suggestions = list(suggestions or [])
        if message is not None:  # for a model id that is missing rather than unknown
            super().__init__(message)
            return
        hint = f" Did you mean {', '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        if fix is None:
            fix = (
                f"To price a model the table lacks, pass a custom price, "
                f"e.g. PriceTable.default().with_price({model!r}, input=..., output=...), "
                f"or import LiteLLM's price file with costkit.pricing.load_litellm_prices(path)."
            )
        super().__init__(f"Unknown model {model!r}.{hint} {fix}")

    def __str__(self) -> str:  # KeyError-style quoting would wrap the message in quotes
        return str(self.args[0])


class InvalidTokenCountError(CostkitError, ValueError):
    """A token count that is negative, fractional, boolean or not a number."""


class InvalidMessageError(CostkitError, ValueError):
    """A chat message, content part or tool definition that cannot be counted."""


class InvalidUsageError(CostkitError, ValueError):
    """A provider usage object whose fields are missing, of the wrong type or inconsistent."""


class PriceTableError(CostkitError):
    """A price table file or row that cannot be parsed."""


class InvalidScenarioError(CostkitError, ValueError):
    """A cost projection input that is out of range, such as a negative user count or zero days."""
