"""Which option a multiple-choice answer commits to: a letter, or the text of exactly one option.

Letters: ``Answer: C``, ``\\boxed{C}``, ``The answer is (C)``, ``the correct option is **D. 42 kJ**``,
``This corresponds to option B``, ``答案是 B``, a lone final letter, ... (:func:`extract_choice`);
``None`` when the answer weighs several letters without committing ("A or C"). Content: with the
shown options known, an answer that names one option by its text or value (``\\boxed{-0.4}``,
``the answer is **sodium borohydride**``) maps to that option's letter (:func:`match_option`).

Hand-written: lm-eval's regex filters take the first match of one fixed phrasing and never map an
option's content back to its letter; neither records which rule fired. Every pattern here runs on a
bounded tail of the answer and has no nested unbounded quantifiers, so time is linear in the input.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import NamedTuple

from r1bench.grading.extraction import Extraction, find_boxed

__all__ = ["extract_choice", "match_option", "option_candidates", "MAX_CHOICE_SCAN"]

#: Only the last this many characters of an answer are read for a choice (the commitment is at the
#: end; a 1 MB looping output must not cost more than this).
MAX_CHOICE_SCAN = 20_000
_LETTERS = "ABCDEFGHIJ"

# ---------------------------------------------------------------- normalisation

# Full-width letters, brackets and colon (Chinese / Japanese output) to ASCII.
_FULLWIDTH = str.maketrans(
    {**{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)}, **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
     "（": "(", "）": ")", "：": ":", "【": "[", "】": "]", "．": ".", "，": ","}
)
# Markup that wraps a letter without changing it: bold/underline markers, \text{...} and friends.
_EMPH_RE = re.compile(r"\*\*|__")
_TEXTCMD_RE = re.compile(r"\\(?:text(?:bf|rm|it|sf|tt)?|mathrm|mathbf|mathit|textsc|emph)\s*\{([^{}\n]{0,200})\}")
_MATH_DELIM_RE = re.compile(r"\\[()\[\]]")
_MATH_LETTER_RE = re.compile(r"\$\s*(\(?[A-J]\)?)\s*\$|\\\(\s*(\(?[A-J]\)?)\s*\\\)")


_HSPACE_RE = re.compile(r"[^\S\n]+")
_BLANKS_RE = re.compile(r" ?\n(?: ?\n)+ ?")
_EOL_SPACE_RE = re.compile(r" ?\n ?")


def _squash_ws(text: str) -> str:
    """Runs of spaces to one space, runs of blank lines to one blank line. Keeps every pattern
    linear: ``\\s*`` next to another ``\\s*`` would otherwise backtrack over a long blank run."""
    text = _HSPACE_RE.sub(" ", text)
    text = _BLANKS_RE.sub("\n\n", text)
    return _EOL_SPACE_RE.sub("\n", text)


def _normalise(text: str) -> str:
    """Answer text with emphasis and letter-wrapping markup removed (letters and words unchanged)."""
    text = _squash_ws(text.translate(_FULLWIDTH))
    text = _EMPH_RE.sub("", text)
    for _ in range(2):  # \textbf{\text{B}}: two levels are enough in practice
        text = _TEXTCMD_RE.sub(r"\1", text)
    text = _MATH_LETTER_RE.sub(lambda m: m.group(1) or m.group(2), text)
    return _squash_ws(_MATH_DELIM_RE.sub(" ", text))  # "the answer is \\( H. 55.92 \\)": delimiters are not content


# ---------------------------------------------------------------- letter rules


@lru_cache(maxsize=16)
def _choice_patterns(letters: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The committing phrasings, most explicit first. ``letters`` has both cases ("ABCDabcd")."""
    L = f"[{letters}]"
    # A letter as a standalone token: "(C)", "C", "[C]", "C." / "C:" / "C)". Not followed by a
    # letter, digit, hyphen or apostrophe: "D-glucose" and "A's" are words.
    tok = rf"(?:\(\s*(?P<l3>{L})\s*\)|\[\s*(?P<l4>{L})\s*\]|\(?(?P<l5>{L}))(?![A-Za-z0-9'\-])"
    opt = r"(?:(?:option|choice)\s*:?\s*)?"
    # A line that starts with an answer label ("⇒ Answer:", "Selected answer =", "My pick:", "Final:");
    # a few leading symbols (arrows, check marks, list bullets) are decoration.
    head = (r"(?:^|\n|(?<=[.!])[ \t]+)[ \t#>_$*\-•]*(?:[^\w\s]{1,3}[ \t]*)?(?:the\s+|my\s+|our\s+)?"
            r"(?:(?:final|correct|best|selected|chosen)\s+)?(?:answer|ans|option|choice|response|pick|selection|final|result)")
    sep = r"(?:[:：=]|[\-–—](?=\s)|->|=>|[→⇒➜➔⟶])"
    flags = re.IGNORECASE
    return (
        ("answer_line", re.compile(rf"{head}\s*{sep}\s*{opt}\$?\s*{tok}", flags)),
        # A Markdown table row "| Final answer | C |".
        ("answer_line", re.compile(rf"\|\s*(?:final(?:\s+answer)?|answer)\s*\|\s*{opt}{tok}\s*\|", flags)),
        ("answer_heading", re.compile(
            rf"(?:^|\n)[ \t]*#*[ \t]*(?:final\s+)?answer[ \t]*:?[ \t]*\n\s*{opt}\$?\s*{tok}", flags)),
        ("boxed_letter", re.compile(
            rf"\\boxed\s*\{{\s*(?:\\(?:text|textbf|mathrm|mathbf)\{{\s*)?(?:option\s+)?\(?\s*(?P<l6>{L})\s*\)?"
            rf"(?:\s*\}}|[.:)]?\s+[^{{}}\n]{{0,120}}\}})", 0)),
        ("answer_is", re.compile(
            rf"(?:final\s+|correct\s+|best\s+)?(?:answer|option|choice)s?(?:\s+(?:here|then|therefore|thus))?"
            rf"(?:\s+(?:is|are|would\s+be|should\s+be|must\s+be|would\s+have\s+to\s+be|has\s+to\s+be|will\s+be)|'s)(?:\s+(?:therefore|thus|hence|clearly|definitely|indeed"
            rf"|most\s+likely|likely|probably))?,?\s*[:：]?\s*{opt}\$?\s*{tok}", flags)),
        ("answer_is", re.compile(rf"(?:final\s+|correct\s+|best\s+)(?:answer|option|choice)\s*[:：]\s*{opt}{tok}", flags)),
        ("answer_is", re.compile(rf"\b(?:which|that|this)\s+is\s+(?:option|choice)\s+{tok}", flags)),
        # "the correct sequence of steps is option D", "the right reagent would be (B)".
        ("answer_is", re.compile(
            rf"\b(?:correct|right|best)\s+(?:[a-z\-]+\s+){{1,5}}(?:is|would\s+be)\s*:?\s*(?:option|choice)\s+{tok}",
            flags)),
        # "The most plausible answer: D", "The true statement is A", "the closest is B", "The nearest
        # option is (B)", "The statement that is true is (A)", "The correct response is C".
        ("answer_is", re.compile(
            rf"\b(?:most\s+(?:plausible|likely|accurate|appropriate|reasonable|suitable)|true|correct|right|best)"
            rf"(?:\s+(?:answer|option|choice|statement|response|value|match|one|pick))?"
            rf"(?:\s+(?:among|of|from)\s+(?:the\s+)?(?:given\s+|provided\s+|available\s+)?(?:options|choices)"
            rf"(?:\s+(?:provided|given|available|listed))?)?"
            rf"(?:\s+(?:is|would\s+be))?\s*:?\s*{opt}{tok}", flags)),
        ("answer_is", re.compile(
            rf"\b(?:statement|option|choice|answer|one)\s+that\s+is\s+(?:true|correct|right)\s+is\s*:?\s*{opt}{tok}",
            flags)),
        # "The only option consistent with both spectra is (A)".
        ("answer_is", re.compile(rf"\bonly\s+(?:option|choice|answer)\b[^.\n]{{0,80}}?\s(?:is|remains)\s+{opt}{tok}", flags)),
        # "That makes (C) the correct choice."
        ("answer_is", re.compile(rf"\bmakes?\s+{opt}{tok}\s+the\s+(?:correct|right|best)\b", flags)),
        ("answer_zh", re.compile(
            rf"(?:最终答案|正确的?答案|正确的?选项|答案|正确的(?:一项|是|为))\s*(?:应该?是|应为|是|为|选)?\s*[:]?\s*(?:选项)?\s*{tok}",
            0)),
        # "故选 C", "选 D" (but not "选项A是错误的": an option named in the reasoning).
        ("answer_zh", re.compile(rf"(?:(?:故|所以|因此|应该?|我)选(?:择)?\s*:?\s*(?:选项|项)?|选(?:择)?)\s*{tok}", 0)),
        ("is_correct", re.compile(
            rf"{opt}{tok}\s*(?:is|would\s+be)\s+(?:the\s+)?(?:(?:correct|right|best)(?:\s+(?:answer|option|choice))?"
            rf"|answer\b|most\s+(?:appropriate|likely|plausible|suitable|consistent|accurate))", flags)),
        ("is_correct", re.compile(rf"{opt}{tok}\s+(?:best\s+fits|fits\s+best|fits\b|(?:seems|looks)\s+(?:right|correct)"
                                  rf"|(?:appears|seems)\s+to\s+be\s+(?:the\s+)?(?:correct|right|best)"
                                  rf"|is\s+the\s+only\s+(?:one|option|choice)\s+(?:that|which)\s+(?:works|fits|matches|remains)"
                                  rf"|is\s+the\s+one\s+that\s+"
                                  rf"(?:fits|works|is\s+correct|matches))", flags)),
        # "Looking at the answer choices, (C) matches." (the end of a line: "(C) matches the pKa" is not)
        ("is_correct", re.compile(rf"{opt}{tok}\s+(?:matches|works|fits)\s*[.!]?(?=\n|$)", flags)),
        ("select", re.compile(rf"\bleaves\s+(?:us\s+)?(?:with\s+)?(?:only\s+)?(?:option|choice)\s+{tok}", flags)),
        # "Choice C matches the calculation" (the option word is required: "C matches" alone is prose).
        ("is_correct", re.compile(rf"\b(?:option|choice)\s+{tok}\s+(?:matches|agrees\s+with|is\s+consistent\s+with)"
                                  rf"\s+(?:the|our|my)\s+(?:calculation|result|value|analysis|derivation)", flags)),
        ("select", re.compile(
            rf"(?:I\s+(?:would\s+|will\s+)?(?:choose|select|pick)|I(?:'d|'ll)\s+(?:choose|select|pick|go\s+with)"
            rf"|I\s+(?:would|will)\s+go\s+with|go\s+with|(?:thus|therefore|hence|so)[,\s]+(?:option|choice)"
            rf"|we\s+(?:choose|select|pick)|I(?:'d|\s+would)\s+say)"
            rf"\s*{opt}{tok}", flags)),
        # "This corresponds to option B.", "which matches choice (C)".
        ("corresponds_to", re.compile(
            rf"\b(?:correspond(?:s|ing)?\s+to|match(?:es|ing)?|(?:is\s+)?consistent\s+with|aligns?\s+with"
            rf"|agrees?\s+with|points?\s+to)\s+"
            rf"(?:the\s+)?(?:answer\s+)?(?:option|choice|answer)\s*:?\s*{tok}", flags)),
        # "the closest is B", "The nearest option is (B)", "the closest match would be option (J)": the
        # policy is that a named closest option is the answer; two different closest letters are not.
        ("closest_option", re.compile(
            rf"\b(?:closest|nearest)(?:\s+(?:answer|option|choice|value|match|one))?"
            rf"(?:\s+(?:among|of|from)\s+(?:the\s+)?(?:given\s+)?(?:options|choices))?"
            rf"(?:\s+to\s+(?:our|the|my)\s+(?:calculated\s+|computed\s+|obtained\s+)?(?:value|result|answer))?"
            rf"\s+(?:is|would\s+be)\s*:?\s*{opt}{tok}", flags)),
        ("closest_option", re.compile(rf"\b(?:is|are|be)\s+closest\s+to\s+(?:option|choice)\s+{tok}", flags)),
        # "the tone best reflects option (I)", "which is described in option (J)".
        ("corresponds_to", re.compile(
            rf"\b(?:best\s+(?:reflects|describes|fits|matches|captures|represents)|(?:is\s+)?described\s+(?:in|by))\s+"
            rf"(?:option|choice)\s+{tok}", flags)),
        # "the answer that best encapsulates ... is (D) all of the above": a bracketed letter only.
        ("answer_is", re.compile(rf"\banswer\s+(?:that|which)\b[^.\n]{{0,150}}?\s(?:is|would\s+be)\s+\((?P<l7>{L})\)",
                                 flags)),
        # A closing "Therefore, C." / "So B." / "Hence, (C)." / "→ **C**": a connective or an arrow
        # then only the letter, at the end of a line.
        ("conclusion_letter", re.compile(
            rf"(?:(?:^|\n|[.!;]\s)(?:therefore|thus|hence|so|yes)\s*[,:]?\s*|(?:->|=>|[→⇒➜➔⟶∴]|\\therefore)\s*)"
            rf"\$?\s*{tok}\s*[.!]?\s*(?=\n|$)", flags)),
    )


