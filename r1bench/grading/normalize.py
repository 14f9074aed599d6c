"""Normalise a math answer string so that notation differences do not decide a verdict.

Cheap, linear-time string rewriting (no parsing, no evaluation): ``\\dfrac`` -> ``\\frac``,
``\\left``/``\\right`` dropped, spacing commands, ``\\text{}`` units, degrees, percent, dollars,
thousands separators, trailing periods, ``x \\in`` prefixes, unicode symbols and superscripts,
plain-text ``sqrt(3)`` / ``2*pi``, repeating decimals as exact fractions, braces for
``\\frac12`` / ``\\sqrt2``. The result is only compared, never executed.
"""

from __future__ import annotations

import re

__all__ = ["normalize_answer", "strip_math_delimiters", "UNIT_WORDS"]

# Units and filler words that may trail a number in an answer ("5 \text{ cm}", "12 dollars").
UNIT_WORDS = frozenset(
    """
    unit units sq square cubic squared cm mm m km meter meters metre metres kilometer kilometers
    centimeter centimeters millimeter millimeters inch inches in ft feet foot yard yards yd mile
    miles mi mph kmh g kg gram grams kilogram kilograms mg lb lbs pound pounds ounce ounces oz
    s sec second seconds min minute minutes hr hour hours day days week weeks month months year
    years yr l liter liters litre litres ml gallon gallons cent cents dollar dollars euro euros
    degree degrees deg rad radian radians percent percentage pct point points people students
    times ways cups page pages coins marbles cookies apples boxes digits rows
    per hundred am pm
    """.split()
)

_UNICODE = {
    "\u2212": "-",  # minus sign
    "\u2013": "-",
    "\u00d7": "\\times ",
    "\u00b7": "\\cdot ",
    "\u221a": "\\sqrt",
    "\u03c0": "\\pi ",
    "\u221e": "\\infty ",
    "\u2264": "\\leq ",
    "\u2265": "\\geq ",
    "\u2260": "\\neq ",
    "\u00b0": "^\\circ",
    "\u2208": "\\in ",
    "\u222a": "\\cup ",
    "\u00bd": "\\frac{1}{2}",
    "\u2153": "\\frac{1}{3}",
    "\u2154": "\\frac{2}{3}",
    "\u00bc": "\\frac{1}{4}",
    "\u00be": "\\frac{3}{4}",
    "\u2155": "\\frac{1}{5}",
    "\u2159": "\\frac{1}{6}",
    "\u215b": "\\frac{1}{8}",
    "\u22c5": "\\cdot ",  # dot operator
    "\u2219": "\\cdot ",  # bullet operator
    "\u00f7": "\\div ",
    "\u221b": "\\sqrt[3]",
    "\u221c": "\\sqrt[4]",
    "\u2026": "...",  # horizontal ellipsis
    "\u2032": "'",
    "\u00a0": " ",
    "\u20ac": "",  # currency signs, like \\$
    "\u00a3": "",
}
_SUPERSCRIPTS = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b\u207a", "0123456789-+")
_SUPERSCRIPT_RUN_RE = re.compile("[\u2070\u00b9\u00b2\u00b3\u2074-\u2079\u207b\u207a]+")
# Function names and constants typed as plain text: sqrt(3)/2, 2*pi, cos(pi/3).
_PLAIN_FUNC_RE = re.compile(r"(?<![\\A-Za-z])(sqrt|pi|sin|cos|tan|cot|sec|csc|ln|log|infty)(?![A-Za-z])")
# Repeating decimals: 0.666..., 0.1666\ldots, 0.\overline{6}, 0.1\overline{6}.
_OVERLINE_RE = re.compile(r"(-?)(\d*)\.(\d*)\\overline\{(\d{1,12})\}")
_DOTS_RE = re.compile(r"(-?)(\d*)\.(\d{2,30})(?:\.\.\.|\\ldots|\\cdots|\\dots)")
# A trailing comment in \text{...} after a value: "17\text{ any text}" (not "\text{ or }" lists).
_TEXT_TAIL_RE = re.compile(r"^(.*[\d}])\s*\\(?:text|mbox|textrm)\{\s*(?!or\b|and\b)(\(?[A-Za-z][A-Za-z .,'-]*\)?)\}\s*\.?$")
_TRIG_DEGREE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:\^\s*\{?\s*\\circ\s*\}?|\u00b0)")


def _repeating(prefix_sign: str, whole: str, fixed: str, block: str) -> str:
    """The exact fraction of ``whole.fixed(block repeated)`` as LaTeX."""
    from fractions import Fraction

    whole_v = int(whole or "0")
    value = Fraction(int(fixed or "0"), 10 ** len(fixed)) if fixed else Fraction(0)
    value += Fraction(int(block), (10 ** len(block) - 1) * 10 ** len(fixed))
    value += whole_v
    if prefix_sign:
        value = -value
    return f"\\frac{{{value.numerator}}}{{{value.denominator}}}" if value.denominator != 1 else str(value.numerator)


