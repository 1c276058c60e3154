"""The small vocabulary notebook sources are written in: markdown and code cells, and a notebook."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    kind: str  # "markdown" or "code"
    text: str
    tags: tuple[str, ...] = ()


def md(text: str) -> Cell:
    """Return a markdown cell. The text is dedented and stripped, so sources can indent it freely."""
    return Cell("markdown", textwrap.dedent(text).strip())


def code(text: str, *, tags: tuple[str, ...] = ()) -> Cell:
    """Return a code cell with cell ``tags`` such as ``nbval-ignore-output``, dedented and stripped."""
    return Cell("code", textwrap.dedent(text).strip(), tags)


@dataclass(frozen=True)
class NotebookSource:
    """One notebook: its file name under notebooks/ (without .ipynb), index entry and cells."""

    name: str
    title: str
    measures: str  # one sentence for the index: what the notebook measures
    cells: list[Cell] = field(default_factory=list)

    @property
    def is_solution(self) -> bool:
        return self.name.startswith("solutions/")

    @property
    def slug(self) -> str:
        """The name as a valid cell-id prefix, e.g. ``solutions-02_exercise_1_solution``."""
        return self.name.replace("/", "-")