def _letter_of(m: re.Match[str]) -> str:
    for key in ("l3", "l4", "l5", "l6", "l7"):
        v = m.groupdict().get(key)
        if v:
            return v.upper()
    raise ValueError("pattern without a letter group")


def _acceptable(m: re.Match[str], rule: str, text: str) -> bool:
    """Reject bare letters that are words: lowercase "a"/"c" in prose, the article "A", "I"."""
    if _SUBPART_BEFORE_RE.search(text[max(0, m.start() - 30) : m.start()]):
        return False  # "For (b), the closest match would be option (J)": one sub-part of a multi-part answer
    paren = m.groupdict().get("l3") or m.groupdict().get("l4")
    if paren:  # "(b)" is option B after "Answer:", but a sub-part label "(a) 23.3 Btu" elsewhere
        if paren.isupper() or rule in ("answer_line", "answer_heading", "boxed_letter"):
            return True
        # "The answer is (b)." counts; "The answers are:\n(a) 30.14\n(b) 10.00" lists sub-parts.
        return rule == "answer_is" and not _ANSWERS_ARE_RE.search(m.group(0))
    bare = m.groupdict().get("l5")
    if not bare:
        return True
    if _OPTION_WORD_BEFORE_RE.search(text[max(m.start(), m.start("l5") - 12) : m.start("l5")]):
        return True  # "Option I is correct": after "option" a capital is a letter, not the pronoun
    after = text[m.end() : m.end() + 2]
    if bare.islower():
        # "Answer: b." counts, "Answer: a detailed look" does not.
        return rule in ("answer_line", "answer_heading") and after[:1] in ("", "\n", ".", ")", ",", "]", "*", "$")
    if bare in ("A", "I") and _ARTICLE_AFTER_RE.match(after):
        return False  # "Answer: A higher temperature ...": an article, not option A
    return True


