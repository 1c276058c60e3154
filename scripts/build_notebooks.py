"""Write the workbook's notebooks from their cell sources, execute them and strip run noise.

The cell sources live in ``scripts/notebook_sources/`` (one module per notebook, see
``_cells.py``). This script writes ``notebooks/<name>.ipynb`` and regenerates the index and the
previous/next links. It runs every notebook top to bottom with nbclient in its own folder. Then it
removes what changes from run to run without meaning anything (timing metadata, widget state, the
Python version), so that committed notebooks diff cleanly and match a re-run under nbval.
Notebooks always run against the offline sandbox here (``COSTKIT_OFFLINE=1``), as ``make test``
checks them.

Usage::

    .venv/bin/python scripts/build_notebooks.py                 # build and execute all
    .venv/bin/python scripts/build_notebooks.py 02_cost_calculation
    .venv/bin/python scripts/build_notebooks.py --no-execute    # write sources only
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = ROOT / "notebooks"
SOURCES_PACKAGE = "notebook_sources"
EXECUTION_TIMEOUT_S = 300  # per cell; a whole notebook must stay under 60 s, this only stops hangs

sys.path.insert(0, str(Path(__file__).resolve().parent))

from notebook_sources._cells import NotebookSource, md  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebook names to build, e.g. 01_token_counting (default: all)")
    parser.add_argument("--no-execute", action="store_true", help="write the notebooks without running them")
    args = parser.parse_args(argv)

    sources = load_sources()
    known = {source.name for source in sources}
    unknown = sorted(set(args.names) - known)
    if unknown:
        parser.error(f"unknown notebook(s) {unknown}; choose from {sorted(known)}")

    failures = 0
    for source in sources:
        if args.names and source.name not in args.names:
            continue
        notebook = build_notebook(source, sources)
        path = NOTEBOOKS_DIR / f"{source.name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        if not args.no_execute:
            try:
                execute(notebook, path.parent)
            except Exception as error:  # report every notebook that fails, then exit non-zero
                failures += 1
                print(f"FAILED {path.relative_to(ROOT)}: {type(error).__name__}: {error}", file=sys.stderr)
        strip_run_noise(notebook)
        nbformat.validate(notebook)
        nbformat.write(notebook, path)
        print(f"wrote {path.relative_to(ROOT)} ({time.perf_counter() - started:.1f} s)")
    return 1 if failures else 0


def load_sources() -> list[NotebookSource]:
    """Import every module in notebook_sources/ and return their notebooks, index first."""
    package = importlib.import_module(SOURCES_PACKAGE)
    sources = []
    for module_info in pkgutil.iter_modules(package.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{SOURCES_PACKAGE}.{module_info.name}")
        sources.append(module.NOTEBOOK)
    sources.sort(key=lambda source: (source.name.startswith("solutions/"), source.name))
    return sources


def build_notebook(source: NotebookSource, all_sources: list[NotebookSource]) -> nbformat.NotebookNode:
    """Turn a source into a notebook, adding the index table or the previous/next links."""
    cells = list(source.cells)
    if source.name == "00_index":
        cells.append(index_cell(all_sources))
    elif not source.is_solution:
        cells.append(navigation_cell(source, all_sources))

    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for number, cell in enumerate(cells):
        if cell.kind == "markdown":
            node = nbformat.v4.new_markdown_cell(cell.text)
        else:
            node = nbformat.v4.new_code_cell(cell.text)
            if cell.tags:
                node.metadata["tags"] = list(cell.tags)
        node.id = f"{source.slug}-{number:02d}"  # stable ids keep diffs small
        notebook.cells.append(node)
    return notebook


def index_cell(all_sources: list[NotebookSource]):
    lessons = [source for source in all_sources if not source.is_solution and source.name != "00_index"]
    solutions = [source for source in all_sources if source.is_solution]
    lines = ["## The path", "", "| Notebook | What you will measure |", "| --- | --- |"]
    for source in lessons:
        lines.append(f"| [{source.title}]({source.name}.ipynb) | {source.measures} |")
    if solutions:
        lines += ["", "Solutions to the exercises, to open after you have tried them yourself:", ""]
        lines += [f"- [{source.title}]({source.name}.ipynb)" for source in solutions]
    return md("\n".join(lines))


def navigation_cell(source: NotebookSource, all_sources: list[NotebookSource]):
    order = [item for item in all_sources if not item.is_solution]
    position = [item.name for item in order].index(source.name)
    links = []
    if position > 0:
        previous = order[position - 1]
        links.append(f"← Previous: [{previous.title}]({previous.name}.ipynb)")
    if source.name != "00_index":
        links.append("[Index](00_index.ipynb)")
    if position + 1 < len(order):
        following = order[position + 1]
        links.append(f"Next: [{following.title}]({following.name}.ipynb) →")
    return md("---\n\n" + " · ".join(links))


def execute(notebook: nbformat.NotebookNode, working_dir: Path) -> None:
    # Committed outputs must come from the offline sandbox, whatever keys this shell has: the
    # kernel inherits this process's environment, and `make test` checks the notebooks offline.
    os.environ["COSTKIT_OFFLINE"] = "1"
    client = NotebookClient(
        notebook,
        timeout=EXECUTION_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(working_dir)}},
        store_widget_state=True,  # nbclient needs it to route Output widget messages; stripped afterwards
    )
    client.execute()


def strip_run_noise(notebook: nbformat.NotebookNode) -> None:
    """Remove timings, widget state and the Python version, and number the code cells 1, 2, 3, ...

    nbval treats a cell without an execution count but with outputs as an error, so executed cells
    keep a count. Renumbering from 1 makes that count the same on every build.
    """
    notebook.metadata.pop("widgets", None)
    notebook.metadata["language_info"] = {"name": "python"}
    count = 0
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type != "code":
            continue
        executed = cell.execution_count is not None
        count += 1
        cell.execution_count = count if executed else None
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = cell.execution_count


if __name__ == "__main__":
    raise SystemExit(main())
