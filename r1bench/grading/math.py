"""Math answer equivalence: normalise -> exact -> structure -> numeric -> symbolic (time-bounded).

Cheap stages come first and decide most pairs in microseconds; only pairs they cannot decide
(variables, unusual notation) reach math-verify, in a worker process bounded by ``timeout``.
Structures are compared part by part, each part through the whole pipeline: tuples and intervals
in order (bracket types must match), sets and bare lists of roots in any order, matrices cell by
cell, ``a \\pm b`` as the pair of roots, equations ``x = 3`` against ``3`` (only when the left side
is a lone variable, so ``a+3z=0`` is never accepted for ``0``), the last side of a chain
``\\sqrt{9} = 3`` or ``BC = x = 4\\sqrt{2}``, ``y = ...`` against ``g(x) = ...``, inequalities joined by
"or" against an interval union. Numeric text with no usable value (``\\frac{1}{0}``, ``10^{10^{10}}``)
is never equal to a number, and no input raises: every failure is a :class:`Comparison`.
"""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar
from dataclasses import dataclass

from r1bench.grading.normalize import normalize_answer
from r1bench.grading.numeric import (
    NotNumeric,
    TooLarge,
    Undefined,
    evaluate,
    is_numeric_syntax,
    numbers_close,
)
from r1bench.grading.symbolic import prescreen, symbolic_equal

__all__ = ["math_equal", "compare_math", "Comparison"]

_MAX_ANSWER = 5000
_VAR_RE = r"[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?'?"
_LONE_VAR_LHS = re.compile(
    rf"^(?:{_VAR_RE}|\\[a-zA-Z]+|[A-Za-z](?:\^\{{-1\}}|\^-1)?\((?:{_VAR_RE}|-?\d+(?:/\d+)?)\)|\({_VAR_RE}(?:,{_VAR_RE})+\))$"
)


@dataclass(frozen=True)
class Comparison:
    """``equal`` and the stage that decided it (``exact``, ``numeric``, ``symbolic``, ...)."""

    equal: bool
    stage: str
    detail: str = ""


def math_equal(pred: str, gold: str, *, timeout: float = 5.0) -> bool:
    """True when the answer strings ``pred`` and ``gold`` are mathematically equivalent."""
    return compare_math(pred, gold, timeout=timeout).equal


# Set by compare_math(symbolic=False): a pair that would need math-verify is left undecided.
_CHEAP_ONLY: ContextVar[list[bool] | None] = ContextVar("r1bench_math_cheap_only", default=None)


def compare_math(pred: str, gold: str, *, timeout: float = 5.0, symbolic: bool = True) -> Comparison:
    """Compare two answer strings; never raises, every path is bounded in time.

    ``symbolic=False``: the cheap stages only (microseconds); a pair they cannot decide comes back
    with stage ``undecided`` (not equal) instead of going to math-verify. An ``equal`` verdict is
    the same as with ``symbolic=True`` (a skipped comparison only ever counts as not equal).
    """
    if symbolic:
        return _compare_math(pred, gold, timeout)
    skipped: list[bool] = []
    token = _CHEAP_ONLY.set(skipped)
    try:
        result = _compare_math(pred, gold, timeout)
    finally:
        _CHEAP_ONLY.reset(token)
    if skipped and not result.equal:
        return Comparison(False, "undecided", "needs math-verify")
    return result