def _match_rules(text: str, letters: str) -> list[tuple[str, re.Match[str]]]:
    """Accepted (rule, match) pairs of the committing rules, in rule priority order."""
    found = []
    for rule, pattern in _choice_patterns(letters + letters.lower()):
        for m in pattern.finditer(text):
            if _acceptable(m, rule, text):
                found.append((rule, m))
    return found


def extract_choice(answer_text: str, num_choices: int = 4) -> Extraction:
    """The committed option letter (A.. up to ``num_choices``), or None when not committed.

    Rules go from the most explicit (an ``Answer: X`` line) to the loosest; the highest-priority
    rule that matches decides, its last match winning, unless a later committing statement follows
    a self-correction ("Answer: A ... wait, actually the answer is C" -> C). A response that names
    alternatives ("A or C", "A/B", "Answer: A and C") is not committed: None.
    """
    if not 2 <= num_choices <= len(_LETTERS):
        raise ValueError(f"num_choices must be in 2..{len(_LETTERS)}, got {num_choices}")
    if not answer_text or not answer_text.strip():
        return Extraction(None, None)
    letters = _LETTERS[:num_choices]
    text = _normalise(answer_text[-MAX_CHOICE_SCAN:])
    slot = _answer_slot(text, letters)
    if slot is not None:
        return slot
    found = _match_rules(text, letters)
    if found:
        rule = found[0][0]
        same = [m for r, m in found if r == rule]
        chosen_rule, chosen = rule, max(same, key=lambda m: m.start())  # the rule's last statement
        # A later statement after a self-correction overrides the higher-priority rule.
        later = [(r, m) for r, m in found if m.start() > chosen.end()]
        if later:
            r, m = max(later, key=lambda rm: rm[1].start())
            if _CORRECTION_RE.search(text[chosen.end() : m.start()]):
                chosen_rule, chosen = r, m
        if _ALT_AFTER_RE.match(text, chosen.end()):
            return Extraction(None, None)  # "Answer: A or B", "B/C", "A and C", "A (or possibly C)"
        if _DISOWN_AFTER_RE.search(text[chosen.end() : chosen.end() + 200]):
            return Extraction(None, None)  # "the closest option is (B), but this is not the correct answer"
        if _HEDGE_BEFORE_RE.search(text[max(0, chosen.start() - 60) : chosen.start()]):
            return Extraction(None, None)  # "the answer is either B or D"
        letters_seen = [_letter_of(m) for r, m in found if r == chosen_rule]
        if len(set(letters_seen)) > 1:
            prev = sorted((m for r, m in found if r == chosen_rule and m.end() <= chosen.start()), key=lambda m: m.start())
            if prev and _hedged_between(text[prev[-1].end() : chosen.start()]):
                return Extraction(None, None)
            if (chosen_rule in ("is_correct", "closest_option") and prev and _letter_of(prev[-1]) != _letter_of(chosen)
                    and not _CORRECTION_RE.search(text[prev[-1].end() : chosen.start()])):
                return Extraction(None, None)  # "Option G is correct ... Option I is correct": two answers
        return Extraction(_letter_of(chosen), chosen_rule)
    if len(set(_SUBPART_RE.findall(text[-1000:]))) >= 2:
        return Extraction(None, None)  # "for part (a) ... B and for part (b) it is D": one letter per sub-part
    return _late_choice(text, letters)


