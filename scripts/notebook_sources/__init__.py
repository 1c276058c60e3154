"""Cell sources of the workbook's notebooks, one module per notebook (read by build_notebooks.py)."""