def _compare_math(pred: str, gold: str, timeout: float) -> Comparison:
    if pred is None or gold is None:
        return Comparison(False, "empty", "missing answer")
    pred, gold = str(pred), str(gold)
    if not pred.strip() or not gold.strip():
        return Comparison(False, "empty", "empty answer")
    if len(pred) > _MAX_ANSWER:
        return Comparison(False, "too_long", f"answer longer than {_MAX_ANSWER} characters")
    try:
        result = _compare(normalize_cached(pred), normalize_cached(gold), timeout, depth=0)
        if not result.equal and _OPTION_GOLD_RE.fullmatch(normalize_cached(gold)):
            # "\textbf{(B) }12" against the option letter "B": the letter with the option's value.
            m = _OPTION_LEAD_RE.match(pred)
            if m:
                same = m.group(1) == normalize_cached(gold)
                return Comparison(same, "exact", "option letter with its value")
        if not result.equal:
            # "10%" against "0.1": a percentage is also its fraction (10% against 10 is equal above).
            pp, gp = _PERCENT_RE.fullmatch(pred), _PERCENT_RE.fullmatch(gold)
            if (pp is None) != (gp is None) and "%" not in (gold if pp else pred):
                num = (pp or gp).group(1)
                frac = _compare(f"{num}/100", normalize_cached(gold if pp else pred), timeout, depth=1)
                if frac.equal:
                    return _tag(frac, "percentage as a fraction")
            if _DEGREE_MARK_RE.search(pred) != _DEGREE_MARK_RE.search(gold) and "\\pi" in normalize_cached(gold if _DEGREE_MARK_RE.search(pred) else pred):
                # "30^\circ" against "\frac{\pi}{6}": one angle, in degrees and in radians.
                deg = normalize_cached(pred if _DEGREE_MARK_RE.search(pred) else gold)
                if _DECIMAL_RE.fullmatch(deg):
                    rad = _compare(f"\\frac{{{deg}\\pi}}{{180}}", normalize_cached(gold if _DEGREE_MARK_RE.search(pred) else pred), timeout, depth=1)
                    if rad.equal:
                        return _tag(rad, "degrees as radians")
        return result
    except Exception as e:  # noqa: BLE001 - model text never raises out of the grader: a verdict
        return Comparison(False, "error", f"{type(e).__name__}: {str(e)[:120]}")