# Explicit answer slots that a prompt asked for and whose content alone is the answer: the
# Chinese exam format "【答案】 A <eoa>" (full-width brackets are ASCII after _normalise) and a JSON
# "answer" field ({"reasoning": ..., "answer": "B"}). The last slot decides, whatever the reasoning
# named before it; a slot that names several letters or none commits to no option.
_SLOT_RES = (
    ("answer_slot", re.compile(r"\[答案\]\s*:?[ \t]*([^\n<]{0,200})")),
    ("json_answer", re.compile(r'"(?:final_)?answer"\s*:\s*(?:"((?:[^"\\\n]|\\.){0,300})"|(null)\b)',
                               re.IGNORECASE)),
)
_SLOT_ALT_RE = re.compile(r"\s*(?:[,、&/和或及]|\band\b|\bor\b|\(\s*or\b)", re.IGNORECASE)
# Letter rules' context: a sub-part label before the letter ("For (b), ..."), a list of sub-part
# answers, "option" just before a bare capital, an article after "A", a negation after a bare letter,
# a "let us check:" line, decoration before a last-line letter, "or"/"either" between two letters.
_SUBPART_BEFORE_RE = re.compile(r"\bfor\s+(?:part\s+)?\(?[a-z0-9]\)\s*,?\s*(?:the\s+)?$", re.IGNORECASE)
_SUBPART_RE = re.compile(r"\bfor\s+(?:part\s+)?\(([a-z0-9])\)", re.IGNORECASE)
_ANSWERS_ARE_RE = re.compile(r"answers\s+are", re.IGNORECASE)
_OPTION_WORD_BEFORE_RE = re.compile(r"(?:option|choice)\s*:?\s*\(?$", re.I)
_ARTICLE_AFTER_RE = re.compile(r" [a-z]")
_RULED_OUT_RE = re.compile(r"\b(?:not|cannot|can't|isn't|wrong|incorrect|false)\b", re.IGNORECASE)
_CHECKING_RE = re.compile(r"\b(?:check|evaluate|consider|examine|look\s+at|analy[sz]e|test)\b[^\n]*:$", re.IGNORECASE)
_DECORATION_RE = re.compile(r"^[^\w\s(\[\-*•$\\]+\s*")
_OR_EITHER_RE = re.compile(r"\bor\b|\beither\b", re.IGNORECASE)


class _LetterPatterns(NamedTuple):
    """The letter rules whose patterns name the option letters (``ABCD``), compiled once per set."""

    slot_letter: re.Pattern[str]
    slot_letter_anycase: re.Pattern[str]
    any_letter: re.Pattern[str]
    option_line: re.Pattern[str]
    bare_token: re.Pattern[str]
    bare_label: re.Pattern[str]
    lone_letter: re.Pattern[str]
    option_echo: re.Pattern[str]
    first_line: re.Pattern[str]
    last_option: re.Pattern[str]
    last_named_option: re.Pattern[str]
    last_named_option_only: re.Pattern[str]
    weak: tuple[tuple[str, re.Pattern[str]], ...]
    verdict_mark: re.Pattern[str]


@lru_cache(maxsize=16)
def _letter_patterns(letters: str) -> _LetterPatterns:
    """:class:`_LetterPatterns` for the upper-case option letters ``letters``."""
    return _LetterPatterns(
        slot_letter=re.compile(rf"\(?\s*([{letters}])\s*\)?(?![A-Za-z0-9'\-])"),
        slot_letter_anycase=re.compile(rf"\(?\s*([{letters}])\s*\)?(?![A-Za-z0-9'\-])", re.IGNORECASE),
        any_letter=re.compile(rf"[{letters}]"),
        option_line=re.compile(rf"^(?:[-*•]\s*)?\(?(?:option\s+)?([{letters}])\s*[.):]\s", re.IGNORECASE),
        bare_token=re.compile(rf"\(?\s*([{letters}])\s*\)?\s*(?:[.):]\s*[^\n]*)?"),
        bare_label=re.compile(rf"\(?([{letters}])[.)]"),
        lone_letter=re.compile(rf"\(?([{letters}])\)?\.?"),
        option_echo=re.compile(rf"^\s*option\s+([{letters}])\s*[:.)]", re.IGNORECASE),
        first_line=re.compile(rf"^\(?([{letters}])\)?(?:[.):]|\s+[—–\-]\s|$)"),
        last_option=re.compile(rf"^\(?([{letters}])[.)]\s+\S"),
        last_named_option=re.compile(rf"^(?:option|choice)\s+\(?([{letters}])\)?[.):]\s+\S", re.IGNORECASE),
        last_named_option_only=re.compile(rf"(?:option|choice)\s+\(?([{letters}])\)?\.?", re.IGNORECASE),
        # "..., it is C.", "(option B)": weak signals, taken only when they name a single letter.
        weak=(
            ("it_is", re.compile(rf"\bit(?:'s|\s+is)\s+(?:option\s+)?\(?([{letters}])\)?(?=[\s.,;:!)]|$)")),
            ("parenthetical_option", re.compile(rf"\((?:option|choice)\s+([{letters}])\)", re.IGNORECASE)),
            # "Only option C gives a speed consistent with ...".
            ("only_option", re.compile(rf"\bonly\s+(?:option|choice)\s+\(?([{letters}])\)?\s+(?:gives|fits|matches|satisfies"
                                       rf"|works|agrees|yields|survives|remains|passes|holds|is\s+(?:correct|true|consistent))",
                                       re.IGNORECASE)),
        ),
        verdict_mark=re.compile(
            rf"(?:^|\n|(?<=[.!;,✓✔✗✘]) )[ \t\-*•|>]*(?:(?i:option|choice)\s+)?\(?([{letters}])\)?"
            rf"(?:\s*[.):|]|\s+[—–\-]\s|\s+(?:is|was|would\s+be)\b|(?=\s*[✓✔✗✘❌✅]))"),
    )


