"""Math answer extraction from the answer part of a response (after :func:`split_reasoning`).

The last ``\\boxed{...}`` / ``\\boxed x`` / ``\\fbox{...}`` with balanced braces (adjacent boxes such
as ``\\boxed{2}, \\boxed{3}`` are joined into one list; a "Final Answer:" line after the box wins);
only when there is no box, the fallbacks "final answer is ...", ``**Final Answer**``,
``Answer: ...``, then the last sentence of the last line, all read from a bounded tail. Every
extraction names the rule that made it. (Choice letters: :mod:`r1bench.grading.choice_extract`.)

Hand-written because math-verify's extraction falls back to *any* number in the text (including the
reasoning), and lm-eval's regex filters take the first match; neither records which rule fired.
"""

from __future__ import annotations

import re

from r1bench.grading.extraction import BOX_CMDS, MAX_SCAN, Extraction, find_boxed
from r1bench.grading.normalize import UNIT_WORDS

__all__ = ["Extraction", "find_boxed", "extract_math_answer", "computed_value"]

# The unboxed fallbacks read only this tail, and every lazy span is capped: their regexes stay
# linear in the input length (a 200 KB "is \\(" x 40000 was minutes of backtracking).
_FALLBACK_SCAN = 20_000
_SPAN_CAP = 1000
# A repeating decimal that ends a text ("0.666..."), and one anywhere before a non-dot.
_REPEATING_RE = re.compile(r"\d\.\d+\.\.\.$")
_REPEATING_DOTS_RE = re.compile(r"(\d\.\d{1,50})\.\.\.(?!\.)")
# Patterns of the helpers below, compiled once.
_VALUE_VERB_RE = re.compile(r"\b(?:is|are|equals|was|be)\b\s*:?")
_FEW_WORDS_RE = re.compile(r"[^\s]+(?:\s+[^\s]+){0,2}")
_UNDERSCORE_EMPH_RE = re.compile(r"^_(.+)_$")  # markdown emphasis: "_45°_"
_TRAILING_DOTS_RE = re.compile(r"[.\s]+$")
_VALUE_CHAR_RE = re.compile(r"[\d\\$√π]")
_BARE_MATH_RE = re.compile(r"\$\$?(.+?)\$?\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
_BARE_NUMBER_RE = re.compile(r"[-+]?(?:[\d.,/]+%?|\d*[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞])")
_FORMULA_CHAR_RE = re.compile(r"[\d\\√π∞A-Za-z]")
_WORD_RE = re.compile(r"[A-Za-z]{2,}")
_ACRONYM_RE = re.compile(r"[A-Z]{2,3}")
_VARIABLE_RE = re.compile(r"(?<![A-Za-z])[A-Za-z](?:_\{?\w+\}?)?")
_COMMAND_RE = re.compile(r"\\[A-Za-z]+")
_FUNCTION_VALUE_RE = re.compile(r"[A-Za-z]\s*\(|\\frac|\\[|]|\|")
_SCALED_NAME_RE = re.compile(r"\s*\d+\s*[A-Za-z](?:_\{?\w+\}?)?\s*")
_COMMAND_OR_SUBSCRIPT_RE = re.compile(r"\\[A-Za-z]+|_\{?\w+\}?")
_DIGIT_RE = re.compile(r"\d")
_LETTER_RE = re.compile(r"[A-Za-z]")
_ROW_BREAK_RE = re.compile(r"\\\\")
_ROW_NOISE_RE = re.compile(r"\\(?:pmod\s*\{?\w+\}?|quad|qquad|text\{[^{}]*\})|&")
_ROW_SIDES_RE = re.compile(r"=|\\equiv(?![A-Za-z])")
_ORDER_RE = re.compile(r"[<>]|\\[lg]eq?\b")
_INEQUALITY_RE = re.compile(r"[<>≤≥]|\\[lg]eq?\b")
_SENTENCE_VALUE_RE = re.compile(r"[\d$\\√π∞]")
_FORMULA_VALUE_RE = re.compile(r"[\d√π∞\\]")
_ENDED_RE = re.compile(r"[.!?。！？)\]*_~:：]\s*$")
_FINAL_STOP_RE = re.compile(r"(?<!\.)\.$|[。，；！]$")

# Connectors allowed between boxes that belong to one multi-part answer.
# Text allowed between boxes that together form one answer: punctuation, math delimiters, spacing,
# "and"/"or" (bare or in \text{}), and the name of the next value ("\\boxed{1} \\) and \\( y_2=").
_JOIN_RE = re.compile(
    r"^(?:[\s$,;.&]|\\[()\[\]]|\\q?quad|\\[,;:! ]|\\text\{\s*(?:and|or|,)?\s*\}|\band\b|\bor\b"
    r"|\\text\{\s*(?:for\s+)?part\s*\(?[a-z0-9]\)?\s*(?:,|and)?\s*\}"  # "\text{ for part (a) and }"
    r"|[A-Za-z](?:_\{?\w+\}?)?\s*=)*$"
)
_SPAN_JOIN_RE = re.compile(r"\s*(?:,|,?\s*and|,?\s*or)\s*")

# A phrase's answer: a display block that follows it ("The answer is:\n\n$$\n2\pi\n$$"), else one line.
_DISPLAY_OR_LINE = r"\$\$[^$]{1,300}\$\$|\\\[(?:[^\\]|\\[^\]]){1,300}\\\]|[^\n]{1,1000}"

# Fallback rules, used only when there is no box. Lookahead patterns so overlapping phrases are all
# found ("Final Answer: The final answer is 7." -> the last phrase wins); each captures one line.
_FALLBACKS: list[tuple[str, re.Pattern[str]]] = [
    (
        "final_answer_phrase",
        re.compile(rf"(?=final\s+answer\s*(?:is|:|=)[\s:]*(?P<ans>{_DISPLAY_OR_LINE}))", re.IGNORECASE),
    ),
    (
        "final_answer_heading",
        re.compile(rf"(?=\*\*\s*final\s+answer\s*:?\s*\*\*[\s:]*(?P<ans>{_DISPLAY_OR_LINE}))", re.IGNORECASE),
    ),
    ("answer_line", re.compile(r"(?:^|\n)[ \t]*\**answer\**[ \t]*:\**[ \t]*(?P<ans>[^\n]{1,1000})", re.IGNORECASE)),
    (
        "answer_is_phrase",
        re.compile(rf"(?=\b(?:the\s+)?answer\s+is[\s:]*(?P<ans>{_DISPLAY_OR_LINE}))", re.IGNORECASE),
    ),
    # Chinese: "最终答案是 5", "答案：$\frac12$", "答案为 5", and the school answer line "答：共有 28 种".
    ("answer_line", re.compile(rf"(?:^|\n)[ \t*]*答[ \t]*[:：][ \t]*(?P<ans>{_DISPLAY_OR_LINE})")),
    ("answer_is_phrase", re.compile(r"(?=答案\s*(?:是|为|為|[:：])\s*(?P<ans>[^\n]{1,1000}))")),
]

# Where a sentence that states the answer goes on to something else (a comma before the
# conjunction belongs to the sentence, not the answer: "The answer is 5, since ...").
_SENTENCE_TAIL_RE = re.compile(
    r"(?:[.;!?](?=\s|$)|[。；！？，]|,?\s+(?:because|since|as|which|so|for|when|where|given|and\s+(?:so|thus|hence))\b"
    r"|\s*I\s+hope\s+it\s+is\s+correct)",
    re.IGNORECASE,
)


_CAPPED = rf"(.{{1,{_SPAN_CAP}}}?)"
_MATH_SPAN_RE = re.compile(
    rf"\$\${_CAPPED}\$\$|\\\[{_CAPPED}\\\]|\\\({_CAPPED}\\\)|(?<!\\)\${_CAPPED}(?<!\\)\$", re.DOTALL
)
# A number, never cut in the middle ("1,000.99m" is 1,000.99 followed by a unit).
_NUM = r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:/\d+)?(?![\d]|[.,/]\d)"
_NUMBER_RE = re.compile(rf"(?<![\w.]){_NUM}")
# "... is 19", "... is $\frac12$", "... equals \(3\)": a value stated at the end of a sentence.
_STATED_VALUE_RE = re.compile(
    rf"(?:\b(?:is|are|equals|was)(?:\s+(?:therefore|thus|then|hence|simply|exactly|just|equal\s+to|given\s+by))?"
    rf"|(?<![但于就])[为是]|等于)\s*[:：]?\s*(?:\$\${_CAPPED}\$\$|\\\[{_CAPPED}\\\]|\\\({_CAPPED}\\\)|(?<!\\)\${_CAPPED}(?<!\\)\$"
    rf"|({_NUM}(?:\.\.\.|\\[lc]?dots|\u2026)?)|(\(\s*{_NUM}(?:\s*,\s*{_NUM}){{1,9}}\s*\)))",
    re.DOTALL,
)


