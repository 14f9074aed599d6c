"""``r1bench eval`` with every r1bench-hf generation logged (for the kill-and-resume test).

Each generated batch appends one JSON line per sample to ``$R1BENCH_TEST_GENERATION_LOG`` (fsync'd):
its store key, the raw token ids ``generate`` returned after the prompt, and the EOS ids, so the
test can count generations and check finish reasons against the engine's own output.
"""

from __future__ import annotations

import json
import os
import sys

from transformers import GenerationMixin

from r1bench.local import hf

LOG = os.environ["R1BENCH_TEST_GENERATION_LOG"]
_last: dict = {}
_generate = GenerationMixin.generate


def _logged_generate(self, *args, **kwargs):
    out = _generate(self, *args, **kwargs)
    _last["rows"] = out[:, kwargs["input_ids"].shape[1]:].tolist()
    return out


_batch = hf.R1BenchHF._generate_batch


def _logged_batch(self, batch):
    gens = _batch(self, batch)
    with open(LOG, "a", encoding="utf-8") as fh:
        for spec, row in zip(batch, _last["rows"]):
            fh.write(json.dumps({"key": spec.key, "ids": row, "eos": sorted(self._eos_ids())}) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return gens


GenerationMixin.generate = _logged_generate
hf.R1BenchHF._generate_batch = _logged_batch

if __name__ == "__main__":
    from r1bench.lm_eval.cli import main

    sys.exit(main(sys.argv[1:]))