def _dots_repeating(m: re.Match[str]) -> str:
    """``0.1666...``: the shortest block (1-6 digits) that the digits end with at least twice
    (three times for one digit) repeats; without such a block the text is left alone."""
    sign, whole, digits = m.group(1), m.group(2), m.group(3)
    for size in range(1, 7):
        times = 3 if size == 1 else 2
        if len(digits) < size * times:
            break
        block = digits[-size:]
        if digits.endswith(block * times):
            fixed = digits[: len(digits) - size * times]
            # the fixed part may itself end with the start of the block: 0.1666 -> fixed "1"
            while fixed.endswith(block):
                fixed = fixed[: -size]
            return _repeating(sign, whole, fixed, block)
    return m.group(0)


def _plain_math(s: str) -> str:
    """Unicode and plain-text math to LaTeX: superscripts, sqrt(3), 2*pi, repeating decimals."""
    if _SUPERSCRIPT_RUN_RE.search(s):
        s = _SUPERSCRIPT_RUN_RE.sub(lambda m: "^{" + m.group(0).translate(_SUPERSCRIPTS) + "}", s)
    if _TWO_LETTERS_RE.search(s):
        s = _PLAIN_FUNC_RE.sub(r"\\\1", s)
        s = _SQRT_CALL_RE.sub(r"\\sqrt{\1}", s)
    if "\\sqrt[" in s:
        s = _ROOT_INDEX_RE.sub(r"\\sqrt[\1]{\2}", s)  # from a unicode cube root
    if "\\overline" in s:
        s = _OVERLINE_RE.sub(lambda m: _repeating(m.group(1), m.group(2), m.group(3), m.group(4)), s)
    if "..." in s or "dots" in s:
        s = _DOTS_RE.sub(_dots_repeating, s)
    if _TRIG_RE.search(s):
        # Degrees inside trigonometry are an angle unit, not decoration: cos(90° - x) -> cos(pi/2 - x).
        s = _TRIG_DEGREE_RE.sub(lambda m: f"\\frac{{{m.group(1)}\\pi}}{{180}}", s)
    return s