def _compare(p: str, g: str, timeout: float, depth: int) -> Comparison:
    if p == g:
        return Comparison(True, "exact")
    if p.lower() == g.lower() and _WORDS_RE.fullmatch(g):  # "Monday" == "monday"; x != X
        return Comparison(True, "exact", "case-insensitive word")
    if depth > 4:
        return Comparison(False, "structure", "nesting too deep")

    # A chain "\sqrt{9}=3", "BC=x=4\sqrt{2}": the value is the last side (when every other side is
    # a value or a name, so "a+3z=0" stays an equation).
    p_chain, g_chain = _chain_value(p), _chain_value(g)
    if p_chain is not None or g_chain is not None:
        return _tag(_compare(p_chain or p, g_chain or g, timeout, depth + 1), "chain of equalities")

    # Equations: "x=3" vs "3" (lone-variable left side only), and lists of assignments.
    p_eq, g_eq = _split_assignment(p), _split_assignment(g)
    if p_eq and g_eq and p_eq[0] != g_eq[0] and _same_function(p_eq[0], g_eq[0]):
        # "y=3x-1" against "g(x)=3x-1": one function, named two ways.
        return _tag(_compare(p_eq[1], g_eq[1], timeout, depth + 1), "function equation")
    if p_eq and not g_eq and "=" not in g:
        return _tag(_compare(p_eq[1], g, timeout, depth + 1), "equation")
    if g_eq and not p_eq and "=" not in p:
        return _tag(_compare(p, g_eq[1], timeout, depth + 1), "equation")
    if p_eq and g_eq and p_eq[0] == g_eq[0]:
        return _tag(_compare(p_eq[1], g_eq[1], timeout, depth + 1), "equation")
    if ("=" in p) != ("=" in g) and not (p_eq or g_eq) and not _is_relation(p.replace("=", "")) and not _is_relation(g.replace("=", "")):
        # "a+3z=0" is an equation, "0" a value: never equal (math-verify would compare "0" to "0").
        if _top_level_split(p, ",") == [p] and _top_level_split(g, ",") == [g]:
            return Comparison(False, "structure", "an equation against a value")

    # Inequalities against intervals: "x<3" is (-\infty,3), "2\leq x<5" is [2,5), and
    # "x\leq1 or x>4" (a comma list by now) is (-\infty,1]\cup(4,\infty).
    p_iv, g_iv = _inequality_to_interval(p) or _inequalities_to_union(p), _inequality_to_interval(g) or _inequalities_to_union(g)
    if p_iv or g_iv:
        return _tag(_compare(p_iv or p, g_iv or g, timeout, depth + 1), "inequality as interval")

    # Numerals with a base subscript: 1011_2.
    based = _compare_based(p, g)
    if based is not None:
        return based

    # \pm: "1\pm\sqrt{2}" is the list of both roots.
    if "\\pm" in p or "\\pm" in g or "\\mp" in p or "\\mp" in g:
        p2, g2 = _expand_pm(p), _expand_pm(g)
        if p2 != p or g2 != g:
            return _tag(_compare(p2, g2, timeout, depth + 1), "plus_minus")

    # Matrices.
    pm, gm = _matrix_cells(p), _matrix_cells(g)
    if pm is not None or gm is not None:
        if pm is None or gm is None:
            # A vector written as a tuple: (1,2,3) against a one-column or one-row matrix.
            cells, other = (pm, g) if pm is not None else (gm, p)
            flat = [c for row in cells for c in row]
            st = _structure(other)
            is_list = st is not None and (st.kind in ("tuple", "bare") or (st.left, st.right) == ("[", "]"))
            if (len(cells) == 1 or all(len(r) == 1 for r in cells)) and is_list:
                a, b = (tuple(flat), st.items) if pm is not None else (st.items, tuple(flat))
                if len(a) != len(b):
                    return Comparison(False, "structure", "vector lengths differ")
                return _match_ordered(a, b, timeout, depth, "vector")
            return _symbolic(p, g, timeout)
        if len(pm) != len(gm) or any(len(a) != len(b) for a, b in zip(pm, gm)):
            return Comparison(False, "structure", "matrix shapes differ")
        for ra, rb in zip(pm, gm):
            for a, b in zip(ra, rb):
                if not _compare(a, b, timeout, depth + 1).equal:
                    return Comparison(False, "structure", f"matrix cell {a!r} != {b!r}")
        return Comparison(True, "structure", "matrix")

    # Tuples, intervals, sets, unions and bare lists.
    ps, gs = _structure(p), _structure(g)
    if ps is not None or gs is not None:
        result = _compare_structures(p, g, ps, gs, timeout, depth)
        if result is not None:
            return result

    # Numbers.
    pv, gv = _value(p), _value(g)
    if (pv is None) != (gv is None):
        # "\frac{1}{0}", "0^{-1}", "10^{10^{10}}", "1000!": numeric text with no usable value is
        # never equal to a number (decided here: sympy could spend the whole timeout on it).
        why = _no_value_reason(p if pv is None else g)
        if why:
            return Comparison(False, "numeric", why)
    if (isinstance(pv, complex) or isinstance(gv, complex)) and _PLAIN_COMPLEX_RE.fullmatch(p) and _PLAIN_COMPLEX_RE.fullmatch(g):
        pv = gv = None  # plain a+bi literals: the symbolic prescreen compares them by their parts
    if pv is not None and gv is not None:
        if numbers_close(pv, gv):
            return Comparison(True, "numeric")
        if (_LONG_DECIMAL_RE.fullmatch(p) or _LONG_DECIMAL_RE.fullmatch(g)) and not isinstance(pv, complex) and not isinstance(gv, complex) and numbers_close(
            float(pv), float(gv)
        ):
            # 0.0833333333333333 is 1/12 printed as a float (10+ decimals), not an approximation.
            return Comparison(True, "numeric", "float rendering of a rational")
        return Comparison(False, "numeric", f"{_fmt(pv)} != {_fmt(gv)}")

    # Guards before math-verify, which drops unit-like letters ("2m" == 2) and ignores the case
    # of symbols ("X" == "x"): a number is never an expression in a free variable, and symbols
    # that differ only in case are different symbols.
    if (pv is not None and _number_with_letters(g)) or (gv is not None and _number_with_letters(p)):
        return Comparison(False, "structure", "a number against a number times a variable or unit")
    if p != g and p.lower() == g.lower() and _free_letters(p):
        return Comparison(False, "structure", "symbols differ in case")

    return _symbolic(p, g, timeout)


