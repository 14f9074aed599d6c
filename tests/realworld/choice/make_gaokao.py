"""Rebuild the GAOKAO-Bench rows of the choice corpus (Chinese answers) from the publisher's result files.

Not run by the tests. Reads a git mirror of OpenLMLab/GAOKAO-Bench (Apache-2.0) at ``COMMIT`` and writes
``gaokao_gpt4.jsonl``:
    python tests/realworld/choice/make_gaokao.py GAOKAO_MIRROR
Source: ``Results/gpt_4_0314_obj/*.json``: gpt-4-0314's answers to Chinese college-entrance single-choice
questions (4 options A-D), prompted in Chinese to reason between 【解析】 and <eoe> and put the letter
between 【答案】 and <eoa>. ``label`` is the publisher's ``model_answer`` (its extractor,
``Bench/bench_function.py:extract_choice_answer``, takes the LAST capital A-D anywhere in the output),
``None`` where it found none. Only single-answer rows (gold one letter; the Physics file mixes in multi-answer ones, skipped) whose
four options parse out of the question text (``A．...B．...C．...D．...``) are used.
Sampling (seeded): up to ``N_HARD`` rows whose output is not the plain ``【答案】X <eoa>`` ending (the
shapes that need a careful extractor), then random rows up to ``N_TOTAL``.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from pathlib import Path

N_TOTAL, N_HARD, KEEP = 300, 150, 3000
REPO = "OpenLMLab/GAOKAO-Bench"
COMMIT = "6dbb24f8d8439041e5431c4c184a582182a6ce9c"
NAME = "gaokao_gpt4"
_FILES = [f"Results/gpt_4_0314_obj/gpt-4-0314_{k}.json" for k in (
    "2010-2022_Biology_MCQs", "2010-2022_Chemistry_MCQs", "2010-2022_History_MCQs", "2010-2022_Math_I_MCQs",
    "2010-2022_Math_II_MCQs", "2010-2022_Physics_MCQs", "2010-2022_Political_Science_MCQs",
    "2010-2013_English_MCQs", "2010-2022_Chinese_Lang_and_Usage_MCQs")]
# The plain, format-following ending: one letter in 【答案】, then <eoa>.
_PLAIN = re.compile(r"【答案】\s*[:：]?\s*([A-D])\s*<eoa>\s*$")
_OPT = re.compile(r"(?:^|\s)([A-D])\s*[．.、:：]")


def _options(question: str) -> list[str] | None:
    """The four option texts A-D cut out of the question, or None when they do not parse cleanly."""
    marks = [m for m in _OPT.finditer(question)]
    # take the last run A, B, C, D in order (the question stem itself may contain letters)
    for i in range(len(marks) - 4, -1, -1):
        run = marks[i:i + 4]
        if [m.group(1) for m in run] == ["A", "B", "C", "D"]:
            ends = [m.start() for m in run[1:]] + [len(question)]
            texts = [re.sub(r"\s+", " ", question[m.end():e]).strip() for m, e in zip(run, ends)]
            # an option that is a bare letter means the options were a table or figure, not text
            ok = all(len(t) > 1 or not t.isupper() for t in texts) and len(set(texts)) == 4 and all(texts)
            return texts if ok else None
    return None


def _publisher(text: str) -> str | None:
    """The publisher's single-choice extractor: the last capital A-D anywhere in the output."""
    hits = re.findall(r"[A-D]", text[::-1])
    return hits[0] if hits else None


def _adjudicate(row: dict, text: str, hand: dict) -> None:
    """``corrected_label`` + ``correction`` where the publisher's letter is not what the output commits
    to: from the hand-checked list, or from the prompt's own 【答案】 slot. Never changes ``label``."""
    key = f"{row['source_name']}:{row['question_id']}"
    if key in hand:
        row["corrected_label"], row["correction"] = hand[key]["corrected_label"], hand[key]["reason"]
        return
    slots = re.findall(r"【答案】\s*[:：]?\s*([^<\n]{0,40})", text)
    if len(slots) != 1:
        return
    letters = sorted(set(re.findall(r"[A-D]", slots[0])))
    said = re.sub(r"[\s:：。.]", "", slots[0])
    named = [c for c, t in zip("ABCD", row["options"]) if re.sub(r"[\s。.]", "", t) == said]
    if not letters and row["label"] is not None:
        row["corrected_label"] = named[0] if len(named) == 1 else None
        row["correction"] = (f"the 【答案】 slot says {slots[0].strip()!r}: " + (
            f"the text of option {named[0]}" if len(named) == 1 else "no option") + "; the publisher's extractor "
            "took the last capital A-D anywhere in the reasoning")
    elif len(letters) > 1 and row["label"] is not None:
        row["corrected_label"] = None
        row["correction"] = (f"the 【答案】 slot names {len(letters)} options ({slots[0].strip()!r}) for a "
                             "single-answer question; the publisher took the last letter, r1bench counts a hedge "
                             "as no answer")
    elif len(letters) == 1 and letters[0] != row["label"]:
        row["corrected_label"] = letters[0]
        row["correction"] = (f"the publisher's extractor takes the last capital A-D anywhere; the 【答案】 slot "
                             f"says {letters[0]} ({slots[0].strip()!r})")


def main(mirror: str) -> None:
    out_dir = Path(__file__).parent
    hand_file = out_dir / "corrections.json"
    hand = json.loads(hand_file.read_text(encoding="utf-8")) if hand_file.exists() else {}
    rows = []
    for path in _FILES:
        blob = subprocess.run(["git", "-C", mirror, "show", f"{COMMIT}:{path}"], capture_output=True,
                              check=True).stdout
        for ex in json.loads(blob)["example"]:
            opts = _options(ex["question"])
            gold, pred = ex["standard_answer"], ex["model_answer"]
            if (len(gold) != 1 or gold[0] not in "ABCD" or len(gold[0]) != 1 or len(pred) > 1
                    or any(len(p) != 1 for p in pred) or opts is None):
                continue  # multi-answer questions, or options that do not parse
            rows.append((path, ex, opts))
    rng = random.Random(f"r1bench-{NAME}")
    hard = [x for x in rows if not _PLAIN.search(x[1]["model_output"])]
    picked = rng.sample(hard, min(N_HARD, len(hard)))
    seen = {id(x) for x in picked}
    picked += rng.sample([x for x in rows if id(x) not in seen], N_TOTAL - len(picked))
    with open(out_dir / f"{NAME}.jsonl", "w", encoding="utf-8") as fh:
        for path, ex, opts in picked:
            text = ex["model_output"]
            label = ex["model_answer"][0] if ex["model_answer"] else None
            row = {
                "source_name": NAME,
                "source": f"{REPO}@{COMMIT[:12]}:{path}",
                "question_id": f"{Path(path).stem.split('_', 1)[1]}#{ex['index']}",
                "category": Path(path).stem.split("_", 2)[2].removesuffix("_MCQs"),
                "options": opts,
                "gold": ex["standard_answer"][0],
                "label": label,
                "label_level": "last_letter" if _publisher(text) == label else "other",
                "response": text if len(text) <= KEEP else "[...]" + text[-KEEP:],
            }
            _adjudicate(row, text, hand)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{NAME}: {len(rows)} rows, {len(hard)} without the plain ending, kept {len(picked)}")


if __name__ == "__main__":
    main(sys.argv[1])
