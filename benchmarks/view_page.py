"""Size and load time of the ``r1bench view`` page on a synthetic MATH-500-sized run.

    python benchmarks/view_page.py --questions 500 --k 4
    python benchmarks/view_page.py --questions 500 --k 64

Writes a synthetic lm-eval output (the fixture's results JSON, one samples file of ``questions`` x
``k`` records, reasoning lengths drawn around ``--mean-chars``, about a 3,000-token R1 trace), builds
the page with ``r1bench view`` and, when a Chromium is on PATH, opens it headless: the time from
navigation start until the sample browser has rendered its first page (``performance.now()``), the
time to apply a filter, and the wall time of the whole browser process.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "lm_eval_output" / "HuggingFaceTB__SmolLM2-135M-Instruct"
TS = "2025-02-01T10-00-00.000000"
WORDS = ("so", "the", "sum", "is", "wait", "let", "me", "check", "x", "=", "2", "\\frac{1}{2}", "then", "we",
         "get", "factor", "square", "both", "sides", "hmm", "recompute", "carefully", "answer")
SUBJECTS = ("Algebra", "Geometry", "Number Theory", "Precalculus", "Prealgebra", "Intermediate Algebra",
            "Counting & Probability")


def synthetic_run(out: Path, questions: int, k: int, mean_chars: int, seed: int = 0) -> Path:
    """An lm-eval output folder with one r1_math500 task of ``questions`` x ``k`` records."""
    rng = random.Random(seed)
    run = out / "synthetic__model"
    run.mkdir(parents=True)
    results = json.loads((FIXTURE / f"results_{TS}.json").read_text())
    for key in ("results", "configs", "versions", "n-shot", "higher_is_better", "n-samples"):
        if isinstance(results.get(key), dict):
            results[key] = {t: v for t, v in results[key].items() if t == "r1_math500"}
    results["configs"]["r1_math500"]["repeats"] = k
    results["configs"]["r1_math500"]["metadata"]["k"] = k
    results.setdefault("n-samples", {})["r1_math500"] = {"original": questions, "effective": questions}
    (run / f"results_{TS}.json").write_text(json.dumps(results))
    with (run / f"samples_r1_math500_{TS}.jsonl").open("w") as fh:
        for i in range(questions):
            gold = str(rng.randint(1, 999))
            doc = {"id": f"test/algebra/{i}.json", "problem": f"Synthetic problem {i}: compute the value.",
                   "answer": gold, "subject": SUBJECTS[i % len(SUBJECTS)], "level": 1 + i % 5,
                   "r1_prompt_spec": "deepseek-r1", "r1_prompt_hash": "ddf728e6a28024d4"}
            recs = []
            for j in range(k):
                n = max(50, int(rng.gauss(mean_chars, mean_chars / 2)))
                words, size = [], 0
                while size < n:
                    w = rng.choice(WORDS)
                    words.append(w)
                    size += len(w) + 1
                reasoning = " ".join(words)
                correct = rng.random() < 0.6
                truncated = rng.random() < 0.05
                extracted = None if truncated else (gold if correct else str(rng.randint(1, 999)))
                answer = "" if truncated else f"The answer is $\\boxed{{{extracted}}}$."
                recs.append(json.dumps({
                    "task": "r1_math500", "doc_id": doc["id"], "sample_index": j, "raw_output": "",
                    "reasoning": reasoning, "answer_text": answer, "extracted": extracted, "gold": gold,
                    "correct": correct and not truncated, "rule": None if truncated else "boxed",
                    "reason": "synthetic", "grader": "r1bench-math", "grader_version": "1",
                    "think_closed": not truncated, "dialect": "think", "truncated": truncated,
                    "loop_detected": rng.random() < 0.02, "completion_tokens": len(words),
                    "reasoning_tokens": len(words), "tokens_estimated": False,
                    "finish_reason": "length" if truncated else "stop", "prompt_hash": "ddf728e6a28024d4"}))
            fh.write(json.dumps({"doc_id": i, "doc": doc, "target": gold, "filtered_resps": [recs]}) + "\n")
    return run


_PROBE = """<script>(function(){var t0=performance.now();
document.querySelector('button[data-filter="wrong"]').click();var t1=performance.now();
var p=document.createElement("pre");p.id="probe";
p.textContent=JSON.stringify({ready_ms:t0,filter_ms:t1-t0,count:document.getElementById("r1-count").textContent});
document.body.appendChild(p);})();</script></body></html>"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=500)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument("--mean-chars", type=int, default=12000, help="mean reasoning characters per sample")
    ap.add_argument("--max-mb", type=float, default=None, help="r1bench view --max-mb (default: its own)")
    args = ap.parse_args()
    from r1bench.results.view import DEFAULT_MAX_MB, write_views

    tmp = Path(tempfile.mkdtemp(prefix="r1view_"))
    try:
        run = synthetic_run(tmp / "out", args.questions, args.k, args.mean_chars)
        samples = next(run.glob("samples_*.jsonl")).stat().st_size
        t = time.perf_counter()
        (page,) = write_views(run, max_mb=args.max_mb or DEFAULT_MAX_MB)
        build_s = time.perf_counter() - t
        size = page.stat().st_size
        print(f"setup: {args.questions} questions x {args.k} samples, mean reasoning {args.mean_chars} chars; "
              f"samples file {samples / 1e6:.1f} MB")
        print(f"page: {size / 1e6:.1f} MB, built in {build_s:.1f} s (r1bench view, includes plots)")
        exe = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
        if exe is None:
            print("no Chromium on PATH: load time not measured (make browser)")
            return 0
        probe = page.with_name("probe.html")
        probe.write_text(page.read_text(encoding="utf-8").replace("</body></html>", _PROBE), encoding="utf-8")
        t = time.perf_counter()
        proc = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                               f"--user-data-dir={tmp / 'profile'}", "--dump-dom", probe.as_uri()],
                              capture_output=True, text=True, timeout=600)
        wall = time.perf_counter() - t
        start = proc.stdout.find('<pre id="probe">')
        if start < 0:
            print("the page did not render (no probe result)", file=sys.stderr)
            return 1
        import html as _html

        body = proc.stdout[start + len('<pre id="probe">'):proc.stdout.index("</pre>", start)]
        probe_data = json.loads(_html.unescape(body))
        print(f"load (Chromium {exe}): first page of the sample browser rendered {probe_data['ready_ms']:.0f} ms "
              f"after navigation start; a filter click {probe_data['filter_ms']:.0f} ms "
              f"({probe_data['count']}); whole headless browser process {wall:.1f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
