"""What every answer extractor returns, and the ``\\boxed{}`` scanner both the math and the choice
extraction read (:mod:`r1bench.grading.math_extract`, :mod:`r1bench.grading.choice_extract`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Extraction", "find_boxed", "BOX_CMDS", "MAX_SCAN"]

BOX_CMDS = ("\\boxed", "\\fbox", "\\framebox")
MAX_SCAN = 200_000  # only the last 200k characters of an answer are scanned for answers
_BRACE_OR_ESCAPE_RE = re.compile(r"\\.|[{}]", re.DOTALL)  # an escape pair is skipped whole
_BOX_TOKEN_RE = re.compile(r"[^\s$]+")
_CLOSING_DELIM_RE = re.compile(r"\\[)\]]$")


@dataclass(frozen=True)
class Extraction:
    """An extracted answer and the rule that produced it (``extracted`` None: nothing found)."""

    extracted: str | None
    rule: str | None
    parts: tuple[str, ...] = ()  # the separate boxes joined into ``extracted`` (rule ``boxed_multi``)

    @property
    def answer(self) -> str | None:
        """The earlier name of :attr:`extracted` (kept for existing callers)."""
        return self.extracted


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


_BOX_WINDOW = 2000


def _close_near(text: str, k: int) -> int | None:
    """The ``}`` matching the ``{`` at ``k`` when it lies within ``_BOX_WINDOW`` characters, else
    None. The same brace :func:`_match_braces` pairs with it: the partner of an opening brace
    depends only on the text after it."""
    depth = 0
    for m in _BRACE_OR_ESCAPE_RE.finditer(text, k, k + _BOX_WINDOW):
        c = m.group(0)
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return m.start()
    return None


def find_boxed(text: str) -> list[tuple[int, int, str]]:
    """All ``\\boxed`` / ``\\fbox`` answers as (start, end, content), in order of appearance.

    Handles ``\\boxed{...}`` with nested braces, ``\\boxed x`` (a single token up to whitespace or
    ``$``), and boxes whose braces never close (skipped: the answer is incomplete).
    """
    out: list[tuple[int, int, str]] = []
    if len(text) > MAX_SCAN:
        offset = len(text) - MAX_SCAN
        text = text[offset:]
    else:
        offset = 0
    pos = 0
    # Next occurrence of each command, re-searched only once passed: linear in the text length.
    nxt = {cmd: text.find(cmd) for cmd in BOX_CMDS}
    first = min((i for i in nxt.values() if i != -1), default=-1)
    if first == -1:
        return out
    # A box's closing brace is looked for near it first; once a box is not closed within
    # _BOX_WINDOW characters, every brace from the first command on is paired (one linear pass).
    braces: dict[int, int] | None = None
    while True:
        for cmd in BOX_CMDS:
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
            # Boxes taken do not overlap, so the near searches that succeed read each character
            # once; after the first that fails, the one global pass serves every later box.
            close = _close_near(text, k) if braces is None else braces.get(k)
            if close is None and braces is None:
                braces = _match_braces(text, first)
                close = braces.get(k)
            if close is None:  # never closed: the answer was cut off
                pos = k + 1
                continue
            end = close + 1
            out.append((offset + i, offset + end, text[k + 1 : close].strip()))
            pos = end
        elif k > j and k < len(text):
            m = _BOX_TOKEN_RE.match(text, k)
            if m:
                # "\\(\\boxed 5\\)": the closing math delimiter is not part of the token.
                token = _CLOSING_DELIM_RE.sub("", m.group(0)).rstrip(".,;")
                out.append((offset + i, offset + m.end(), token))
                pos = m.end()
            else:
                pos = k
        else:
            pos = j
    return out