def _answer_slot(text: str, letters: str) -> Extraction | None:
    """The verdict of the last explicit answer slot in ``text``, or None when there is no slot."""
    best: tuple[int, str, str] | None = None
    for rule, pattern in _SLOT_RES:
        for m in pattern.finditer(text):
            if best is None or m.start() > best[0]:
                best = (m.start(), rule, m.group(1) or "")
    if best is None:
        return None
    _, rule, content = best
    c = content.strip().strip("*_`").strip()
    pats = _letter_patterns(letters)
    m = (pats.slot_letter_anycase if rule == "json_answer" else pats.slot_letter).match(c)
    # A slot that commits to no single letter is still the response's explicit answer: its rule is
    # kept with answer None, so the grader does not go looking for an option elsewhere in the text.
    if not m or (c[m.start(1)].islower() and len(c) > m.end()):
        return Extraction(None, rule)  # "无", "None of the above", "AD" (two answers), a lowercase word
    rest = c[m.end():]
    if _SLOT_ALT_RE.match(rest) and pats.any_letter.search(rest[:40]):
        return Extraction(None, rule)  # "A, C", "A 或 D", "B (or D, both are correct)"
    return Extraction(m.group(1).upper(), rule)


def _late_choice(text: str, letters: str) -> Extraction:
    """Signals without a committing phrase: a bare letter, an echoed option line, and similar."""
    pats = _letter_patterns(letters)
    stripped = text.strip()
    lines = [ln.strip() for ln in stripped[-4000:].splitlines() if ln.strip()]
    option_lines = [ln for ln in lines if pats.option_line.match(ln)]
    verdict = _option_verdicts(text[-4000:], letters)
    if verdict is not None:
        return Extraction(verdict, "option_verdicts")
    # The whole response is one letter token: "C", "(C)", "C.", "C) Paris".
    bare = stripped.replace("$", "").strip() if len(stripped) <= 200 else ""
    m = pats.bare_token.fullmatch(bare)
    if m and (len(bare) <= 4 or pats.bare_label.match(bare)):
        if _RULED_OUT_RE.search(bare[m.start(1) + 1:].split("\n", 1)[0]):
            return Extraction(None, None)  # "(C) matches the pKa, not the pH, so it cannot be right."
        return Extraction(m.group(1).upper(), "bare_letter")
    # The last line is just a letter ("...\n\nB", "**A**" after the options restated): a commitment.
    if lines and pats.lone_letter.fullmatch(lines[-1].replace("$", "").strip()):
        return Extraction(lines[-1].replace("$", "").strip().strip("().").upper(), "last_line_letter")
    if len(option_lines) >= 2:
        return Extraction(None, None)  # the options restated as a list: no commitment
    # "Option B: The molecule is a flavonoid glycoside." (a MoleculeQA option line echoed).
    m = pats.option_echo.match(stripped)
    if m:
        return Extraction(m.group(1).upper(), "option_echo")
    # The letter first, then the explanation: "B. 3.7\n\nExplanation: ...", "A — enzymes lower ...".
    if len(lines) >= 2 and len(lines[0]) <= 300:
        m = pats.first_line.match(lines[0])
        if m:
            return Extraction(m.group(1), "first_line_letter")
    # The last line is just a letter ("...\n\nB"), or starts with a letter option ("B. 42",
    # "Option A. 12", "✅ C. 6.4 m/s": leading arrows and check marks are decoration).
    checking = len(lines) >= 2 and _CHECKING_RE.search(lines[-2])
    if lines and len(lines[-1]) <= 400 and not checking:  # a long last line is prose ("I. ... II. ...")
        last = _DECORATION_RE.sub("", lines[-1].replace("$", "").strip())
        m = pats.lone_letter.fullmatch(last)
        if m:
            return Extraction(m.group(1), "last_line_letter")
        m = pats.last_option.match(last) or pats.last_named_option.match(last)
        if m:
            return Extraction(m.group(1).upper(), "last_line_option")
        m = pats.last_named_option_only.fullmatch(last)
        if m:
            return Extraction(m.group(1).upper(), "last_line_option")
    # "..., it is C.", "(option B)": weak signals, taken only when they name a single letter.
    tail = text[-2000:]
    for rule, pattern in pats.weak:
        hits = {h.upper() for h in pattern.findall(tail)}
        if len(hits) == 1:
            return Extraction(hits.pop(), rule)
    return Extraction(None, None)


# A verdict on one option, where a review puts it: right after the option's label ("A: wrong",
# "(C) True —"), after a dash, comma or colon ("C) 6.4 m/s - correct"), in "this is correct", or a
# check mark. Not anywhere in the segment: a restated option's own text says "true" or "false analogy".
_V_NEG = r"(?:incorrect|wrong|false|invalid|untrue|eliminated?|ruled\s+out|not\s+(?:correct|true|right|valid|the\s+answer))"
_V_POS = r"(?:correct|true|right|valid|yes)"
_NEGATIVE_RE = re.compile(
    rf"^\s*[:\-—–]?\s*(?:{_V_NEG}|no)\b|[\-—–:,;(]\s*{_V_NEG}\b|\b(?:this|it|which)\s+is\s+{_V_NEG}\b"
    rf"|\b(?:is|are)\s+{_V_NEG}\b|[✗✘❌]", re.IGNORECASE)
