"""A small, safe evaluator for numeric LaTeX (``\\frac{3}{4}``, ``2\\sqrt{3}``, ``1.5\\times10^{3}``).

Written by hand because the alternatives are either slow (math-verify's ANTLR + sympy path costs
milliseconds per answer) or unsafe (``sympify``/``parse_expr`` evaluate Python). It is a recursive
descent parser over a whitelist: numbers, + - * / ^ !, \\frac, \\sqrt, \\pi, \\binom, \\cdot, \\times,
\\div, parentheses and braces, implicit multiplication. Anything else (a variable, a set, a
function) raises :class:`NotNumeric`, and the grader moves on to the symbolic stage. Exponents and
factorials are bounded so ``10^{10^{10^{10}}}`` is refused in microseconds instead of computed.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

__all__ = ["NotNumeric", "Undefined", "TooLarge", "evaluate", "numbers_close", "is_numeric_syntax"]

Number = Fraction | float | complex

_MAX_EXPONENT = 4096
_MAX_MAGNITUDE = 1e300
_MAX_LEN = 400
_MAX_DEPTH = 40  # nested brackets / commands; deeper input is refused, never recursed into
_NUM_RE = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_SCI_RE = re.compile(r"[eE][-+]?\d+")


class NotNumeric(ValueError):
    """The string is not a plain numeric expression (or is too large to evaluate safely)."""


class Undefined(NotNumeric):
    """A numeric expression with no value: division by zero, ``0^{-1}``, a zeroth root, ``(-3)!``."""


class TooLarge(NotNumeric):
    """A numeric expression too large to evaluate: astronomically large or small (``10^{10^{10}}``,
    ``1000!``), or nested more than 40 levels deep."""


class _Parser:
    def __init__(self, s: str) -> None:
        self.s = s
        self.i = 0
        self.depth = 0

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def startswith(self, tok: str) -> bool:
        if not self.s.startswith(tok, self.i):
            return False
        # A command must not continue with letters: \pi vs \pix.
        end = self.i + len(tok)
        return not (tok[-1].isalpha() and end < len(self.s) and self.s[end].isalpha())

    def eat(self, tok: str) -> bool:
        if self.startswith(tok):
            self.i += len(tok)
            return True
        return False

    def expect(self, tok: str) -> None:
        if not self.eat(tok):
            raise NotNumeric(f"expected {tok!r} at {self.i}")

    # expr := term (('+'|'-') term)*
    def expr(self) -> Number:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise TooLarge("nested too deeply")
        try:
            return self._expr()
        finally:
            self.depth -= 1

    def _expr(self) -> Number:
        value = self.term()
        while True:
            if self.eat("+"):
                value = _check(value + self.term())
            elif self.eat("-"):
                value = _check(value - self.term())
            else:
                return value

    # term := factor ((* / \cdot \times \div | implicit) factor)*
    def term(self) -> Number:
        value = self.factor()
        while True:
            if self.eat("*") or self.eat("\\cdot") or self.eat("\\times"):
                value = _check(value * self.factor())
            elif self.eat("/") or self.eat("\\div"):
                value = _div(value, self.factor())
            elif self._starts_atom():
                value = _check(value * self.power())
            else:
                return value

    def _starts_atom(self) -> bool:
        c = self.peek()
        return bool(c) and (
            c.isdigit()
            or c in "({."
            or self._imaginary_unit()
            or any(self.startswith(cmd) for cmd in ("\\frac", "\\sqrt", "\\pi", "\\binom"))
        )

    def factor(self) -> Number:
        signs = 1
        while True:  # a loop, not recursion: "-----...1" must not exhaust the stack
            if self.eat("-"):
                signs = -signs
            elif not self.eat("+"):
                break
        value = self.power()
        return -value if signs < 0 else value

    def power(self) -> Number:
        base = self.atom()
        while True:
            if self.eat("^"):
                if self.peek() == "{":
                    self.i += 1
                    exp = self.expr()
                    self.expect("}")
                elif self.peek().isdigit():
                    exp = Fraction(int(self.peek()))
                    self.i += 1
                else:
                    exp = self.factor()
                base = _pow(base, exp)
            elif self.eat("!"):
                base = _factorial(base)
            else:
                return base

    def braced(self) -> Number:
        if self.peek() == "{":
            self.i += 1
            v = self.expr()
            self.expect("}")
            return v
        c = self.peek()
        if c.isdigit():
            self.i += 1
            return Fraction(int(c))
        return self.atom()

    def atom(self) -> Number:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise TooLarge("nested too deeply")
        try:
            return self._atom()
        finally:
            self.depth -= 1

    def _imaginary_unit(self) -> bool:
        return self.peek() == "i" and not self.peek(1).isalpha() and not (self.i and self.s[self.i - 1].isalpha())

    def _atom(self) -> Number:
        c = self.peek()
        if not c:
            raise NotNumeric("unexpected end")
        if self._imaginary_unit():
            self.i += 1
            return 1j
        if c.isdigit() or c == ".":
            m = _NUM_RE.match(self.s, self.i)
            if not m:
                raise NotNumeric("bad number")
            self.i = m.end()
            value = Fraction(m.group(0))
            e = _SCI_RE.match(self.s, self.i)
            if e:
                self.i = e.end()
                value = _check(value * _pow(Fraction(10), Fraction(int(e.group(0)[1:]))))
            return value
        if c in "({[":
            close = {"(": ")", "{": "}", "[": "]"}[c]
            self.i += 1
            v = self.expr()
            self.expect(close)
            return v
        if self.eat("\\frac"):
            num = self.braced()
            den = self.braced()
            return _div(num, den)
        if self.eat("\\binom"):
            n, k = self.braced(), self.braced()
            if not (_is_int(n) and _is_int(k)) or not 0 <= int(n) <= 10_000 or int(k) < 0:
                raise (TooLarge if _is_int(n) and int(n) > 10_000 else NotNumeric)("binomial of non-integers, negatives or too large")
            return Fraction(math.comb(int(n), int(k)))
        if self.eat("\\sqrt"):
            root = Fraction(2)
            if self.peek() == "[":
                self.i += 1
                root = self.expr()
                self.expect("]")
            if root == 0:
                raise Undefined("zeroth root")
            return _pow(self.braced(), 1 / root if isinstance(root, float) else Fraction(1) / root)
        if self.eat("\\pi"):
            return math.pi
        raise NotNumeric(f"not numeric at {self.i}: {self.s[self.i:self.i + 10]!r}")


def _is_int(v: Number) -> bool:
    return (isinstance(v, Fraction) and v.denominator == 1) or (
        isinstance(v, float) and v.is_integer()
    )


def _check(v: Number) -> Number:
    if isinstance(v, complex):
        if not (math.isfinite(v.real) and math.isfinite(v.imag)) or abs(v) > _MAX_MAGNITUDE:
            raise TooLarge("value too large")
        return v
    if abs(v) > _MAX_MAGNITUDE or (isinstance(v, float) and not math.isfinite(v)):
        raise TooLarge("value too large")
    if isinstance(v, Fraction) and (v.numerator.bit_length() > 2048 or v.denominator.bit_length() > 2048):
        raise TooLarge("value too large")
    return v


def _div(a: Number, b: Number) -> Number:
    if b == 0:
        raise Undefined("division by zero")
    return _check(a / b)


def _pow(base: Number, exp: Number) -> Number:
    if isinstance(base, complex) or isinstance(exp, complex):
        # Complex numbers (a + bi): integer powers only, e.g. (1+i)^2.
        if isinstance(exp, complex) or not _is_int(exp) or abs(exp) > 64:
            raise NotNumeric("complex power")
        if base == 0 and exp < 0:
            raise Undefined("zero to a negative power")
        return _check(base ** int(exp))
    if abs(exp) > _MAX_EXPONENT:
        if base in (0, 1):
            return base
        if base == -1 and _is_int(exp):
            return Fraction(-1) if int(exp) % 2 else Fraction(1)
        # log2 of the result's magnitude: beyond ~1000 binary orders it is no answer to compare.
        if base == 0 or abs(exp) * abs(math.log2(abs(float(base)))) > 1000:
            raise TooLarge("exponent too large")
        try:
            return _check(float(base) ** float(exp))
        except (OverflowError, ZeroDivisionError, ValueError, TypeError) as e:
            raise TooLarge("exponent too large") from e
    if isinstance(exp, Fraction) and exp.denominator == 1:
        if base == 0 and exp < 0:
            raise Undefined("zero to a negative power")
        if isinstance(base, Fraction):
            if abs(base) > 1 and abs(int(exp)) * max(base.numerator.bit_length(), base.denominator.bit_length()) > 2048:
                raise TooLarge("value too large")
            return _check(base ** int(exp))
        return _check(float(base) ** int(exp))
    # Fractional exponent: exact for perfect powers of rationals, float otherwise.
    if base == 0:
        if exp < 0:
            raise Undefined("zero to a negative power")
        return Fraction(0)
    if base < 0:
        raise NotNumeric("fractional power of a negative number")
    if isinstance(base, Fraction) and isinstance(exp, Fraction) and exp.numerator == 1 and exp.denominator <= 12:
        r = exp.denominator
        num = _int_root(base.numerator, r)
        den = _int_root(base.denominator, r)
        if num is not None and den is not None:
            return Fraction(num, den)
    try:
        return _check(float(base) ** float(exp))
    except (OverflowError, ZeroDivisionError, ValueError) as e:
        raise TooLarge("value too large") from e


def _int_root(n: int, r: int) -> int | None:
    if n < 0:
        return None
    guess = round(n ** (1.0 / r)) if n.bit_length() < 1000 else None
    if guess is None:
        return None
    for g in (guess - 1, guess, guess + 1):
        if g >= 0 and g**r == n:
            return g
    return None


def _factorial(v: Number) -> Number:
    if not _is_int(v):
        raise NotNumeric("factorial of a non-integer")
    if v < 0:
        raise Undefined("factorial of a negative integer")
    if v > 300:
        raise TooLarge("factorial too large")
    return Fraction(math.factorial(int(v)))


def evaluate(s: str) -> Number:
    """The value of a normalised numeric LaTeX string; raises :class:`NotNumeric` otherwise."""
    if not s or len(s) > _MAX_LEN:
        raise NotNumeric("empty or too long")
    p = _Parser(s)
    try:
        value = p.expr()
    except (ArithmeticError, ValueError, TypeError, RecursionError) as e:
        if isinstance(e, NotNumeric):
            raise
        # Any arithmetic failure on model text is "not a number we can evaluate", never a crash.
        raise NotNumeric(f"{type(e).__name__}: {str(e)[:80]}") from e
    if p.i != len(s):
        raise NotNumeric(f"trailing text at {p.i}: {s[p.i:p.i + 10]!r}")
    return value


_NUMERIC_SYNTAX_RE = re.compile(r"(?:[\d.+\-*/^!(){}\[\]eE ]|\\(?:frac|sqrt|binom|cdot|times|div|pi)(?![A-Za-z]))+")


def is_numeric_syntax(s: str) -> bool:
    """True when ``s`` uses only the evaluator's numeric vocabulary (digits, operators, \\frac ...):
    an :class:`Undefined` or :class:`TooLarge` error then means the string has no usable value."""
    return bool(_NUMERIC_SYNTAX_RE.fullmatch(s))


def numbers_close(a: Number, b: Number, rel_tol: float = 1e-9, abs_tol: float = 1e-12) -> bool:
    """Exact for two rationals; with an irrational side (a float) only floating-point noise is
    forgiven, so a truncated decimal such as ``3.14159`` is not accepted for ``\\pi``."""
    if isinstance(a, Fraction) and isinstance(b, Fraction):
        return a == b
    if isinstance(a, complex) or isinstance(b, complex):
        a, b = complex(a), complex(b)
        return abs(a - b) <= max(rel_tol * max(abs(a), abs(b)), abs_tol)
    return math.isclose(float(a), float(b), rel_tol=rel_tol, abs_tol=abs_tol)