_SPACING_RE = re.compile(r"(?<!\\)\\(?:[,;:!> ]|quad\b|qquad\b|hspace\*?\{[^}]*\}|kern\s*[-\d.]+\w*|thinspace\b|enspace\b|medspace\b)")
_LEFTRIGHT_RE = re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|Biggl|Biggr|big|Big|bigg|Bigg)(?![A-Za-z])\s*")
_TEXT_CMD_RE = re.compile(r"\\(?:text|textbf|textit|textrm|texttt|mathrm|mathbf|mathit|mathsf|mathtt|mbox|operatorname|textnormal)\s*\{([^{}]*)\}")
_DEGREE_RE = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\circ|\\degree")
_IN_PREFIX_RE = re.compile(r"^(?:[A-Za-z]|\\(?:alpha|beta|gamma|theta|lambda|mu|phi|omega|tau|sigma))(?:_\{?\w+\}?)?\s*\\in\s*")
_FRAC_SHORT_RE = re.compile(r"\\frac\s*(\d)\s*(\d)")
_FRAC_HALF_RE = re.compile(r"\\frac\s*(\d)\s*\{")
_FRAC_HALF2_RE = re.compile(r"\\frac\s*\{([^{}]*)\}\s*(\d)")
_SQRT_SHORT_RE = re.compile(r"\\sqrt\s*(\d+|[A-Za-z])(?![\w{])")
_CMD_SPACE_RE = re.compile(r"(\\[A-Za-z]+)\s+(?=[A-Za-z])")
_TWO_LETTERS_RE = re.compile(r"[a-z]{2}")
_SQRT_CALL_RE = re.compile(r"\\sqrt\(([^()]*)\)")
_ROOT_INDEX_RE = re.compile(r"\\sqrt\[(\d)\]\s*(\d+)")
_TRIG_RE = re.compile(r"\\(?:sin|cos|tan|cot|sec|csc)")
_DIGIT_RE = re.compile(r"\d")
_COLOR_RE = re.compile(r"\\textcolor\{[^{}]*\}|\\color\{[^{}]*\}")
_BAR_RE = re.compile(r"(\d\.\d*)\\bar\{")
_PAREN_REPEAT_RE = re.compile(r"^(-?\d*\.\d*)\((\d{1,12})\)$")
_TRAILING_BACKSLASH_RE = re.compile(r"(?:\s*\\+\s*\.?)+$")
_THIN_SEPARATOR_RE = re.compile(r"\d,\s*\\[!,]")
_WS_RE = re.compile(r"\s+")
_OUTER_DOLLAR_RE = re.compile(r"^\$|\$$")
_WORD_LIST_RE = re.compile(r"\S\s+(?:or|and)\s+\S")
_WORD_JOIN_RE = re.compile(r"\s*(?:,\s*)?\b(?:or|and)\s+(?=\S)")
_BRACED_COMMA_RE = re.compile(r"(\d)\{,\}(?=\d{3})")
_THOUSANDS_RE = re.compile(r"-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA_RE = re.compile(r"-?0,\d+")
_SPACED_THOUSANDS_RE = re.compile(r"(\d)\s+(\d{3})(?!\d)")
_SHORT_RELATION_RE = re.compile(r"\\(le|ge|ne)(?![a-zA-Z])")
_PAREN_OPTION_RE = re.compile(r"\(([A-Ea-e])\)")


def strip_math_delimiters(s: str) -> str:
    """Remove surrounding ``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]`` and trailing dots."""
    s = s.strip()
    for _ in range(3):
        before = s
        if s.startswith("$$") and s.endswith("$$") and len(s) > 4:
            s = s[2:-2].strip()
        elif s.startswith("$") and s.endswith("$") and len(s) > 2:
            s = s[1:-1].strip()
        elif s.startswith("\\(") and s.endswith("\\)"):
            s = s[2:-2].strip()
        elif s.startswith("\\[") and s.endswith("\\]"):
            s = s[2:-2].strip()
        s = s.rstrip(".").strip()
        if s == before:
            break
    return s


def _replace_text_commands(s: str) -> str:
    """``\\text{cm}`` -> `` cm ``; repeated so nested commands unwrap from the inside out."""
    for _ in range(5):
        new = _TEXT_CMD_RE.sub(lambda m: " " + m.group(1) + " ", s)
        if new == s:
            break
        s = new
    return s


# A unit is a whitespace-separated word ("5 cm", "\\text{ cm}" became " cm "): a letter glued to a
# number ("2m", "3s") is a variable or a product, never dropped.
_SPACED_MIXED_RE = re.compile(r"(?<![\d.,/])([-+]?\d+)\s+(\d+)\s*/\s*(\d+)(?![\d.])")


def _spaced_mixed(m: re.Match[str]) -> str:
    num, den = int(m.group(2)), int(m.group(3))
    if den > 0 and num < den:
        return f"{m.group(1)}\\frac{{{num}}}{{{den}}}"
    return m.group(0)


_TRAILING_WORD_RE = re.compile(r"(?<=\s)([A-Za-z]+(?:/[A-Za-z]+)?)\.?\s*(?:\^\s*\{?\d\}?)?\s*$")  # "km/h", "m/s^2"
# Glued to the number, only a known unit of two or more letters counts ("12cm", "5cm^2").
_GLUED_UNIT_RE = re.compile(r"(?<=[\d}])([A-Za-z]{2,})\.?\s*(?:\^\s*\{?\d\}?)?\s*$")


def _drop_units(s: str) -> str:
    """Drop trailing unit words after a value: ``5 cm^2`` -> ``5``, ``9\\pi square units`` -> ``9\\pi``."""
    out = s
    while True:
        m = _TRAILING_WORD_RE.search(out) or _GLUED_UNIT_RE.search(out)
        if not m or not all(w in UNIT_WORDS or w == "h" for w in m.group(1).lower().split("/")):
            break
        out = out[: m.start()].rstrip()
    # Keep the original when nothing value-like is left ("m", "in", "per" on their own).
    if out != s and out and (_DIGIT_RE.search(out) or "\\" in out):
        return out
    return s


# Sets named in words: "no solution" is the empty set, "all real numbers" the real line.
_WORD_SETS = {
    **dict.fromkeys(("no solution", "no solutions", "no real solution", "no real solutions", "no real roots",
                     "empty set", "the empty set", "there is no solution"), "\\emptyset"),
    **dict.fromkeys(("all real numbers", "all reals", "all real x", "all real values of x", "\\mathbb{r}",
                     "\\mathbb r", "\\r", "\\reals"), "(-\\infty,\\infty)"),
}


_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen"
        " sixteen seventeen eighteen nineteen twenty".split()
    )
}


