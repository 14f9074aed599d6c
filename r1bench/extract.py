"""Answer extraction from the answer part of a response (after :func:`split_reasoning`).

Math: the last ``\\boxed{...}`` / ``\\boxed x`` / ``\\fbox{...}`` with balanced braces (adjacent
boxes such as ``\\boxed{2}, \\boxed{3}`` are joined into one list); only when there is no box, the
fallbacks "final answer is ...", ``**Final Answer**``, ``Answer: ...``. Choice: a committed letter
(``Answer: C``, ``\\boxed{C}``, ``The answer is (C)``, ``\\textbf{(C)}`` ...), or ``None`` when the
response weighs several letters without committing. Every extraction names the rule that made it.

Hand-written because math-verify's extraction falls back to *any* number in the text (including the
reasoning), and lm-eval's regex filters take the first match; neither records which rule fired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Extraction",
    "find_boxed",
    "extract_math_answer",
    "extract_choice",
]

_BOX_CMDS = ("\\boxed", "\\fbox", "\\framebox")
_MAX_SCAN = 200_000  # only the last 200k characters of an answer are scanned for answers
_BRACE_OR_ESCAPE_RE = re.compile(r"\\.|[{}]", re.DOTALL)  # an escape pair is skipped whole


@dataclass(frozen=True)
class Extraction:
    """An extracted answer and the rule that produced it (``None`` answer: nothing found)."""

    answer: str | None
    rule: str | None


def _match_braces(text: str, start: int = 0) -> dict[int, int]:
    """Index of every ``{`` -> index of its matching ``}`` (escaped ``\\{``/``\\}`` skipped).

    One stack pass over the text, so finding many boxes (even thousands of unclosed ones in a
    looping output) stays linear instead of rescanning to the end for each. The regex jumps from
    brace to brace (and over escapes) in C: a per-character Python loop cost ~0.2 ms per KB.
    """
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _BRACE_OR_ESCAPE_RE.finditer(text, start):
        c = m.group(0)
        if c == "{":
            stack.append(m.start())
        elif c == "}" and stack:
            pairs[stack.pop()] = m.start()
    return pairs


def find_boxed(text: str) -> list[tuple[int, int, str]]:
    """All ``\\boxed`` / ``\\fbox`` answers as (start, end, content), in order of appearance.

    Handles ``\\boxed{...}`` with nested braces, ``\\boxed x`` (a single token up to whitespace or
    ``$``), and boxes whose braces never close (skipped: the answer is incomplete).
    """
    out: list[tuple[int, int, str]] = []
    if len(text) > _MAX_SCAN:
        offset = len(text) - _MAX_SCAN
        text = text[offset:]
    else:
        offset = 0
    pos = 0
    # Next occurrence of each command, re-searched only once passed: linear in the text length.
    nxt = {cmd: text.find(cmd) for cmd in _BOX_CMDS}
    first = min((i for i in nxt.values() if i != -1), default=-1)
    if first == -1:
        return out
    # Braces are paired from the first command on: pairs after it do not depend on the text before.
    braces = _match_braces(text, first)
    while True:
        for cmd in _BOX_CMDS:
            if nxt[cmd] != -1 and nxt[cmd] < pos:
                nxt[cmd] = text.find(cmd, pos)
        hits = [(i, cmd) for cmd, i in nxt.items() if i != -1]
        if not hits:
            break
        i, cmd = min(hits)
        j = i + len(cmd)
        if j < len(text) and text[j].isalpha():  # e.g. \boxedsomething: not our command
            pos = j
            continue
        if cmd == "\\framebox" and j < len(text) and text[j] == "[":
            close = text.find("]", j)
            j = close + 1 if close != -1 else j
        k = j
        while k < len(text) and text[k] in " \t":
            k += 1
        if k < len(text) and text[k] == "{":
            close = braces.get(k)
            if close is None:  # never closed: the answer was cut off
                pos = k + 1
                continue
            end = close + 1
            out.append((offset + i, offset + end, text[k + 1 : close].strip()))
            pos = end
        elif k > j and k < len(text):
            m = re.match(r"[^\s$]+", text[k:])
            if m:
                out.append((offset + i, offset + k + m.end(), m.group(0).rstrip(".,;")))
                pos = k + m.end()
            else:
                pos = k
        else:
            pos = j
    return out


# Connectors allowed between boxes that belong to one multi-part answer.
# Text allowed between boxes that together form one answer: punctuation, math delimiters, spacing,
# "and"/"or" (bare or in \text{}), and the name of the next value ("\\boxed{1} \\) and \\( y_2=").
_JOIN_RE = re.compile(
    r"^(?:[\s$,;.&]|\\[()\[\]]|\\q?quad|\\[,;:! ]|\\text\{\s*(?:and|or|,)?\s*\}|\band\b|\bor\b"
    r"|[A-Za-z](?:_\{?\w+\}?)?\s*=)*$"
)

# Fallback rules, used only when there is no box. Lookahead patterns so overlapping phrases are all
# found ("Final Answer: The final answer is 7." -> the last phrase wins); each captures one line.
_FALLBACKS: list[tuple[str, re.Pattern[str]]] = [
    (
        "final_answer_phrase",
        re.compile(r"(?=final\s+answer\s*(?:is|:|=)[\s:]*(?P<ans>[^\n]+))", re.IGNORECASE),
    ),
    (
        "final_answer_heading",
        re.compile(r"(?=\*\*\s*final\s+answer\s*:?\s*\*\*[\s:]*(?P<ans>[^\n]+))", re.IGNORECASE),
    ),
    ("answer_line", re.compile(r"(?:^|\n)\s*\**answer\**\s*:\**\s*(?P<ans>[^\n]+)", re.IGNORECASE)),
    (
        "answer_is_phrase",
        re.compile(r"(?=\b(?:the\s+)?answer\s+is[\s:]*(?P<ans>[^\n]+))", re.IGNORECASE),
    ),
]

# Where a sentence that states the answer goes on to something else.
_SENTENCE_TAIL_RE = re.compile(
    r"(?:[.;!?](?=\s|$)|\s+(?:because|since|as|which|so|for|when|where|given|and\s+(?:so|thus|hence))\b"
    r"|\s*I\s+hope\s+it\s+is\s+correct)",
    re.IGNORECASE,
)


_MATH_SPAN_RE = re.compile(
    r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|(?<!\\)\$(.+?)(?<!\\)\$", re.DOTALL
)
# A number, never cut in the middle ("1,000.99m" is 1,000.99 followed by a unit).
_NUM = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:/\d+)?(?![\d]|[.,/]\d)"
_NUMBER_RE = re.compile(rf"(?<![\w.]){_NUM}")
# "... is 19", "... is $\frac12$", "... equals \(3\)": a value stated at the end of a sentence.
_STATED_VALUE_RE = re.compile(
    r"\b(?:is|are|equals|was)\s*:?\s*(?:\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|(?<!\\)\$(.+?)(?<!\\)\$"
    rf"|({_NUM}))",
    re.DOTALL,
)


def _clean_fallback(ans: str) -> str | None:
    """The value a sentence states: "The volume of $ABCDEFGH$ is 120." -> ``120``."""
    ans = ans.strip()
    cut = _SENTENCE_TAIL_RE.search(_MATH_SPAN_RE.sub(lambda m: "x" * len(m.group(0)), ans))
    if cut:  # cut at the sentence end, never inside a math span
        ans = ans[: cut.start()]
    # "... of $ABCDEFGH$ is 120": the value follows the last "is" / "equals" / "=".
    masked = _MATH_SPAN_RE.sub(lambda m: "x" * len(m.group(0)), ans)
    tail = list(re.finditer(r"\b(?:is|are|equals|was|be)\b\s*:?", masked))
    if tail:
        ans = ans[tail[-1].end() :]
    spans = list(_MATH_SPAN_RE.finditer(ans))
    if spans:
        ans = next(g for g in spans[-1].groups() if g is not None)
    elif not re.fullmatch(r"[^\s]+(?:\s+[^\s]+){0,2}", ans.strip()) and _NUMBER_RE.search(ans):
        # A sentence in words with a number in it: "Jane started growing Sphere 3 hours ago."
        ans = _NUMBER_RE.findall(ans)[-1]
    ans = ans.strip().strip("*").strip()
    ans = re.sub(r"[.\s]+$", "", ans)
    if not ans or len(ans) > 300:
        return None
    return ans


def extract_math_answer(answer_text: str) -> Extraction:
    """The final math answer in ``answer_text`` (text after the reasoning), with its rule."""
    if not answer_text or not answer_text.strip():
        return Extraction(None, None)
    text = answer_text[-_MAX_SCAN:]
    boxes = find_boxed(text)
    boxes = [b for b in boxes if b[2]]
    if boxes:
        group = [boxes[-1]]
        for prev in reversed(boxes[:-1]):
            between = text[prev[1] : group[0][0]]
            if _JOIN_RE.match(between):
                group.insert(0, prev)
            else:
                break
        if len(group) > 1:
            return Extraction(", ".join(b[2] for b in group), "boxed_multi")
        return Extraction(group[0][2], "boxed")
    if any(cmd + "{" in text or cmd + " {" in text for cmd in _BOX_CMDS):
        return Extraction(None, None)  # a box that never closed: the answer was cut off
    for rule, pattern in _FALLBACKS:
        matches = list(pattern.finditer(text))
        if matches:
            ans = _clean_fallback(matches[-1].group("ans"))
            if ans:
                return Extraction(ans, rule)
    # A response that is only a formula (e.g. an API that returns just "$\frac{1}{2}$").
    stripped = text.strip()
    if len(stripped) <= 400:
        m = re.fullmatch(r"\$\$?(.+?)\$?\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", stripped, re.DOTALL)
        if m:
            return Extraction(next(g for g in m.groups() if g is not None).strip(), "bare_math")
        if re.fullmatch(r"[-+]?[\d.,/]+%?", stripped):
            return Extraction(stripped.rstrip("."), "bare_number")
    # Last resorts, named so a reader of the record can discount them: the last math span of the
    # final paragraph, else the last number in it (what lm-eval's flexible extraction does).
    last_par = stripped.rsplit("\n\n", 1)[-1]
    stated = list(_STATED_VALUE_RE.finditer(last_par))
    if stated:
        value = next(g for g in stated[-1].groups() if g is not None).strip()
        if value:
            return Extraction(value.rstrip(","), "stated_value")
    spans = list(_MATH_SPAN_RE.finditer(last_par))
    if spans:
        value = next(g for g in spans[-1].groups() if g is not None).strip()
        if value and len(value) <= 300:
            return Extraction(value, "last_math_span")
    numbers = _NUMBER_RE.findall(last_par)
    if numbers:
        return Extraction(numbers[-1].rstrip(","), "last_number")
    return Extraction(None, None)


# ---------------------------------------------------------------- multiple choice

# The choice extraction lives with its grader; re-exported here so ``r1bench.extract.extract_choice``
# keeps working. Imported last: that module uses :class:`Extraction` from this one.
from r1bench.grading.choice_extract import extract_choice  # noqa: E402
