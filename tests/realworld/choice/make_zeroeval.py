"""Rebuild the ZeroEval MMLU-Redux rows of the choice corpus (JSON-shaped answers) from the publisher's files.

Not run by the tests. Reads a git mirror of yuchenlin/ZeroEval (Apache-2.0) at the commits in SOURCES and
writes one JSONL per model:
    python tests/realworld/choice/make_zeroeval.py ZEROEVAL_MIRROR
Source: ``result_dirs/mmlu-redux/<model>.json``: chat models' zero-shot answers to MMLU-Redux (4 options,
shown as ``- (A) text``), asked to reason and then answer in a JSON object
``{"reasoning": ..., "answer": ...}``; models add Markdown, code fences, prose after the JSON, or put
"(B) text" / "B (text)" / "None of the above" in the answer field. The files record the raw output,
not a letter; ``label`` is the letter the publisher's own scorer (``src/evaluation/mcqa_eval.py`` at
the same commit) accepts from the parsed ``answer`` field: the one letter L with ``answer == L`` or
``"L)" in answer`` (None when no letter or more than one passes, or no answer parses). Only these
commits' copies of the files are under the snapshot's 4 MiB limit, hence the two models.
Sampling (seeded): up to ``N_HARD`` rows whose answer field is not a bare letter, then random rows up to
``N_TOTAL``. Outputs longer than ``KEEP`` characters keep their last ``KEEP`` characters.
"""

from __future__ import annotations

import ast
import json
import random
import re
import subprocess
import sys
from pathlib import Path

N_TOTAL, N_HARD, KEEP = 300, 150, 3000
REPO = "yuchenlin/ZeroEval"
SOURCES: dict[str, tuple[str, str]] = {
    "zeroeval_athene70b": ("a2d5e549198cbb554fc756e56c953599b1d06d30", "result_dirs/mmlu-redux/Athene-70B.json"),
    "zeroeval_qwen2_72b": ("e26c69c4f9d4268d9044c72e2b38a25c29f4b1e3",
                           "result_dirs/mmlu-redux/Qwen2-72B-Instruct.json"),
}


def _last_complete_json(s: str) -> dict | None:
    """The publisher's ``extract_last_complete_json`` (eval_utils.py): the last balanced {...}, parsed."""
    stack, start, last = [], None, None
    for i, ch in enumerate(s):
        if ch == "{":
            stack.append(i)
            start = i if start is None else start
        elif ch == "}" and stack:
            stack.pop()
            if not stack:
                last, start = s[start:i + 1], None
    try:
        return json.loads(last.replace("\n", "")) if last else None
    except json.JSONDecodeError:
        return None


def _answer_field(s: str) -> str | None:
    """The publisher's parse of the ``answer`` value: the last complete JSON, else its regex fallbacks."""
    obj = _last_complete_json(s)
    if isinstance(obj, dict) and "answer" in obj:
        return obj["answer"] if isinstance(obj["answer"], str) else str(obj["answer"])
    for pat, flags in ((r'"answer"\s*:\s*"([^"]*?)"', 0), (r'"answer"\s*:\s*"(.*?)"', re.DOTALL),
                       (r'"answer"\s*:\s*([^,\s]*)', 0), (r"answer\s*:\s*([^,\s]*)", 0)):
        m = re.search(pat, s, flags)
        if m:
            return m.group(1)
    return None


def _publisher_letter(answer: str | None, n: int) -> str | None:
    """The one letter the publisher's scorer would count as this answer (see the module note)."""
    if not answer:
        return None
    hits = [c for c in "ABCDEFGHIJ"[:n] if answer == c or f"{c})" in answer]
    return hits[0] if len(hits) == 1 else None


def _adjudicate(row: dict, answer: str | None, hand: dict) -> None:
    """``corrected_label`` + ``correction`` from the hand-checked list (corrections.json) only."""
    key = f"{row['source_name']}:{row['question_id']}"
    if key in hand:
        row["corrected_label"], row["correction"] = hand[key]["corrected_label"], hand[key]["reason"]


def main(mirror: str) -> None:
    out_dir = Path(__file__).parent
    hand_file = out_dir / "corrections.json"
    hand = json.loads(hand_file.read_text(encoding="utf-8")) if hand_file.exists() else {}
    for name, (commit, path) in SOURCES.items():
        blob = subprocess.run(["git", "-C", mirror, "show", f"{commit}:{path}"], capture_output=True,
                              check=True).stdout
        rows = []
        for r in json.loads(blob):
            out = r["output"]
            out = ast.literal_eval(out) if isinstance(out, str) else out  # a list literal, stored as text
            choices = ast.literal_eval(r["choices"]) if isinstance(r["choices"], str) else r["choices"]
            if not out or not isinstance(out[0], str) or not out[0].strip() or not 2 <= len(choices) <= 10:
                continue
            if r["correct_answer"] not in choices:
                continue
            rows.append((r, out[0], [str(c) for c in choices]))
        rng = random.Random(f"r1bench-{name}")
        hard = [x for x in rows if (_answer_field(x[1]) or "").strip() not in tuple("ABCDEFGHIJ")]
        picked = rng.sample(hard, min(N_HARD, len(hard)))
        seen = {id(x) for x in picked}
        picked += rng.sample([x for x in rows if id(x) not in seen], N_TOTAL - len(picked))
        with open(out_dir / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for r, text, choices in picked:
                answer = _answer_field(text)
                row = {
                    "source_name": name,
                    "source": f"{REPO}@{commit[:12]}:{path}",
                    "question_id": r["id"],
                    "category": r["config"],
                    "options": choices,
                    "gold": "ABCDEFGHIJ"[choices.index(r["correct_answer"])],
                    "label": _publisher_letter(answer, len(choices)),
                    "label_level": "answer_field" if answer is not None else "none",
                    "response": text if len(text) <= KEEP else "[...]" + text[-KEEP:],
                }
                _adjudicate(row, answer, hand)
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} rows, {len(hard)} whose answer field is not a bare letter, kept {len(picked)}")


if __name__ == "__main__":
    main(sys.argv[1])