def _clean_fallback(ans: str) -> str | None:
    """The value a sentence states: "The volume of $ABCDEFGH$ is 120." -> ``120``."""
    ans = ans.strip()
    masked = _REPEATING_RE.sub(lambda m: "x" * len(m.group(0)), _MATH_SPAN_RE.sub(lambda m: "x" * len(m.group(0)), ans))
    cut = _SENTENCE_TAIL_RE.search(masked)  # "0.666..." keeps its dots
    if cut:  # cut at the sentence end, never inside a math span
        ans = ans[: cut.start()]
    # "... of $ABCDEFGH$ is 120": the value follows the last "is" / "equals" / "=".
    masked = _MATH_SPAN_RE.sub(lambda m: "x" * len(m.group(0)), ans)
    tail = list(_VALUE_VERB_RE.finditer(masked))
    if tail:
        ans = ans[tail[-1].end() :]
    spans = list(_MATH_SPAN_RE.finditer(ans))
    if spans:
        # "$12$ and $13$": trailing spans joined by "and" / "or" / commas are one list answer.
        run = [spans[-1]]
        for prev in reversed(spans[:-1]):
            if not _SPAN_JOIN_RE.fullmatch(ans[prev.end() : run[0].start()]):
                break
            run.insert(0, prev)
        ans = ", ".join(next(g for g in m.groups() if g is not None).strip() for m in run)
    elif (
        (not _FEW_WORDS_RE.fullmatch(ans.strip()) or _CJK_RE.search(ans))
        and _NUMBER_RE.search(ans) and not _looks_like_formula(ans)
    ):
        # A sentence in words with a number in it: "Jane started growing Sphere 3 hours ago."
        ans = _NUMBER_RE.findall(ans)[-1]
    ans = ans.strip().strip("*").strip()
    ans = _UNDERSCORE_EMPH_RE.sub(r"\1", ans).strip()  # markdown emphasis: "_45°_"
    ans = ans.rstrip() if ans.rstrip().endswith("...") else _TRAILING_DOTS_RE.sub("", ans)
    if not ans or len(ans) > 300:
        return None
    return ans