_OPTION_GOLD_RE = re.compile(r"[A-E]")
_OPTION_LEAD_RE = re.compile(r"\s*(?:\\(?:text|textbf|mathrm|mathbf)\s*\{\s*)?\(([A-E])\)\s*\}?\s*\S")
_DEGREE_MARK_RE = re.compile(r"\\circ|\u00b0|\\degree")
_PERCENT_RE = re.compile(r"\s*\$?\s*(-?\d+(?:\.\d+)?)\s*\\?%\s*\$?\s*")
_PLAIN_COMPLEX_RE = re.compile(r"-?[\d.]*(?:[-+][\d.]*i?)?i?")
_LONG_DECIMAL_RE = re.compile(r"-?\d*\.\d{10,}(?:\\times10\^\{?-?\d{1,3}\}?)?")
_COMMAND_RE = re.compile(r"\\[A-Za-z]+")
_TRAILING_LETTERS_RE = re.compile(r"(?<![\\A-Za-z])([A-Za-z]+)(?:\^\{?\d+\}?)?$")
_DECIMAL_RE = re.compile(r"-?\d+(?:\.\d+)?")
_WORDS_RE = re.compile(r"[A-Za-z ]{2,}")
_LETTER_RE = re.compile(r"[A-Za-z]")
_NAME_PUNCT_RE = re.compile(r"[|:{}()\\ ]")
_PM_RE = re.compile(r"\\(pm|mp)")
_NOT_VARIABLE_RE = re.compile(r"\\(?:leq|geq|le|ge|infty|frac|sqrt|pi)|[^A-Za-z_{}']")
_HEX_DIGITS_RE = re.compile(r"[0-9A-Fa-f]+")


def _number_with_letters(s: str) -> bool:
    """``2m``, ``\\frac{1}{2}g``, ``5cm^2``: a numeric value with letters glued on (not ``3+4i``)."""
    m = _TRAILING_LETTERS_RE.search(s)
    if not m or m.group(1) in ("i", "e") or m.start() == 0:
        return False
    return _value(s[: m.start()]) is not None


def _free_letters(s: str) -> bool:
    """True when ``s`` has a Latin letter outside LaTeX command names (a variable or a unit)."""
    return bool(_LETTER_RE.search(_COMMAND_RE.sub("", s)))


def _tag(c: Comparison, what: str) -> Comparison:
    return Comparison(c.equal, c.stage, f"{what}; {c.detail}" if c.detail else what)


def _fmt(v: object) -> str:
    if isinstance(v, complex):
        return f"{v.real:.10g}{v.imag:+.10g}i"
    return f"{float(v):.10g}"  # type: ignore[arg-type]


# An integer written right before a proper numeric fraction is a mixed number: 2\frac{1}{2} = 5/2.
_MIXED_RE = re.compile(r"(?<![\d.}^_])(\d+)\\frac\{(\d+)\}\{(\d+)\}")


def _mixed_to_sum(m: re.Match[str]) -> str:
    whole, num, den = m.group(1), int(m.group(2)), int(m.group(3))
    if 0 <= num < den:
        return f"({whole}+\\frac{{{num}}}{{{den}}})"
    return m.group(0)


def _value(s: str):
    """The exact value of numeric text, else None; short texts cached (a gold is compared with
    every candidate of a response, and the same answers recur across samples)."""
    return _value_cached(s) if len(s) <= _CACHED_LEN else _evaluate_or_none(s)


def _evaluate_or_none(s: str):
    try:
        return evaluate(_MIXED_RE.sub(_mixed_to_sum, s))
    except (NotNumeric, ArithmeticError, ValueError, RecursionError):
        return None


_CACHED_LEN = 200
_value_cached = functools.lru_cache(maxsize=16384)(_evaluate_or_none)


def normalize_cached(s: str) -> str:
    """normalize_answer, short texts cached (pure: the same text always has the same form)."""
    return _normalize_cached(s) if len(s) <= _CACHED_LEN else normalize_answer(s)


_normalize_cached = functools.lru_cache(maxsize=16384)(normalize_answer)


def _no_value_reason(s: str) -> str | None:
    """Why a purely numeric string has no value (undefined or astronomically large), else None."""
    if not is_numeric_syntax(s):
        return None
    try:
        evaluate(_MIXED_RE.sub(_mixed_to_sum, s))
    except (Undefined, TooLarge) as e:
        return f"{'undefined' if isinstance(e, Undefined) else 'too large'}: {e}"
    except (NotNumeric, ArithmeticError, ValueError, RecursionError):
        return None
    return None


