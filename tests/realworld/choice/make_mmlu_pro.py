"""Rebuild the MMLU-Pro rows of the choice corpus from the publishers' result files (provenance).

Not run by the tests. Reads git mirrors of TIGER-AI-Lab/MMLU-Pro and okuvshynov/MMLU-Pro (paths
given on the command line) at the commits listed in SOURCES, and writes one JSONL per source:
    python tests/realworld/choice/make_mmlu_pro.py TIGER_MIRROR OKUV_MIRROR
Sampling (seeded): up to ``N_HARD`` rows whose response the publisher's first regex
("answer is (X)") does not match (the shapes that need a careful extractor), then random rows up to
``N_TOTAL``. Responses longer than ``KEEP`` characters keep their last ``KEEP`` characters (the
answer is at the end); a cut that drops an opening ``<think>`` re-adds it, so the reasoning split
stays what it was.
"""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

N_TOTAL, N_HARD, KEEP = 300, 150, 3000
_FIRST = re.compile(r"answer is \(?([A-J])\)?")
TIGER = "TIGER-AI-Lab/MMLU-Pro"
OKUV = "okuvshynov/MMLU-Pro"
_GPT_DS = "ff991b5b7f14a383fd41da3987447ab6c08bf138"
_ZIPS = "f418b116db00b065c2aea046518d8fcf74d39872"
_CATS = ["biology", "business", "chemistry", "computer science", "economics", "engineering", "health",
         "history", "law", "math", "other", "philosophy", "physics", "psychology"]
_Q3 = "eval_results/Qwen3-30B-A3B-UD-Q6_K_XL_think_bias_0/"

# name -> (repo, [(commit, path)], response field, zipped)
SOURCES: dict[str, tuple[str, list[tuple[str, str]], str, bool]] = {
    "mmlu_pro_gpt4o": (TIGER, [(_GPT_DS, f"eval_results/gpt4o/{c}_result.json") for c in _CATS], "response", False),
    "mmlu_pro_deepseek": (TIGER, [(_GPT_DS, f"eval_results/deepseek/{c}_result.json") for c in _CATS],
                          "response", False),
    "mmlu_pro_gemini15flash": (TIGER, [(_ZIPS, "eval_results/model_outputs_gemini-1.5-flash-002_5shots.zip")],
                               "model_outputs", True),
    "mmlu_pro_phi3mini": (TIGER, [(_ZIPS, "eval_results/model_outputs_Phi-3-mini-4k-instruct_5shots.zip")],
                          "generated_text", True),
    "mmlu_pro_mistral7b": (TIGER, [(_ZIPS, "eval_results/model_outputs_Mistral-7B-Instruct-v0.2_5shots.zip")],
                           "generated_text", True),
    "mmlu_pro_qwen3_30b": (OKUV, [
        ("e65e1d0642944cb932469ebb3497811f97386f36", _Q3 + "psychology_result.json"),
        ("807d7956820167b4234cf7ed2ccad37d8a642c35", _Q3 + "law_result.json"),
        ("0e07b7a65f56cc67ec1d732b52f1e544ccbfa4b8", _Q3 + "math_result.json"),
        ("40325b5059f070a9e19613b1f1b3dfd71d45741b", _Q3 + "computer science_result.json"),
    ], "model_outputs", False),
}


def _load(mirror: str, commit: str, path: str, zipped: bool) -> list[dict]:
    blob = subprocess.run(["git", "-C", mirror, "show", f"{commit}:{path}"], capture_output=True, check=True).stdout
    if zipped:
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            blob = z.read(z.namelist()[0])
    return json.loads(blob)


