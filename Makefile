# costkit workbook: `make lab` to learn, `make test` to check everything.
#
# Both targets create .venv and install the project on first use (packages only, no other
# downloads), then reinstall whenever pyproject.toml changes.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.costkit-installed

# JupyterLab binds to loopback, never fetches news, update checks or the extension catalogue,
# and opens no browser on a machine without a display (it prints the URL with its token
# instead). Root needs --allow-root.
LAB_FLAGS := --ServerApp.ip=127.0.0.1 --notebook-dir=notebooks \
	--LabApp.news_url=None \
	--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	--LabApp.extension_manager=readonly \
	$(if $(filter 0,$(shell id -u)),--allow-root) \
	$(if $(or $(DISPLAY),$(filter Darwin,$(shell uname -s))),,--no-browser)

# `make lab` uses the offline sandbox unless LIVE=1 is given: then an API key in the
# environment switches the notebooks to the real API.
LIVE ?= 0
LAB_ENV := $(if $(filter 1,$(LIVE)),,COSTKIT_OFFLINE=1)

# Tests never call a real API and never fetch a model.
TEST_ENV := COSTKIT_OFFLINE=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 MPLBACKEND=Agg
PYTEST_FLAGS ?= -n 2 --dist loadfile

.PHONY: install lab test test-unit test-notebooks doctor bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(STAMP)

lab: $(STAMP)
	env $(LAB_ENV) $(BIN)/jupyter lab $(LAB_FLAGS)

# Unit tests, the docstring examples in costkit/, and every notebook under strict nbval.
test: $(STAMP)
	env $(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_FLAGS) --doctest-modules --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg tests costkit notebooks

test-unit: $(STAMP)
	env $(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_FLAGS) --doctest-modules tests costkit

test-notebooks: $(STAMP)
	env $(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_FLAGS) --nbval --nbval-current-env \
		--nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

doctor: $(STAMP)
	$(BIN)/python -m costkit doctor

bench: $(STAMP)
	env $(TEST_ENV) $(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