_POSITIVE_RE = re.compile(
    rf"^\s*[:\-—–]?\s*{_V_POS}\b|[\-—–:,;(]\s*{_V_POS}\b|\b(?:this|it|which)\s+is\s+(?:the\s+)?(?:{_V_POS}|correct\s+answer)\b"
    rf"|[✓✔✅]", re.IGNORECASE)


def _option_verdicts(text: str, letters: str) -> str | None:
    """The one option a per-option review calls right ("A is wrong ... C is correct ... D is wrong",
    "| C | ✓ |"), when at least two others are called wrong and no other is called right; else None."""
    marks = list(_letter_patterns(letters).verdict_mark.finditer(text))
    if len(marks) < 3:
        return None
    positive, negative = set(), set()
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        seg = text[m.end() : min(end, m.end() + 400)]
        seg = seg.split("\n\n", 1)[0]  # a verdict belongs to its own paragraph
        if _NEGATIVE_RE.search(seg):
            negative.add(m.group(1))
        elif _POSITIVE_RE.search(seg):
            positive.add(m.group(1))
    positive -= negative
    if len(positive) == 1 and len(negative - positive) >= 2:
        return positive.pop()
    return None


# After the committed letter: an alternative ("or C", "/C", "and C", ", C", "(or possibly C)").
_ALT_AFTER_RE = re.compile(
    r"\s*\)?\s*(?:/|,\s*(?:or\s+|and\s+)?|\s(?:and|or|&)\s+|\(\s*or\s+|\bor\s+)"
    r"(?:maybe\s+|possibly\s+|perhaps\s+)?(?:option\s+)?\(?\s*[A-J]\s*\)?(?![A-Za-z0-9'\-])",
    re.IGNORECASE,
)
# Just before the letter: "either" ("the answer is either B or D" is caught after the letter too).
_HEDGE_BEFORE_RE = re.compile(r"\b(?:either|between)\b[^.\n]{0,30}\bor\s+(?:option\s+|choice\s+)?\(?$", re.IGNORECASE)
# Right after the letter: the response takes it back ("..., but it is not the correct answer").
_DISOWN_AFTER_RE = re.compile(
    r"^[\s\S]{0,160}?\b(?:(?:but|however,?)\s+(?:this|it)\s+is\s+not\s+(?:the\s+)?(?:correct|right|exact)"
    r"|which\s+is\s+not\s+even\s+close|there\s+is\s+no\s+correct\s+(?:answer|option)"
    r"|none\s+of\s+the\s+(?:above|options|given\s+options)\s+(?:is|are)\b|answer\s*:\s*none\b|cannot\s+be\s+determined"
    r"|do(?:es)?\s+not\s+match\s+any\s+of\s+the\s+(?:provided|given)\s+options)",
    re.IGNORECASE,
)
_CORRECTION_RE = re.compile(
    r"\b(?:wait|actually|no\b|instead|however|but|re-?check|reconsider|mistake|correction|on\s+reflection)",
    re.IGNORECASE,
)


def _hedged_between(between: str) -> bool:
    """Two different letters joined by "or" with no self-correction between them: not committed."""
    if _CORRECTION_RE.search(between) or "\n" in between.strip():
        return False
    return bool(_OR_EITHER_RE.search(between))


# ---------------------------------------------------------------- option content

# Where an answer names its choice by content: the "answer is ..." sentence, an "Answer: ..." line.
_CONTENT_PHRASES = (
    re.compile(r"(?:final\s+|correct\s+|best\s+)?answer\s*(?:is|would\s+be|should\s+be)?\s*[:：]?\s*([^\n]{1,300})",
               re.IGNORECASE),
    re.compile(r"\b(?:correct|right|best)\s+(?:[a-z\-]+\s+){1,4}(?:is|would\s+be)\s*:?\s*([^\n]{1,300})",
               re.IGNORECASE),
    re.compile(r"(?:答案|正确答案)\s*(?:是|为)?\s*[:：]?\s*([^\n]{1,300})"),
)
_BOLD_RE = re.compile(r"\*\*([^*\n]{1,300})\*\*")
_SENTENCE_END_RE = re.compile(r"(?:[.;!?](?=\s|$)|,\s*(?:not|rather\s+than|instead\s+of)\b|\s+(?:because|since|as|which|and\s+(?:so|thus))\b)", re.IGNORECASE)


def option_candidates(answer_text: str) -> list[tuple[str, str]]:
    """(rule, text) spans that may name an option by content, most explicit last-stated first."""
    tail = _squash_ws(answer_text[-MAX_CHOICE_SCAN:])
    out: list[tuple[str, str]] = []
    boxes = [b for b in find_boxed(tail) if b[2]]
    if boxes:
        out.append(("boxed_content", boxes[-1][2]))
    last_part = tail[-3000:]
    for pattern in _CONTENT_PHRASES:
        hits = list(pattern.finditer(last_part))
        if hits:
            span = hits[-1].group(1)
            bold = _BOLD_RE.findall(span)
            if bold:
                out.append(("answer_content", bold[-1]))
            cut = _SENTENCE_END_RE.search(_EMPH_RE.sub("", span))
            out.append(("answer_content", _EMPH_RE.sub("", span)[: cut.start()] if cut else _EMPH_RE.sub("", span)))
    # The last line only: a bold option name earlier is as often one the response rules out.
    lines = [ln for ln in tail.strip().splitlines() if ln.strip()]
    if lines and len(lines[-1]) <= 300:
        bold = _BOLD_RE.findall(lines[-1])
        if bold:
            out.append(("bold_content", bold[-1]))
        out.append(("last_line_content", lines[-1]))
        if _concluding(tail):
            out.extend(("stated_value", v) for v in _stated_values(lines[-1]))
    return out


_CONTRAST_RE = re.compile(r"\b(?:but|however|although|though|close\s+to)\b", re.IGNORECASE)
_CUE_RE = re.compile(r"\b(?:therefore|thus|hence|answer|final|conclusion|correct|closest|overall|in\s+summary)\b"
                     r"|(?:^|[.!?]\s+)so\b|[⇒→∴]", re.IGNORECASE)


