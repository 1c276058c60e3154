"""Package-level promises: a light `import costkit`, lazy public names and the py.typed marker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import costkit

HEAVY_MODULES = ("pandas", "matplotlib", "tiktoken", "openai", "anthropic", "numpy", "model2vec", "ipywidgets")


def _modules_after(statement: str) -> set[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(json.loads(output))


def test_import_loads_no_heavy_module() -> None:
    loaded = _modules_after("import costkit")
    for module in HEAVY_MODULES:
        assert module not in loaded, f"`import costkit` imported {module}; import it inside the function that needs it"


def test_every_export_resolves() -> None:
    for name in costkit.__all__:
        assert getattr(costkit, name) is not None, name


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        costkit.no_such_name  # noqa: B018


def test_py_typed_marker_present() -> None:
    assert (Path(costkit.__file__).parent / "py.typed").is_file()
