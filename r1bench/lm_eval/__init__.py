"""The lm-eval adapter: everything that knows lm-eval 0.4.13, one job per module.

* :mod:`~r1bench.lm_eval.task` ``R1Task``: the task class of every r1bench task (``class:`` in
  ``tasks/_r1_template_yaml``): repeats follow k, quick-look and context caps, checked before any
  generation.
* :mod:`~r1bench.lm_eval.hooks`: the YAML hooks (``custom_dataset``, ``doc_to_text``,
  ``doc_to_target``, ``process_results``) and ``aggregate``.
* :mod:`~r1bench.lm_eval.chat_template`: the run's tokenizer and whether its chat template
  pre-fills ``<think>``.
* :mod:`~r1bench.lm_eval.metadata`: finish_reason / usage / API error of a live output.
* :mod:`~r1bench.lm_eval.filter`: the ``r1`` filter (raw outputs -> scored records).
* :mod:`~r1bench.lm_eval.unscored`: crash dumps of outputs that could not be scored.
* :mod:`~r1bench.lm_eval.rescore`: the same scoring re-run on a saved samples file.
* :mod:`~r1bench.lm_eval.chat`: the ``r1bench-chat`` model (the HTTP backend is :mod:`r1bench.api`).
* :mod:`~r1bench.lm_eval.cli`: ``r1bench eval`` (``python -m r1bench.lm_eval``), lm-eval's own CLI
  with r1bench's models registered and its defaults filled in.

Importing this package imports nothing from lm-eval; each module imports what it needs.
"""
