"""Checks on the committed notebooks: executed, error-free, free of API keys, built from their sources,
and shaped like a lesson (title, what you will measure, set-up cell, summary, exercise with check and hint).

nbval (``pytest --nbval notebooks``) re-runs them and compares outputs; these tests check what nbval does not.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
ALL_NOTEBOOKS = sorted(NOTEBOOKS.rglob("*.ipynb"))
LESSONS = [path for path in ALL_NOTEBOOKS if path.parent == NOTEBOOKS and not path.name.startswith("00_")]
SOLUTIONS = [path for path in ALL_NOTEBOOKS if path.parent.name == "solutions"]

# OpenAI keys start with "sk-" (project keys "sk-proj-"), Anthropic keys with "sk-ant-".
API_KEY_PATTERN = re.compile(r"sk-(?:ant-|proj-)?[A-Za-z0-9_\-]{16,}")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def output_text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            parts.append(str(output.data.get("text/plain", "")))
    return "".join(parts)


def test_notebooks_exist():
    names = {relative(path) for path in ALL_NOTEBOOKS}

    assert "notebooks/00_index.ipynb" in names
    assert "notebooks/01_token_counting.ipynb" in names
    assert "notebooks/02_cost_calculation.ipynb" in names
    assert "notebooks/solutions/02_exercise_1_solution.ipynb" in names


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=relative)
def test_notebook_has_no_error_output(path):
    for index, cell in enumerate(code_cells(read(path))):
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert not errors, f"code cell {index} has an error output: {errors[0].get('ename')}"
        stderr = [output for output in cell.outputs if output.output_type == "stream" and output.name == "stderr"]
        assert not stderr, f"code cell {index} wrote to stderr: {stderr[0].text[:200]!r}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=relative)
def test_notebook_contains_no_api_key(path):
    match = API_KEY_PATTERN.search(path.read_text(encoding="utf-8"))

    assert match is None, f"API-key-like string {match.group()[:10]}… in {relative(path)}"


def test_api_key_pattern_matches_keys():
    assert API_KEY_PATTERN.search("key = 'sk-proj-abcdefghijklmnop1234'")
    assert API_KEY_PATTERN.search("sk-ant-api03-abcdefghijklmnopqrstu")
    assert not API_KEY_PATTERN.search("a task-list item")


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=relative)
def test_notebook_is_executed(path):
    for index, cell in enumerate(code_cells(read(path))):
        if cell.source.strip():
            assert cell.execution_count is not None, f"code cell {index} was not executed"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=relative)
def test_first_code_cell_prints_mode_and_date(path):
    first = code_cells(read(path))[0]
    printed = output_text(first)

    assert re.search(r"^Mode: ", printed, re.MULTILINE), f"first code cell prints no mode: {printed!r}"
    assert re.search(r"as of \d{4}-\d{2}-\d{2}", printed), f"first code cell prints no as-of date: {printed!r}"
    mode_lines = re.findall(r"^Mode: ", printed, re.MULTILINE)
    assert len(mode_lines) == 1, f"first code cell prints {len(mode_lines)} mode lines: {printed!r}"
    dates = re.findall(r"\d{4}-\d{2}-\d{2}", printed)
    assert len(dates) == len(set(dates)), f"first code cell repeats a date: {printed!r}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=relative)
def test_notebook_built_in_sandbox(path):
    # nbval re-runs the notebooks with COSTKIT_OFFLINE=1, so outputs from a live run could never match.
    printed = output_text(code_cells(read(path))[0])

    assert "Mode: sandbox (offline, $0) — COSTKIT_OFFLINE is set" in printed, (
        f"{relative(path)} was not built offline; run COSTKIT_OFFLINE=1 scripts/build_notebooks.py: {printed!r}"
    )


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=relative)
def test_notebook_opens_with_title_and_measures(path):
    notebook = read(path)
    first = notebook.cells[0]

    assert first.cell_type == "markdown"
    assert first.source.startswith("# ")
    assert "What you will measure" in first.source


@pytest.mark.parametrize("path", LESSONS, ids=relative)
def test_lesson_has_summary_and_exercise(path):
    notebook = read(path)
    headings = [
        line for cell in notebook.cells if cell.cell_type == "markdown" for line in cell.source.splitlines()
        if line.startswith("## ")
    ]
    summary = headings.index("## Summary") if "## Summary" in headings else -1
    exercises = [number for number, line in enumerate(headings) if line.startswith("## Exercise")]

    assert summary >= 0, f"no '## Summary' heading in {headings}"
    assert exercises, f"no '## Exercise' heading in {headings}"
    assert exercises[0] > summary, "the exercises come after the summary"


@pytest.mark.parametrize("path", LESSONS, ids=relative)
def test_lesson_exercise_has_stub_check_and_hint(path):
    cells = code_cells(read(path))
    check_cells = [cell for cell in cells if re.search(r"\bcheck_\w+\(", cell.source)]
    hint_cells = [cell for cell in cells if re.search(r"^hint\(", cell.source, re.MULTILINE)]

    assert check_cells, "no self-check cell"
    assert hint_cells, "no hint cell"
    for cell in check_cells:
        printed = output_text(cell)
        assert "✗" in printed, "the committed stub should fail its check"
        assert "checks passed" in printed


@pytest.mark.parametrize("path", LESSONS, ids=relative)
def test_lesson_links_to_existing_solution(path):
    text = "\n".join(cell.source for cell in read(path).cells if cell.cell_type == "markdown")
    links = re.findall(r"\]\((solutions/[^)]+\.ipynb)\)", text)

    assert links, "no link to a solution notebook"
    for link in links:
        assert (NOTEBOOKS / link).exists(), f"broken link {link}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=relative)
def test_solution_passes_its_check(path):
    cells = code_cells(read(path))
    check_cells = [cell for cell in cells if re.search(r"\bcheck_\w+\(", cell.source)]

    assert check_cells, "no check cell"
    for cell in check_cells:
        printed = output_text(cell)
        assert "all checks passed" in printed
        assert "✗" not in printed


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=relative)
def test_ignore_output_only_on_widget_cells(path):
    for index, cell in enumerate(code_cells(read(path))):
        if "nbval-ignore-output" not in cell.metadata.get("tags", []):
            continue
        mimes = {key for output in cell.outputs for key in output.get("data", {})}
        assert WIDGET_MIME in mimes, f"code cell {index} ignores output but shows no widget"


def test_notebooks_match_their_sources():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_notebooks
    finally:
        sys.path.pop(0)

    sources = build_notebooks.load_sources()
    built = {source.name for source in sources}
    committed = {str(path.relative_to(NOTEBOOKS).with_suffix("")) for path in ALL_NOTEBOOKS}
    assert committed <= built, f"notebooks without a source in scripts/notebook_sources: {committed - built}"

    for source in sources:
        path = NOTEBOOKS / f"{source.name}.ipynb"
        expected = [cell.source for cell in build_notebooks.build_notebook(source, sources).cells]
        actual = [cell.source for cell in read(path).cells]
        assert actual == expected, f"{relative(path)} differs from its source; run scripts/build_notebooks.py"