def _concluding(text: str) -> bool:
    """Whether the last line of ``text`` reads as the answer's conclusion, not a line of unfinished
    reasoning (a response cut at its token limit): a concluding word, a short whole answer, or a short
    last paragraph of its own, and no negation ("the answer is not among the options")."""
    stripped = text.strip()
    last = stripped.splitlines()[-1].strip() if stripped else ""
    if not last or len(last) > 300 or _NEGATION_RE.search(last) or _CONTRAST_RE.search(last):
        return False
    if len(set(_PAREN_LETTER_RE.findall(last))) >= 2:
        return False  # "(I) 1/π for k and (J) 1/2 for F(x)": a multi-part answer, not one option
    return bool(_CUE_RE.search(last) or len(stripped) <= 400
                or (len(last) <= 80 and _OWN_PARAGRAPH_RE.search(stripped)))


_LAST_SENTENCE_RE = re.compile(r"(?:^|[.!?;]\s)([^.!?;]*(?:\.\d[^.!?;]*)*)[.!?;]?\s*$")
_VALUE_AFTER_RE = re.compile(r"(?:[=≈:]|\\approx|\b(?:is|are|was|equals|be|of|at|with|gives|yields|to))\s+", re.IGNORECASE)
_VALUE_END_RE = re.compile(r",?\s+(?:which|because|since|so|as|and\s+(?:so|thus|this))\b|\s+(?:hybridi[sz]ed)\b", re.IGNORECASE)


def _stated_values(line: str) -> list[str]:
    """What a last line states as its value, by content: the right of the last "=", "≈" or ":", and
    the words after the last "is"/"at"/"with" of its last sentence ("v ≈ 6.4 m/s", "The organelle
    responsible is the Golgi apparatus.", "[OH-] = 4.8 × 10^-3 M, which is the answer.")."""
    out = []
    line = _EMPH_RE.sub("", line.strip())[-300:]
    for pat in (_RELATION_AFTER_RE, _VALUE_AFTER_RE):
        last = None
        for last in pat.finditer(line):  # noqa: B007 - the last match is wanted
            pass
        if last is not None:
            v = line[last.end():]
            cut = _VALUE_END_RE.search(v)
            v = (v[: cut.start()] if cut else v).strip().rstrip(".;!")
            v = _PAREN_TAIL_RE.sub("", v)  # "argon (Ar)"
            if v:
                out.append(v)
    return out


_WRAP_RE = re.compile(r"\\(?:text(?:bf|rm|it)?|mathrm|mathbf|operatorname)\s*\{([^{}]*)\}")
_RELATION_AFTER_RE = re.compile(r"(?:[=≈:]|\\approx)\s*")
_PAREN_TAIL_RE = re.compile(r"\s*\([^()]{1,20}\)$")
_WS_RE = re.compile(r"\s+")
_ARTICLE_RE = re.compile(r"^(?:the|an?)\s+(?=\S)")
_ECHOED_LABEL_RE = re.compile(r"^\(?[a-j][.):]\s+")
_SCRIPT_MARKS_RE = re.compile(r"[\^{}_]")
_OR_RE = re.compile(r"\bor\b")
_TOKEN_RE = re.compile(r"[\w.+\-/]+")
_CONTENT_WORD_RE = re.compile(r"[a-z][a-z\-]{2,}")
_BRACED_EXPONENT_RE = re.compile(r"\^\{\s*([-+]?\d+)\s*\}")
_APPROX_RE = re.compile(r"^(?:approximately|about|around|roughly|≈|~|\\approx)\s*", re.IGNORECASE)
_DIGIT_RE = re.compile(r"\d")
_TIMES_TEN_RE = re.compile(r"\s*[x×]\s*10\^\s*\(?([-+]?\d+)\)?")
_PAREN_LETTER_RE = re.compile(r"\(([A-J])\)")
_OWN_PARAGRAPH_RE = re.compile(r"\n\s*\n[^\n]*$")


@lru_cache(maxsize=1024)
def _option_text_re(option: str) -> re.Pattern[str]:
    """An option's normalised text as a whole token of a sentence ("sp3" not inside "sp3d")."""
    return re.compile(rf"(?<![\w.\-−]){re.escape(option)}(?![\w]|\.\d)")


def _norm_option_text(s: str) -> str:
    """Text of an option or a candidate, compared case- and markup-insensitively."""
    s = unicodedata.normalize("NFKC", s)
    s = _WRAP_RE.sub(r"\1", s)
    s = s.replace("$", "").replace("\\(", "").replace("\\)", "").replace("\\,", " ").replace("\\!", "")
    s = _EMPH_RE.sub("", s).replace("`", "")
    s = _WS_RE.sub(" ", s).strip().lower()
    s = s.strip(" .;:,!").strip()
    return _ARTICLE_RE.sub("", s)  # "the mitochondrion" names "mitochondrion"


_MATHY_RE = re.compile(r"[\d\\^_=]")
_MAX_VALUE_LEN = 60


