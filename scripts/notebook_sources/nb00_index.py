"""Notebook 00: the index of the workbook (the table of notebooks is generated)."""

from notebook_sources._cells import NotebookSource, code, md

NOTEBOOK = NotebookSource(
    name="00_index",
    title="00 · Index",
    measures="Where to start, and a check that the set-up works.",
    cells=[
        md(
            """
            # Cost engineering for LLM applications: the workbook

            This workbook accompanies a lesson on cost engineering for LLM applications: token pricing, cost
            calculation, model routing, caching, the Batch API and cost tracking. Each notebook *measures* one
            technique with the `costkit` library instead of asserting what it saves, and ends with an exercise
            that checks itself.

            **What you will measure** here: nothing yet. The cell below checks that the set-up works; it prints
            the mode and the date the price table was checked. Then pick a notebook from the table.
            """
        ),
        code(
            """
            from costkit.widgets import describe_setup

            print(describe_setup())
            """
        ),
        md(
            """
            ## How to use it

            - Run each notebook top to bottom (**Run → Run All Cells**). Every notebook sets itself up; none
              depends on another having run.
            - Without an API key everything runs offline and costs nothing. The figures are computed from the
              price table in `data/prices.csv`, whose as-of date each notebook prints first.
            - Each notebook ends with a summary and an exercise: fill in the stub, run the check cell, and ask for
              a hint if you need one. Worked solutions are in `solutions/`.
            """
        ),
    ],
)