def extract_math_answer(answer_text: str) -> Extraction:
    """The final math answer in ``answer_text`` (text after the reasoning), with its rule.

    Order: the last box (adjacent boxes of one answer joined), unless an explicit "final answer"
    line follows it; without a box, the "final answer" / "answer is" phrases, a response that is
    only a formula or number, then the last sentence of the last line (a value stated after
    "is" or "=", a math span, a formula, a number). Only a bounded tail is read by the fallbacks.
    """
    if not answer_text or not answer_text.strip():
        return Extraction(None, None)
    text = answer_text[-MAX_SCAN:]
    boxes = find_boxed(text)
    boxes = [b for b in boxes if b[2]]
    if boxes:
        group = [boxes[-1]]
        for prev in reversed(boxes[:-1]):
            between = text[prev[1] : group[0][0]]
            if len(between) <= 200 and _JOIN_RE.match(between):
                group.insert(0, prev)
            else:
                break
        after = text[group[-1][1] :]
        if len(after) <= _FALLBACK_SCAN:
            # "\boxed{255} ... Final Answer: The final answer is $10,455$": the box was a step.
            phrase = _phrase_answer(after, ("final_answer_phrase", "final_answer_heading", "answer_line"))
            if phrase.extracted is not None and _VALUE_CHAR_RE.search(phrase.extracted):
                return phrase  # a value, not "Final answer: as computed above"
        if len(group) > 1:
            parts = tuple(b[2] for b in group)
            return Extraction(", ".join(parts), "boxed_multi", parts)
        return Extraction(group[0][2], "boxed")
    if any(cmd + "{" in text or cmd + " {" in text for cmd in BOX_CMDS):
        return Extraction(None, None)  # a box that never closed: the answer was cut off
    tail = text[-_FALLBACK_SCAN:].replace("\u2212", "-")  # a unicode minus is part of the number
    phrase = _phrase_answer(tail, tuple(rule for rule, _ in _FALLBACKS))
    if phrase.extracted is not None:
        return phrase
    # A response that is only a formula (e.g. an API that returns just "$\frac{1}{2}$").
    stripped = tail.strip()
    if len(stripped) <= 400:
        m = _BARE_MATH_RE.fullmatch(stripped)
        if m:
            return Extraction(next(g for g in m.groups() if g is not None).strip(), "bare_math")
        if _BARE_NUMBER_RE.fullmatch(stripped):
            return Extraction(_strip_final_period(stripped), "bare_number")
    return _last_sentence_answer(stripped)