def _is_relation(s: str) -> bool:
    return "=" in s or any(op in s for op in ("<", ">", "\\leq", "\\geq", "\\neq", "\\approx"))


def _symbolic(p: str, g: str, timeout: float) -> Comparison:
    r = prescreen(p, g)  # the cheap probe spares most worker trips
    if r is None:
        if (skipped := _CHEAP_ONLY.get()) is not None:
            skipped.append(True)
            return Comparison(False, "undecided", "needs math-verify")
        r = symbolic_equal(p, g, timeout=timeout)
    if r.outcome == "equal":
        return Comparison(True, "symbolic")
    return Comparison(False, "symbolic", r.outcome + (f": {r.detail}" if r.detail else ""))


_FUNC_LHS_RE = re.compile(rf"^([A-Za-z])\(({_VAR_RE})\)$")


def _same_function(a: str, b: str) -> bool:
    """``y`` and ``g(x)``, or ``f(x)`` and ``g(x)``: two names of one function's values."""
    fa, fb = _FUNC_LHS_RE.match(a), _FUNC_LHS_RE.match(b)
    if fa and fb:
        return fa.group(2) == fb.group(2)
    return (a == "y" and fb is not None) or (b == "y" and fa is not None)


def _chain_value(s: str) -> str | None:
    """The last side of ``\\sqrt{9}=3`` or ``BC=x=4\\sqrt{2}``: every earlier side a number or a name."""
    if "=" not in s or any(op in s for op in ("<", ">", "\\leq", "\\geq", "\\neq")):
        return None
    sides = _top_level_split(s, "=")
    if len(sides) < 2 or not all(sides) or _top_level_split(s, ",") != [s]:
        return None
    if len(sides) == 2 and (_LONE_VAR_LHS.match(sides[0]) or _names_a_quantity(sides[0])):
        return None  # a plain assignment: handled with its left side by _split_assignment
    numeric_side = False
    for n, side in enumerate(sides[:-1]):
        if _LONE_VAR_LHS.match(side) or _names_a_quantity(side):
            continue
        if n == 0 and len(sides) >= 3 and all(_value(x) is not None for x in sides[1:]):
            continue  # "a+b=7+5=12": a computation of the asked expression; its value ends it
        if _value(side) is None:
            return None
        numeric_side = True
    if numeric_side and _value(sides[-1]) is None:
        return None  # "7=11a+c" is an equation in a and c, not the value 11a+c
    return sides[-1]


def _split_assignment(s: str) -> tuple[str, str] | None:
    """``x=3`` -> ("x", "3") when the left side is a lone variable; None otherwise."""
    if s.count("=") != 1 or any(op in s for op in ("\\leq", "\\geq", "<", ">", "\\neq")):
        return None
    lhs = s.split("=")[0]
    if _top_level_split(s, ",") != [s] and not (lhs.startswith("(") and lhs.endswith(")")):
        return None
    lhs, rhs = s.split("=")
    if lhs and rhs and (_LONE_VAR_LHS.match(lhs) or _names_a_quantity(lhs)):
        return lhs, rhs
    return None


_NAME_WRAPPERS_RE = re.compile(r"\\(?:frac|overline|angle|mathrm|text|vec|widehat|hat|operatorname|triangle|left|right)")
_SUBSCRIPT_RE = re.compile(r"_\{[^{}]*\}|_\w")


def _names_a_quantity(lhs: str) -> bool:
    """``AB``, ``|AB|``, ``V_1:V_2``, ``\\frac{NO}{BO}``, ``S_{MBCN}``: a name, not an expression.

    No operator (+ - ^ *) and no digit outside subscripts, so ``a+3z`` or ``x^2+y^2`` stay equations.
    """
    if any(op in lhs for op in ("+", "-", "^", "*", "\\cdot", "\\times")):
        return False
    bare = _SUBSCRIPT_RE.sub("", _NAME_WRAPPERS_RE.sub("", lhs))
    bare = _NAME_PUNCT_RE.sub("", bare)
    return bool(bare) and bare.isalpha()


