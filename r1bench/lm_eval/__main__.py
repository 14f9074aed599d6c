"""lm-eval's own CLI, with the ``r1bench-chat`` model registered: ``python -m r1bench.api.lm_eval``.

lm-eval 0.4.13 builds the model before importing any task code and has no plugin entry point, so
this wrapper imports :mod:`r1bench.api.lm_eval_model` and then hands the unchanged arguments to
lm-eval (``python -m r1bench.api.lm_eval --model r1bench-chat --model_args ... --tasks ...``).
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run lm-eval's CLI on ``argv`` (default ``sys.argv[1:]``) with r1bench-chat registered."""
    from lm_eval.__main__ import cli_evaluate

    import r1bench.api.lm_eval_model  # noqa: F401  (registers "r1bench-chat")
    import r1bench.local  # noqa: F401  (registers "r1bench-hf" and "r1bench-vllm")

    args = list(sys.argv[1:] if argv is None else argv)
    saved = sys.argv
    sys.argv = ["lm_eval", *args]
    try:
        cli_evaluate()
    except SystemExit as exc:  # argparse --help / errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    finally:
        sys.argv = saved
    return 0


if __name__ == "__main__":
    sys.exit(main())