def match_option(
    answer_text: str,
    options: Sequence[str],
    *,
    equal: Callable[[str, str], bool] | None = None,
) -> Extraction:
    """The letter of the one option the answer names by its content, or None (none, or several).

    Three passes over the candidate spans (:func:`option_candidates`), the first that names exactly
    one option deciding: the texts after normalisation (case, markup, spacing, end punctuation); plain
    numbers with the same unit ("80" and "80 g"); then, for an explicitly stated short answer (a box,
    "the answer is ...") with LaTeX in it or in the options, ``equal`` (e.g. a time-bounded
    :func:`r1bench.grading.math_equal`). Several options named at once: None.
    """
    opts = [_norm_option_text(str(o)) for o in options]
    nums = [_plain_number(o) for o in opts]
    cands = [(rule, cand, _norm_option_text(cand)) for rule, cand in option_candidates(answer_text)]
    cands = [(r, cand, c) for r, cand, c in cands if c and len(c) <= 300]
    for r, _cand, c in cands:
        hits = {i for i, o in enumerate(opts) if o and o == c}
        if not hits:  # "(B) 25%" / "B. 25%": an option echoed with its letter
            stripped = _ECHOED_LABEL_RE.sub("", c)
            hits = {i for i, o in enumerate(opts) if o and o == stripped}
        if hits:
            value = _plain_number(c)
            if value is not None:  # "4" names "4" but also "4.0": the same value twice is ambiguous
                hits |= {i for i, n in enumerate(nums) if n is not None and _same_quantity(value, n)}
            return Extraction(_LETTERS[hits.pop()], r) if len(hits) == 1 else Extraction(None, None)
    for r, _cand, c in cands:
        if r not in ("boxed_content", "answer_content", "stated_value"):
            continue
        value = _plain_number(c)
        if value is None:
            continue
        hits = {i for i, n in enumerate(nums) if n is not None and _same_quantity(value, n)}
        if hits:
            return Extraction(_LETTERS[hits.pop()], r) if len(hits) == 1 else Extraction(None, None)
    if equal is None:
        return _contained_option(answer_text, opts) or Extraction(None, None)
    for r, cand, c in cands:
        if r not in ("boxed_content", "answer_content", "stated_value") or len(c) > _MAX_VALUE_LEN or not _MATHY_RE.search(c):
            continue
        plain = _plain_number(c) is not None  # a plain number was compared with plain-number options above
        latex = [i for i, o in enumerate(opts) if _MATHY_RE.search(o) and len(o) <= _MAX_VALUE_LEN
                 and (_LATEX_RE.search(str(options[i])) or _LATEX_RE.search(cand))
                 and not (plain and nums[i] is not None)]
        if not latex:
            continue
        hits = {i for i in latex if _safe_equal(equal, cand, str(options[i]))}
        if hits:
            return Extraction(_LETTERS[hits.pop()], r) if len(hits) == 1 else Extraction(None, None)
        break  # one value comparison round per answer: each may cost a symbolic check
    return _contained_option(answer_text, opts) or Extraction(None, None)


_STOP = frozenset("the a an it is are was of in on at to for and or by with its this that be as from".split())
_NEGATION_RE = re.compile(r"\b(?:not|no|never|neither|nor|rather\s+than|instead\s+of|isn't|aren't|either)\b|n't\b",
                          re.IGNORECASE)


def _loose(s: str) -> str:
    """Option text with sub/superscript marks and braces dropped ("sp^{3}" and "sp³" -> "sp3")."""
    return _SCRIPT_MARKS_RE.sub("", unicodedata.normalize("NFKC", s))


def _contained_option(answer_text: str, opts: list[str]) -> Extraction | None:
    """The one option whose text (or, for a phrase, every content word) the last sentence of the
    answer contains, when that sentence has no negation or alternative; None when not exactly one.
    Options contained in another contained option ("sp" in "sp3") give way to it."""
    tail = _squash_ws(answer_text[-2000:])
    lines = [ln for ln in tail.strip().splitlines() if ln.strip()]
    if not lines or not _concluding(tail):
        return None
    m = _LAST_SENTENCE_RE.search(lines[-1].strip())
    sentence = _loose(_norm_option_text(m.group(1) if m else lines[-1]))
    if not sentence or _NEGATION_RE.search(sentence) or _OR_RE.search(sentence):
        return None
    words = set(_TOKEN_RE.findall(sentence))
    hits = set()
    for i, o in enumerate(opts):
        lo = _loose(o)
        if not lo:
            continue
        if _option_text_re(lo).search(sentence):
            hits.add(i)
            continue
        content = [w for w in _CONTENT_WORD_RE.findall(lo) if w not in _STOP]
        if len(content) >= 2 and all(w in words for w in content):
            hits.add(i)
    hits = {i for i in hits if not any(j != i and _loose(opts[i]) in _loose(opts[j]) for j in hits)}
    if len(hits) == 1:
        return Extraction(_LETTERS[hits.pop()], "contained_option")
    return None


_LATEX_RE = re.compile(r"\\[a-zA-Z]+|\^|_\{|\{")
_PLAIN_NUMBER_RE = re.compile(r"([-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:\s*[x×]\s*10\^\s*\(?[-+]?\d+\)?|e[-+]?\d+)?)"
                              r"\s*([a-z%°²³μ][a-z%°/²³μ.\s^\-0-9]{0,20})?")


def _plain_number(text: str) -> tuple[float, str] | None:
    """("80 g" -> (80.0, "g")): a plain number with an optional unit, else None. Hand-written: the
    math grader would treat the unit as a symbol and spend a symbolic check on "67 rolls" vs "17 rolls"."""
    t = text.replace("$", "").replace("\\%", "%").replace("\\,", "").replace("\\times", "×").replace("\\cdot", "×").strip()
    t = _BRACED_EXPONENT_RE.sub(r"^\1", t)  # 10^{-3} -> 10^-3
    t = _APPROX_RE.sub("", t)
    if t[:1] + t[-1:] in ("()", "[]"):  # "The answer is (12)."
        t = t[1:-1].strip()
    m = _PLAIN_NUMBER_RE.fullmatch(t)
    if not m or not _DIGIT_RE.search(m.group(1)):
        return None
    num = _TIMES_TEN_RE.sub(r"e\1", m.group(1).replace(",", ""))
    try:
        return float(num), _WS_RE.sub("", (m.group(2) or "").strip(" ."))
    except (ValueError, OverflowError):
        return None


def _same_quantity(a: tuple[float, str], b: tuple[float, str]) -> bool:
    (x, ux), (y, uy) = a, b
    if ux and uy and ux != uy:
        return False
    return x == y or abs(x - y) <= 1e-9 * max(abs(x), abs(y))


def _safe_equal(equal: Callable[[str, str], bool], a: str, b: str) -> bool:
    try:
        return bool(equal(a, b))
    except Exception:  # noqa: BLE001 - a comparison that fails is no match, never a crash
        return False