def _expand_pm(s: str) -> str:
    """``a\\pm b`` -> ``a+b,a-b`` (one \\pm per element, also inside a set ``\\{...\\}``)."""
    if s.startswith("\\{") and s.endswith("\\}") and _balanced_outer(s, 2):
        return "\\{" + _expand_pm(s[2:-2]) + "\\}"
    parts = _top_level_split(s, ",")
    out = []
    for part in parts:
        m = _PM_RE.search(part)
        if m:
            a, b = part[: m.start()], part[m.end() :]
            first, second = ("+", "-") if m.group(1) == "pm" else ("-", "+")
            out += [f"{a}{first}{b}" if a else f"{first}{b}", f"{a}{second}{b}" if a else f"{second}{b}"]
        else:
            out.append(part)
    return ",".join(out)


def _top_level_split(s: str, sep: str) -> list[str]:
    """Split on ``sep`` outside any (), [], {} (and \\{ \\})."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s) and s[i + 1] in "{}":
            depth += 1 if s[i + 1] == "{" else -1
            i += 2
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and s.startswith(sep, i):
            parts.append(s[start:i])
            start = i + len(sep)
            i += len(sep)
            continue
        i += 1
    parts.append(s[start:])
    return parts


@dataclass(frozen=True)
class _Struct:
    kind: str  # "tuple" ( ), "interval" mixed brackets, "list" [ ], "set" \{ \}, "bare", "union"
    left: str
    right: str
    items: tuple[str, ...]


def _structure(s: str) -> _Struct | None:
    if "\\cup" in s:
        parts = _top_level_split(s, "\\cup")
        if len(parts) > 1:
            return _Struct("union", "", "", tuple(parts))
    if s.startswith("\\{") and s.endswith("\\}") and _balanced_outer(s, 2):
        inner = s[2:-2]
        return _Struct("set", "{", "}", tuple(x for x in _top_level_split(inner, ",") if x) if inner else ())
    if len(s) >= 2 and s[0] in "([" and s[-1] in ")]" and _balanced_outer(s, 1):
        items = tuple(_top_level_split(s[1:-1], ","))
        if len(items) >= 2:
            kind = "tuple" if (s[0], s[-1]) == ("(", ")") else "interval"
            if (s[0], s[-1]) == ("[", "]"):
                kind = "closed"
            return _Struct(kind, s[0], s[-1], items)
        return None
    groups = _top_level_split(s, ";")
    if len(groups) >= 2 and all(groups):
        return _Struct("bare", "", "", tuple(groups))  # "p=5,q=2;p=7,q=2": solutions split by ";"
    items = tuple(_top_level_split(s, ","))
    if len(items) >= 2 and all(items):
        return _Struct("bare", "", "", items)
    # "1;2;3" and "1\text{ and }2" were rewritten to commas by normalize_answer.
    return None


def _balanced_outer(s: str, width: int) -> bool:
    """True when the opening bracket at 0 closes only at the very end (``(1,2)``, not ``(1)(2)``)."""
    depth = 0
    i = 0
    n = len(s)
    while i < n:
        if s[i] == "\\" and i + 1 < n and s[i + 1] in "{}":
            depth += 1 if s[i + 1] == "{" else -1
            i += 2
        else:
            if s[i] in "([{":
                depth += 1
            elif s[i] in ")]}":
                depth -= 1
            i += 1
        if depth == 0 and i < n:
            return False
    return depth == 0


def _compare_structures(
    p: str, g: str, ps: _Struct | None, gs: _Struct | None, timeout: float, depth: int
) -> Comparison | None:
    if ps is None or gs is None:
        one = ps or gs
        assert one is not None
        # A bare list against a single value never matches; a bracketed structure against a
        # non-structure may still be equal symbolically (e.g. "(1,2)" vs "(1, 2)" handled above).
        if one.kind in {"bare", "set", "tuple", "interval", "closed", "union"}:
            other = g if ps else p
            if _structure(other) is None and "," not in other and _value(other) is not None:
                return Comparison(False, "structure", f"{one.kind} vs a single number")
        return None
    if ps.kind == "union" or gs.kind == "union":
        if ps.kind != gs.kind or len(ps.items) != len(gs.items):
            return _symbolic(p, g, timeout)
        return _match_unordered(ps.items, gs.items, timeout, depth, "union")
    if len(ps.items) != len(gs.items) and {ps.kind, gs.kind} <= {"set", "bare"}:
        # A list of solutions that names one twice: "(3,17,3,7), ..., (3, 17, 3, 7)".
        ps = _Struct(ps.kind, ps.left, ps.right, tuple(dict.fromkeys(ps.items)))
        gs = _Struct(gs.kind, gs.left, gs.right, tuple(dict.fromkeys(gs.items)))
    if len(ps.items) != len(gs.items):
        # Assignments "a=2,b=3" may carry the same values as "(2,3)": handled below by stripping.
        return Comparison(False, "structure", f"{len(ps.items)} parts vs {len(gs.items)}")
    p_items = _strip_assignments(ps.items, gs.items)
    g_items = _strip_assignments(gs.items, ps.items)
    ordered_kinds = {"tuple", "interval", "closed"}
    if ps.kind in ordered_kinds and gs.kind in ordered_kinds:
        if (ps.left, ps.right) != (gs.left, gs.right):
            return Comparison(False, "structure", f"brackets {ps.left}{ps.right} vs {gs.left}{gs.right}")
        return _match_ordered(p_items, g_items, timeout, depth, gs.kind)
    if ps.kind == "set" or gs.kind == "set" or (ps.kind == "bare" and gs.kind == "bare"):
        # Sets and bare lists of roots: order does not matter.
        return _match_unordered(p_items, g_items, timeout, depth, "set" if "set" in (ps.kind, gs.kind) else "list")
    # A bare list against a tuple: an ordered pair written without parentheses.
    return _match_ordered(p_items, g_items, timeout, depth, "list")


def _strip_assignments(items: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    """``(a=2, b=3)`` against ``(2, 3)``: compare the values; keep both sides when both assign."""
    if all("=" in x for x in other):
        return items
    out = []
    for x in items:
        eq = _split_assignment(x)
        out.append(eq[1] if eq else x)
    return tuple(out)


def _match_ordered(a: tuple[str, ...], b: tuple[str, ...], timeout: float, depth: int, kind: str) -> Comparison:
    for x, y in zip(a, b):
        c = _compare(x, y, timeout, depth + 1)
        if not c.equal:
            return Comparison(False, c.stage, f"{kind} part {x!r} != {y!r}")
    return Comparison(True, "structure", kind)


def _match_unordered(a: tuple[str, ...], b: tuple[str, ...], timeout: float, depth: int, kind: str) -> Comparison:
    remaining = list(b)
    for x in a:
        for j, y in enumerate(remaining):
            if _compare(x, y, timeout, depth + 1).equal:
                del remaining[j]
                break
        else:
            return Comparison(False, "structure", f"{kind} element {x!r} not in gold")
    return Comparison(True, "structure", f"{kind} (any order)")


_MATRIX_RE = re.compile(r"^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^}]*\})?(.*)\\end\{\1\}$", re.DOTALL)


def _matrix_cells(s: str) -> list[list[str]] | None:
    m = _MATRIX_RE.match(s)
    if not m or "\\begin{" in m.group(2) or "\\end{" in m.group(2):
        return None  # a sum or product of matrices is an expression, not one matrix
    rows = [r for r in m.group(2).split("\\\\") if r.strip()]
    return [[c.strip() for c in r.split("&")] for r in rows]


_NUM_OR_INF = r"-?(?:\\infty|[\d.]+|\\frac\{\d+\}\{\d+\}|\\sqrt\{\d+\}|\\pi)"
_LT = r"(<|\\leq|\\le(?![a-z])|>|\\geq|\\ge(?![a-z]))"
_ONE_SIDED = re.compile(rf"^({_VAR_RE})\s*{_LT}\s*({_NUM_OR_INF})$")
_ONE_SIDED_REV = re.compile(rf"^({_NUM_OR_INF})\s*{_LT}\s*({_VAR_RE})$")
_ABS_LT = re.compile(rf"^\|({_VAR_RE})\|\s*{_LT}\s*({_NUM_OR_INF})$")
_TWO_SIDED = re.compile(rf"^({_NUM_OR_INF})\s*{_LT}\s*({_VAR_RE})\s*{_LT}\s*({_NUM_OR_INF})$")


_FLIP = {"<": ">", ">": "<", "\\leq": "\\geq", "\\geq": "\\leq", "\\le": "\\ge", "\\ge": "\\le"}
_NEGATED = re.compile(rf"^-({_VAR_RE})\s*{_LT}\s*({_NUM_OR_INF})$")


def _inequalities_to_union(s: str) -> str | None:
    """``x\\leq1,x>4`` ("x <= 1 or x > 4") -> ``(-\\infty,1]\\cup(4,\\infty)``; None otherwise."""
    parts = _top_level_split(s, ",")
    if len(parts) < 2 or len(parts) > 6:
        return None
    ivs = [_inequality_to_interval(x) for x in parts]
    if not all(ivs) or len({_NOT_VARIABLE_RE.sub("", x) for x in parts}) != 1:
        return None  # one variable only: "x>1, y<2" is not a union
    return "\\cup".join(ivs)  # type: ignore[arg-type]


def _inequality_to_interval(s: str) -> str | None:
    """``x<3`` -> ``(-\\infty,3)``; ``2\\leq x<5`` -> ``[2,5)``; None when not a simple inequality."""
    def closed(op: str) -> bool:
        return op.startswith("\\")

    m = _ABS_LT.match(s)
    if m and not m.group(3).startswith("-"):  # "|x|>1" is (-\infty,-1)\cup(1,\infty)
        var, op, bound = m.groups()
        if op in ("<", "\\leq", "\\le"):
            return f"{'[' if closed(op) else '('}-{bound},{bound}{']' if closed(op) else ')'}"
        return f"(-\\infty,-{bound}{']' if closed(op) else ')'}\\cup{'[' if closed(op) else '('}{bound},\\infty)"
    m = _NEGATED.match(s)
    if m:  # "-x>-1" is "x<1"
        bound = m.group(3)
        return _inequality_to_interval(f"{m.group(1)}{_FLIP[m.group(2)]}{bound[1:] if bound.startswith('-') else '-' + bound}")

    m = _ONE_SIDED.match(s)
    if m:
        op, bound = m.group(2), m.group(3)
        if op in ("<", "\\leq", "\\le"):
            return f"(-\\infty,{bound}{']' if closed(op) else ')'}"
        return f"{'[' if closed(op) else '('}{bound},\\infty)"
    m = _ONE_SIDED_REV.match(s)
    if m:
        bound, op = m.group(1), m.group(2)
        if op in ("<", "\\leq", "\\le"):  # 3 < x
            return f"{'[' if closed(op) else '('}{bound},\\infty)"
        return f"(-\\infty,{bound}{']' if closed(op) else ')'}"
    m = _TWO_SIDED.match(s)
    if m:
        lo, op1, _, op2, hi = m.groups()
        if op1 in ("<", "\\leq", "\\le") and op2 in ("<", "\\leq", "\\le"):
            return f"{'[' if closed(op1) else '('}{lo},{hi}{']' if closed(op2) else ')'}"
    return None


_BASED_RE = re.compile(r"^([0-9A-Fa-f]+)_\{?(\d{1,2})\}?$")


def _compare_based(p: str, g: str) -> Comparison | None:
    """Numerals in a base: both subscripted compare by value; a bare numeral must match the digits."""
    pm, gm = _BASED_RE.match(p), _BASED_RE.match(g)
    if not pm and not gm:
        return None
    if pm and gm:
        try:
            a, b = int(pm.group(1), int(pm.group(2))), int(gm.group(1), int(gm.group(2)))
        except ValueError:
            return Comparison(False, "based", "digit not valid in its base")
        return Comparison(a == b, "based", "" if a == b else f"{a} != {b} in base 10")
    digits, bare = (gm.group(1), p) if gm else (pm.group(1), g)  # type: ignore[union-attr]
    if _HEX_DIGITS_RE.fullmatch(bare):
        same = bare.lstrip("0").upper() == digits.lstrip("0").upper()
        return Comparison(same, "based", "" if same else "digits differ")
    return None