def _trim(text: str) -> str:
    """The end of a response, with its reasoning tags kept as they were (see the module note)."""
    head, tail = "", text
    if "<think>" in text:
        close = text.rfind("</think>")
        if close == -1:  # never closed: all of it is reasoning
            return text if len(text) <= KEEP else "<think>\n[...]" + text[-KEEP:]
        reasoning, tail = text[:close], text[close + len("</think>"):]
        head = ("<think>\n[...]" + reasoning[-KEEP // 3:] if len(reasoning) > KEEP // 3 else reasoning) + "</think>"
    return head + (tail if len(tail) <= KEEP else "[...]" + tail[-KEEP:])


def publisher_chain(text: str) -> tuple[str | None, str]:
    """The MMLU-Pro publishers' extractor (evaluate_from_api.py at the commit above), with the
    level that answered: 'answer is (X)' (first match), then the last 'Answer: X', then the last
    standalone capital A-J anywhere in the text."""
    m = re.search(r"answer is \(?([A-J])\)?", text)
    if m:
        return m.group(1), "answer_is"
    m = re.search(r".*[aA]nswer:\s*([A-J])", text)
    if m:
        return m.group(1), "answer_colon"
    m = re.search(r"\b[A-J]\b(?!.*\b[A-J]\b)", text, re.DOTALL)
    return (m.group(0), "last_letter") if m else (None, "none")


def _adjudicate(row: dict, full_text: str, hand: dict) -> None:
    """Add ``corrected_label`` + ``correction`` where the publisher's label is not what the response
    commits to: from the publisher's own later extractor, from r1bench's truncation policy, or from
    the hand-checked list in corrections.json. Never changes ``label``."""
    key = f"{row['source_name']}:{row['question_id']}"
    if key in hand:
        row["corrected_label"], row["correction"] = hand[key]["corrected_label"], hand[key]["reason"]
        return
    if "<think>" in full_text and "</think>" not in full_text and row["label"] is not None:
        row["corrected_label"] = None
        row["correction"] = ("policy: the reasoning never closed (cut at the token limit); the publisher read a "
                             "letter inside the unfinished reasoning, r1bench counts no answer")
        return
    close = full_text.rfind("</think>")
    if close != -1 and row["label"] is not None:
        letter, level = publisher_chain(full_text[close:])
        if level in ("answer_is", "answer_colon") and letter != row["label"]:
            row["corrected_label"] = letter
            row["correction"] = ("the publisher's regex takes the first 'answer is (X)', here inside the reasoning; "
                                 f"the same regex on the final answer after </think> gives {letter}")
        return
    if row["label"] is None:
        letter, level = publisher_chain(full_text.replace("**", ""))
        strict = re.search(rf"(?:answer is \(?|[aA]nswer:\s*){letter}(?![A-Za-z])", full_text.replace("**", ""))
        if level in ("answer_is", "answer_colon") and strict:
            row["corrected_label"] = letter
            row["correction"] = (f"publisher label None: this run's extractor took only 'answer is (X)' on the raw "
                                 f"text; the publisher's own later extractor (which first removes '**', then tries "
                                 f"'Answer: X') gives {letter}")


def main(tiger: str, okuv: str) -> None:
    out_dir = Path(__file__).parent
    hand_file = out_dir / "corrections.json"
    hand = json.loads(hand_file.read_text(encoding="utf-8")) if hand_file.exists() else {}
    for name, (repo, files, field, zipped) in SOURCES.items():
        mirror = tiger if repo == TIGER else okuv
        rows = []
        for commit, path in files:
            for r in _load(mirror, commit, path, zipped):
                text = r.get(field)
                if isinstance(text, str) and text.strip() and 2 <= len(r["options"]) <= 10:
                    rows.append((commit, path, r, text))
        rng = random.Random(f"r1bench-{name}")
        hard = [x for x in rows if not _FIRST.search(x[3])]
        picked = rng.sample(hard, min(N_HARD, len(hard)))
        seen = {id(x) for x in picked}
        rest = [x for x in rows if id(x) not in seen]
        picked += rng.sample(rest, N_TOTAL - len(picked))
        with open(out_dir / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for commit, path, r, text in picked:
                row = {
                    "source_name": name,
                    "source": f"{repo}@{commit[:12]}:{path}",
                    "question_id": r["question_id"],
                    "category": r["category"],
                    "options": r["options"],
                    "gold": r["answer"],
                    "label": r["pred"],
                    "label_level": publisher_chain(text)[1] if publisher_chain(text)[0] == r["pred"] else "other",
                    "response": _trim(text),
                }
                _adjudicate(row, text, hand)
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)} rows, {len(hard)} without 'answer is (X)', kept {len(picked)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