def _phrase_answer(text: str, rules: tuple[str, ...]) -> Extraction:
    """The value of the last "final answer ..." / "answer: ..." / "the answer is ..." phrase."""
    for rule, pattern in _FALLBACKS:
        if rule not in rules:
            continue
        matches = list(pattern.finditer(text))
        if matches:
            ans = _clean_fallback(matches[-1].group("ans"))
            if ans:
                return Extraction(ans, rule)
    return Extraction(None, None)


_MAX_SENTENCE = 500
# An align / aligned / eqnarray block that ends the response (its last 2,000 characters).
_ALIGN_END_RE = re.compile(
    r"\\begin\{(align\*?|aligned|eqnarray\*?)\}((?:(?!\\begin\{)[\s\S]){1,1990})\\end\{\1\}\s*(?:\\\]|\$\$)?\s*\.?\s*$"
)
# Chat-template tokens a server left at the end: "<|im_start|>user", "<|eot_id|>", "<｜end▁of▁sentence｜>".
_SPECIAL_TOKEN_TAIL_RE = re.compile(r"(?:\s*<[|｜][^<>\n]{1,40}[|｜]>\s*(?:user|assistant|system)?)+\s*$")
_LINE_MARKUP_RE = re.compile(r"^[\s#>*\-]*(?:\d+\.\s+)?")
_SENTENCE_END_RE = re.compile(r"[.!?](?:\*\*|__)?\s+(?=\S)")
# Letters in a formula: command names, single-letter variables and a few function names only.
_WORDISH_RE = re.compile(r"(?<![\\A-Za-z])(?!(?:sqrt|pi|sin|cos|tan|cot|sec|csc|log|ln|exp|infty|deg|or|and)\b)[A-Za-z]{3,}")


_CJK_RE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


_PLEASANTRY_RE = re.compile(r"(?:thanks|thank\s+you|i\s+hope|hope\s+this|let\s+me\s+know|feel\s+free|good\s+luck|cheers)\b", re.I)


def _looks_like_formula(s: str) -> bool:
    """``4\\sqrt{2}``, ``4√2``, ``x^2+1``, ``(1, 2)``: math, not a sentence in words."""
    s = s.strip()
    return (
        bool(s) and len(s) <= 120 and not _WORDISH_RE.search(s) and not _CJK_RE.search(s)
        and bool(_FORMULA_CHAR_RE.search(s))
    )


_MATH_WORDS = frozenset("sqrt pi sin cos tan cot sec csc log ln exp infty".split())


def _formula_suffix(s: str) -> str:
    """The longest run of formula tokens that ends ``s``: words of two or more lowercase letters
    (other than math names and a joining "or"/"and") end it; "BC", "x", "4√2" do not."""
    tokens = s.split()
    keep: list[str] = []
    for tok in reversed(tokens):
        word = tok.strip(",.:;")
        if _WORD_RE.fullmatch(word) and not (
            word.lower() in _MATH_WORDS or (word in ("or", "and") and keep) or _ACRONYM_RE.fullmatch(word)
        ):
            break
        keep.insert(0, tok)
    while keep and keep[0].strip(",.:;") in ("or", "and"):
        keep.pop(0)
    return " ".join(keep).strip().rstrip(",.;:").strip()


