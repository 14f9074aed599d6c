"""``python -m r1bench.lm_eval ARGS`` is ``r1bench eval ARGS``: lm-eval's own CLI with r1bench's
models registered (plain ``lm_eval`` builds the model before any task code is imported, so it
cannot see ``r1bench-chat``), the R1 tasks and r1bench's defaults."""

from __future__ import annotations

import sys

from r1bench.lm_eval.cli import main

if __name__ == "__main__":
    sys.exit(main())