def normalize_answer(answer: str) -> str:
    """A canonical spelling of ``answer`` for exact comparison (see the module docstring)."""
    s = answer.strip()
    if not s:
        return ""
    for k, v in _UNICODE.items():
        if k in s:
            s = s.replace(k, v)
    if "\\color" in s or "\\textcolor" in s:  # "\color{red}7", "\textcolor{red}{7}"
        s = _COLOR_RE.sub("", s)
    if "\\bar{" in s:  # "0.\bar{3}" is 0.\overline{3}
        s = _BAR_RE.sub(r"\1\\overline{", s)
    s = _PAREN_REPEAT_RE.sub(r"\1\\overline{\2}", s.strip())  # "0.(3)"
    s = _plain_math(s)
    s = strip_math_delimiters(s)
    # A trailing backslash or LaTeX line break after the answer: "185\", "12 \\".
    s = _TRAILING_BACKSLASH_RE.sub("", s) if s.endswith(("\\", "\\.")) else s
    m = _TEXT_TAIL_RE.match(s)
    if m and not _TEXT_CMD_RE.search(m.group(1)):
        s = m.group(1)
    # A mixed number written with a space, "4 4/9", is 4 + 4/9 (removing the space made it 44/9).
    s = _SPACED_MIXED_RE.sub(_spaced_mixed, s)
    # ASCII and \lt-style relations.
    s = s.replace("<=", "\\leq ").replace(">=", "\\geq ").replace("\\lt", "<").replace("\\gt", ">")
    thin_separators = bool(_THIN_SEPARATOR_RE.search(s)) or "{,}" in s
    s = s.replace("\\displaystyle", "").replace("\\mathord", "")
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac").replace("\\cfrac", "\\frac")
    s = s.replace("\\dbinom", "\\binom").replace("\\tbinom", "\\binom")
    s = _LEFTRIGHT_RE.sub("", s)
    s = s.replace("\\{", "\\lbrace ").replace("\\}", " \\rbrace")  # keep set braces distinct
    s = _SPACING_RE.sub(" ", s)
    s = s.replace("~", " ")
    s = _DEGREE_RE.sub("", s)
    s = s.replace("\\%", "%").replace("\\$", "").replace("\\textdollar", "")
    s = _replace_text_commands(s)
    s = _WS_RE.sub(" ", s).strip()
    s = _OUTER_DOLLAR_RE.sub("", s).strip()
    s = _WORD_SETS.get(s.lower().rstrip("."), s)
    s = _NUMBER_WORDS.get(s.lower().rstrip("."), s)  # the whole answer "six" is 6
    # "x=1 or x=2", "2 and 3": alternatives/lists written in words become a comma list.
    s = _WORD_JOIN_RE.sub(",", s) if _WORD_LIST_RE.search(s) else s
    s = s.replace("%", "").strip()
    s = _IN_PREFIX_RE.sub("", s)
    s = _drop_units(s)
    # Thousands separators: "{,}" anywhere; a plain "," only when the whole answer is one number
    # ("58,500"), never inside a tuple or list such as "(12,102)".
    s = _BRACED_COMMA_RE.sub(r"\1", s)
    # MATH writes "10,\!080" (the "\!" became a space above): spaces are dropped only then, so
    # "32, 349" stays a list. A first group of 0 ("0,111") is never a thousands separator.
    compact = s.replace(" ", "") if thin_separators else s
    if _THOUSANDS_RE.fullmatch(compact):
        s = compact.replace(",", "")
    elif _DECIMAL_COMMA_RE.fullmatch(s):
        s = s.replace(",", ".")  # a decimal comma: "0,111" is 0.111
    s = _SPACED_THOUSANDS_RE.sub(r"\1\2", s)  # "1 000" (from "1\,000")
    s = _FRAC_SHORT_RE.sub(r"\\frac{\1}{\2}", s)
    s = _FRAC_HALF_RE.sub(r"\\frac{\1}{", s)
    s = _FRAC_HALF2_RE.sub(r"\\frac{\1}{\2}", s)
    s = _SQRT_SHORT_RE.sub(r"\\sqrt{\1}", s)
    s = s.replace("\\le ", "\\leq ").replace("\\ge ", "\\geq ").replace("\\ne ", "\\neq ")
    s = _SHORT_RELATION_RE.sub(lambda m: {"le": "\\leq", "ge": "\\geq", "ne": "\\neq"}[m.group(1)], s)
    s = s.replace("\\varnothing", "\\emptyset")
    s = s.replace("\\lbrace", "\\{").replace("\\rbrace", "\\}")
    # Spaces carry no meaning in LaTeX math except after a command name ("\pi r").
    s = _CMD_SPACE_RE.sub(lambda m: m.group(1) + "\x00", s)
    s = s.replace(" ", "").replace("\x00", " ")
    s = s.rstrip(".")
    if ";" in s and "," not in s:
        s = s.replace(";", ",")
    # A lone option letter in parentheses or bold: "(C)" -> "C".
    m = _PAREN_OPTION_RE.fullmatch(s)
    if m:
        s = m.group(1).upper()
    return s