def _drop_unit_words(s: str) -> str:
    """``5 − 2√3 square units`` -> ``5 − 2√3``."""
    words = s.split()
    while len(words) > 1 and words[-1].lower().strip(".,") in UNIT_WORDS:
        words.pop()
    return " ".join(words)


_RELATION_RE = re.compile(r"[<>!:≤≥≠]|\\(?:[lg]eq?|neq?|approx|equiv|sim|Rightarrow|implies|iff|to)\b")
_LONE_NAME_RE = re.compile(r"\s*[A-Za-z](?:_\{?\w+\}?)?\s*")


def computed_value(formula: str, *, stated: bool = False) -> str | None:
    """``t(g(16)) = t(4) = 3-2 = 1`` -> ``1``: the constant a stated computation ends in, or None.

    Used by the grader only against a gold that is not an equation. Three or more sides are a
    computation; two sides only when the left side names a quantity of several letters or a
    function value (``x + y + z = 22``, ``f(3) = 8``) or the sentence said "is" (``the side is
    $2a = 16\\sqrt{3}$``), so ``x + 1 = 5`` stays an equation for x. Relations are never reduced."""
    f = formula.strip().rstrip(".,;").strip()
    if "=" not in f or _RELATION_RE.search(f) or f.count("{") != f.count("}") or len(f) > 1000:
        return None
    sides = f.split("=")
    rhs = sides[-1].strip()
    if len(sides) == 2:
        names = set(_VARIABLE_RE.findall(_COMMAND_RE.sub(" ", sides[0])))
        function_value = _FUNCTION_VALUE_RE.search(sides[0]) is not None
        scaled_name = _SCALED_NAME_RE.fullmatch(sides[0]) is not None
        if rhs == "0" or not (len(names) >= 2 or function_value or (stated and scaled_name)):
            return None  # "x + 1 = 5", "5x - 7y + 11z + 4 = 0": equations
    if len(sides) == 2 and _LONE_NAME_RE.fullmatch(sides[0]):
        return None  # "x = 3": the grader reads an assignment with its name
    bare = _COMMAND_OR_SUBSCRIPT_RE.sub("", rhs)
    if not rhs or rhs.count("{") != rhs.count("}") or not _DIGIT_RE.search(rhs) or _LETTER_RE.search(bare):
        return None
    return rhs


def _last_sentence_answer(text: str) -> Extraction:
    """Last resorts, named so a reader of the record can discount them, read from the last sentence
    of the last line: a value stated after "is" (``stated_value``), the right side of a final
    ``BC = x = 4√2`` (``final_line``), the last math span, a line that is only a formula, the last
    number. A last sentence longer than 500 characters gives at most a stated value or math span."""
    text = _SPECIAL_TOKEN_TAIL_RE.sub("", text).rstrip()
    # "0.666..." is a repeating decimal, not a sentence end: its dots become one ellipsis character.
    text = _REPEATING_DOTS_RE.sub(r"\1…", text[-_FALLBACK_SCAN:])
    last_par = text.rsplit("\n\n", 1)[-1][-2000:]
    display = list(_MATH_SPAN_RE.finditer(last_par))
    if display and display[-1].end() == len(last_par) and "\n" in display[-1].group(0):
        # "Answer \\[ \n 9 \n \\]": a display formula that ends the response is its answer.
        value = next(g for g in display[-1].groups() if g is not None).strip()
        if value and len(value) <= 300:
            return Extraction(value, "last_math_span")
    aligned = _ALIGN_END_RE.search(text[-2000:])
    if aligned:
        # A derivation in an align block ends the response: "&= 31\times 5\times 29 \\ &= 4495.
        # \end{align*}" -> the right side of its last row.
        rows = [r for r in _ROW_BREAK_RE.split(aligned.group(2)) if r.strip()]
        row = rows[-1] if rows else ""
        row = _ROW_NOISE_RE.sub(" ", row).strip().rstrip(".,;").strip()
        sides = _ROW_SIDES_RE.split(row)
        value = sides[-1].strip()
        if len(sides) > 1 and value and len(value) <= 300 and not _ORDER_RE.search(value):
            return Extraction(value, "last_math_span")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return Extraction(None, None)
    line = lines[-1].strip()
    # Display math ends a sentence ("... \geq 2.$$ Therefore, ..."): masked with a final period.
    masked = _MATH_SPAN_RE.sub(
        lambda m: "x" * (len(m.group(0)) - 1) + ("." if m.group(0).startswith(("$$", "\\[")) else "x"), line
    )
    bounds = [0] + [m.end() for m in _SENTENCE_END_RE.finditer(masked)] + [len(line)]
    sentences = [line[a:b] for a, b in zip(bounds, bounds[1:]) if line[a:b].strip()]
    sentence = sentences[-1] if sentences else line
    # Skip closing pleasantries without a value ("I hope it is correct."), up to three sentences.
    for candidate in reversed(sentences[-4:]):
        if _SENTENCE_VALUE_RE.search(candidate):
            sentence = candidate
            break
    if sentence is not sentences[-1] and sentences and not _ENDED_RE.search(sentences[-1]) \
            and len(sentences[-1].split()) >= 3 and not _PLEASANTRY_RE.match(sentences[-1].strip()):
        return Extraction(None, None)  # "... Then we need to add the remaining": cut off mid-sentence
    sentence = _LINE_MARKUP_RE.sub("", sentence).strip()
    long = len(sentence) > _MAX_SENTENCE
    if long:
        sentence = sentence[-_MAX_SENTENCE:]
    stated = list(_STATED_VALUE_RE.finditer(sentence))
    if stated:
        value = next(g for g in stated[-1].groups() if g is not None).strip()
        if value and stated[-1].lastindex == 5 and not long:
            # A number that starts a plain formula: "The area is 5 − 2√3 square units."
            rest = _drop_unit_words(_FINAL_STOP_RE.sub("", sentence[stated[-1].start(5) :].strip()).strip())
            if rest != value and _looks_like_formula(rest):
                value = rest
        if value and stated[-1].lastindex is not None and stated[-1].lastindex <= 4:
            # "The roots are $-3$ and $2$": spans joined by "and" / "or" / commas are one answer.
            rest, parts = sentence[stated[-1].end() :], [value]
            for m in _MATH_SPAN_RE.finditer(rest):
                if not _SPAN_JOIN_RE.fullmatch(rest[: m.start()]) or len(parts) >= 10:
                    break
                parts.append(next(g for g in m.groups() if g is not None).strip())
                rest = rest[m.end() :]
            value = ", ".join(parts)
            # "the side length is $2a = 16\sqrt{3}$": the quantity is the chain, its value the last side.
        if value:
            return Extraction(value.rstrip(","), "stated_value")
    spans = list(_MATH_SPAN_RE.finditer(sentence))
    if spans:
        value = next(g for g in spans[-1].groups() if g is not None).strip()
        if value and len(value) <= 300:
            return Extraction(value, "last_math_span")
    if long:
        return Extraction(None, None)
    plain = _strip_final_period(sentence.replace("**", "").strip()).strip()
    plain = _UNDERSCORE_EMPH_RE.sub(r"\1", plain).strip()
    if "=" in plain:
        # "So x = 3 or x = -2", "The solutions are x = 1 and x = 2": the formula that ends the
        # sentence (all of it when it is one), else the right side of its last "=".
        formula = _formula_suffix(plain)
        if "=" in formula and _looks_like_formula(formula):
            return Extraction(formula, "final_line")
        rhs = plain.rsplit("=", 1)[1].strip()
        if _looks_like_formula(rhs):
            return Extraction(rhs, "final_line")
    elif _looks_like_formula(plain) and _FORMULA_VALUE_RE.search(plain):
        return Extraction(plain, "final_line")
    else:
        # "So the interval is x ≤ 1 or x > 4": an inequality that ends the sentence.
        formula = _formula_suffix(plain)
        if _INEQUALITY_RE.search(formula) and _looks_like_formula(formula):
            return Extraction(formula, "final_line")
    numbers = _NUMBER_RE.findall(sentence)
    if numbers:
        return Extraction(numbers[-1].rstrip(","), "last_number")
    return Extraction(None, None)


def _strip_final_period(text: str) -> str:
    """A sentence's final period(s) off, except the dots of a repeating decimal ("0.666...")."""
    return text if _REPEATING_RE.search(text) else text.rstrip(".")
