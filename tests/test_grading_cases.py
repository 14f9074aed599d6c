"""Labeled grading cases: (answer or full response, gold, verdict a careful human grader would give).

Grouped by phenomenon, each form with hard negatives. Labels follow what a careful MATH / AIME /
GPQA grader would decide, not what the code happens to do; a failure here is a grader bug (or a
label to discuss), never a case to delete.
"""

from __future__ import annotations

import pytest
from case_ids import params as _params

from r1bench.grading import grade_choice_response, grade_math_response, math_equal

T, F = True, False

# ---------------------------------------------------------------- math_equal(pred, gold)

MATH_EQUAL: dict[str, list[tuple[str, str, bool]]] = {
    "frac": [
        (r"\dfrac{1}{2}", r"\frac{1}{2}", T),
        (r"\tfrac{3}{4}", r"\frac34", T),
        (r"\dfrac12", "0.5", T),
        (r"\frac{1}{2}", r"\frac{1}{3}", F),
        (r"\dfrac{2}{3}", "0.67", F),
        (r"\frac{5}{2}", r"\frac{2}{5}", F),
        ("5/2", r"\frac{5}{2}", T),
        (r"\frac{-1}{2}", r"-\frac{1}{2}", T),
        (r"-\frac{1}{2}", r"\frac{1}{2}", F),
        ("0.333", r"\frac13", F),
        (r"\dfrac{\sqrt{3}}{2}", r"\frac{\sqrt3}{2}", T),
        (r"\cfrac{7}{8}", "0.875", T),
        (r"\frac{7}{8}", "0.78", F),
    ],
    "left_right": [
        (r"\left( 3, \frac{\pi}{2} \right)", r"(3, \frac{\pi}{2})", T),
        (r"(3, \frac{\pi}{2})", r"\left( 3, \frac{\pi}{2} \right)", T),
        (r"\left(3, \frac{\pi}{2}\right)", r"\left( 3, \frac{\pi}{3} \right)", F),
        (r"\left[ 1, 2 \right]", "[1,2]", T),
        (r"\left\{1,2\right\}", r"\{1,2\}", T),
        (r"\left| -3 \right|", "3", T),
        (r"\Big( 1, 4 \Big)", "(1,4)", T),
        (r"\left( 1, 4 \right)", "(4,1)", F),
    ],
    "spacing": [
        (r"1\,000", "1000", T),
        (r"2\ \text{cm}", "2", T),
        (r"\quad 5", "5", T),
        (r"x\;=\;3", "3", T),
        (r"10\,000", "1000", F),
        (r"\frac{1}{2}\!", "0.5", T),
        (r"3 \, \sqrt{2}", r"3\sqrt{2}", T),
        (r"3\,\sqrt{2}", r"2\sqrt{3}", F),
        (r"2~\text{m}", "2", T),
    ],
    "units": [
        (r"5\text{ cm}", "5", T),
        (r"5 \text{ cm}^2", "5", T),
        (r"12\text{ inches}", "12", T),
        (r"5\text{ cm}", "6", F),
        (r"15 \text{ meters}", "15", T),
        (r"\text{5 cm}", "5", T),
        (r"4 \mbox{ units}", "4", T),
        (r"50 \text{ miles per hour}", "50", T),
        (r"50 \text{ miles per hour}", "55", F),
        (r"36\text{ square units}", "36", T),
        (r"3\text{ hours}", "3", T),
        (r"3\text{ hours}", "30", F),
        (r"\text{7 days}", "7", T),
        (r"8\text{ ways}", "8", T),
    ],
    "degrees": [
        (r"25^\circ", "25", T),
        (r"25^{\circ}", "25", T),
        (r"30^\circ", "25", F),
        (r"120 \text{ degrees}", "120", T),
        ("45\u00b0", "45", T),
        (r"45^\circ", r"45^{\circ}", T),
        (r"60^\circ", "6", F),
        (r"75^{\circ}", "57", F),
    ],
    "percent": [
        (r"50\%", "50", T),
        (r"50 \%", "50", T),
        ("50%", r"50\%", T),
        (r"50\%", "5", F),
        (r"25\%", "50", F),
        (r"12.5\%", "12.5", T),
        (r"12.5\%", "1.25", F),
        (r"33\frac{1}{3}\%", r"33\frac13", T),
    ],
    "thousands": [
        ("1,000", "1000", T),
        ("1{,}000", "1000", T),
        (r"1\,000", "1000", T),
        ("1,000,000", "1000000", T),
        ("12,345", "12345", T),
        ("1,000", "100", F),
        ("1,000", "1", F),
        ("1{,}234{,}567", "1234567", T),
        ("1,2", "12", F),
        ("1,23", "123", F),
        ("10,080", "10080", T),
        ("10,080", "1008", F),
        ("2,500.50", "2500.5", T),
    ],
    "trailing_period": [
        ("5.", "5", T),
        (r"\frac{1}{2}.", r"\frac12", T),
        ("3.5", "35", F),
        ("42.", "24", F),
        (r"x = 7.", "7", T),
    ],
    "dollars": [
        (r"\$5", "5", T),
        (r"\$5.00", "5", T),
        (r"\$1,250", "1250", T),
        ("5 dollars", "5", T),
        (r"\$18.90", "18.9", T),
        (r"\$18.90", "18.09", F),
        (r"\$ 0.25", r"\$0.25", T),
        (r"\$25", "0.25", F),
        (r"\$1{,}000", r"\$1000", T),
    ],
    "exact_vs_numeric": [
        ("0.75", r"\frac34", T),
        (r"\frac{3}{4}", "0.75", T),
        (r"\frac{10}{4}", r"\frac52", T),
        (r"\frac{10}{4}", "2.5", T),
        ("0.5", r"\frac{1}{2}", T),
        (".5", "0.5", T),
        ("2.50", "2.5", T),
        ("3.0", "3", T),
        ("3.14", r"\pi", F),
        ("0.0", "0", T),
        (r"\frac{6}{8}", r"\frac{3}{4}", T),
        (r"\frac{6}{8}", r"\frac{3}{8}", F),
        ("0.125", r"\frac{1}{8}", T),
        ("0.12", r"\frac{1}{8}", F),
        ("1.5", r"\frac{3}{2}", T),
        ("1.05", "1.5", F),
    ],
    "powers_sci": [
        (r"10^{3}", "1000", T),
        ("10^3", "1000", T),
        (r"2^{10}", "1024", T),
        (r"10^{3}", r"10^{4}", F),
        ("10^3", "30", F),
        (r"1.5\times10^{3}", "1500", T),
        (r"1.5 \times 10^{-3}", "0.0015", T),
        (r"6.02\times10^{23}", r"6.02 \cdot 10^{23}", T),
        (r"1.5\times 10^3", "150", F),
        (r"3\times10^{8}", "300000000", T),
        ("1e-3", "0.001", T),
        ("2.5e2", "250", T),
        (r"2^{-1}", r"\frac{1}{2}", T),
        (r"3^4", "81", T),
        (r"3^4", "64", F),
        (r"2^{3^2}", "512", T),
    ],
    "mixed_numbers": [
        (r"2\frac{1}{2}", r"\frac52", T),
        (r"2\frac12", "2.5", T),
        (r"2\frac{1}{2}", "1", F),
        (r"-1\frac{1}{3}", r"-\frac43", T),
        (r"3\frac{3}{4}", "3.75", T),
        (r"2\ \frac{1}{2}", r"\frac{5}{2}", T),
        (r"7\frac{1}{2}", "7.5", T),
        (r"7\frac{1}{2}", r"\frac{7}{2}", F),
        (r"\frac{5}{2}", r"2\frac{1}{2}", T),
    ],
    "negatives": [
        ("-5", "-5", T),
        ("-5", "5", F),
        ("\u22125", "-5", T),
        (r"-\sqrt{2}", r"\sqrt{2}", F),
        ("-0", "0", T),
        ("- 3", "-3", T),
        ("-3", "3", F),
        ("-12", "-21", F),
        (r"-\frac{3}{4}", "-0.75", T),
    ],
    "sqrt": [
        (r"2\sqrt{3}", r"\sqrt{12}", T),
        (r"2\sqrt3", r"2\sqrt{3}", T),
        (r"\sqrt{12}", r"3\sqrt{2}", F),
        (r"\sqrt{2}/2", r"\frac{\sqrt{2}}{2}", T),
        (r"\frac{1}{\sqrt{2}}", r"\frac{\sqrt2}{2}", T),
        (r"\sqrt[3]{8}", "2", T),
        (r"\sqrt{8}", r"2\sqrt{2}", T),
        (r"\sqrt{8}", r"2\sqrt{3}", F),
        (r"3\sqrt{2}", "4.2426", F),
        (r"\sqrt{2}+1", r"1+\sqrt{2}", T),
        (r"5\sqrt{2}", r"5\sqrt{3}", F),
        (r"\frac{3\sqrt{3}}{2}", r"\frac{3}{2}\sqrt{3}", T),
        (r"\sqrt{50}", r"5\sqrt{2}", T),
        (r"\sqrt{3}", "3", F),
        (r"\sqrt{3}", r"\sqrt[3]{3}", F),
        (r"4\sqrt{6}", r"\sqrt{96}", T),
    ],
    "pi": [
        (r"2\pi", r"2 \pi", T),
        (r"\frac{\pi}{2}", r"\frac12\pi", T),
        (r"2\pi", "6.28", F),
        (r"\pi/3", r"\frac{\pi}{3}", T),
        (r"4\pi", "4", F),
        (r"12\pi", r"12 \pi", T),
        (r"\frac{4\pi}{3}", r"\frac{4}{3}\pi", T),
        (r"18\pi", "18", F),
        (r"\pi\sqrt{2}", r"\sqrt{2}\pi", T),
        (r"\frac{\pi}{4}", r"\frac{\pi}{2}", F),
        (r"9\pi", r"9\pi\text{ square units}", T),
        (r"100\pi", r"100 \pi \text{ cm}^2", T),
    ],
    "tuples": [
        ("(1,2)", "(1, 2)", T),
        ("(1,2)", "(2,1)", F),
        ("(1,2,3)", "(1,2)", F),
        (r"(0.5, 2)", r"(\frac12, 2)", T),
        ("(1,2)", "[1,2]", F),
        ("(2, -3)", "(2,-3)", T),
        ("(-2, 3)", "(2, -3)", F),
        ("1, 2", "(1,2)", T),
        ("a=2, b=3", "(2,3)", T),
        ("a=2, b=3", "(3,2)", F),
        ("(x,y)=(1,2)", "(1,2)", T),
        ("(3,4)", "(3,5)", F),
        (r"(1, \sqrt{3})", r"\left(1,\sqrt3\right)", T),
        (r"(6, 8, 10)", "(6,8,10)", T),
        (r"(6, 10, 8)", "(6,8,10)", F),
        ("(1,2)", "3", F),
    ],
    "intervals": [
        ("[2,5)", "[2,5)", T),
        (r"x \in [2,5)", "[2,5)", T),
        ("[2,5]", "[2,5)", F),
        ("(2,5)", "[2,5)", F),
        (r"(-\infty, 3]", r"(-\infty,3]", T),
        (r"(-\infty, 3)", r"(-\infty, 3]", F),
        ("[0, \\infty)", "[0,\\infty)", T),
        ("[-1, 1]", "[-1,1]", T),
        (r"\left[ -\frac{1}{2}, 3 \right)", "[-0.5, 3)", T),
        ("[1,4]", "[1,5]", F),
        (r"x\in(0,1]", "(0,1]", T),
        (r"x \in [2,5]", "[2,5)", F),
        (r"(-\infty, \infty)", r"\mathbb{R}", T),
        ("x < 3", r"(-\infty, 3)", T),
        (r"x \geq 2", r"[2, \infty)", T),
        ("2 < x < 5", "(2,5)", T),
        ("2 < x < 5", "[2,5]", F),
        ("[2,5)", "2", F),
    ],
    "unions": [
        (r"(-\infty, -2) \cup (3, \infty)", r"(3,\infty)\cup(-\infty,-2)", T),
        (r"(-\infty,-2)\cup(3,\infty)", r"(-\infty,-2]\cup(3,\infty)", F),
        (r"(-\infty,-2)\cup(3,\infty)", r"(-\infty,-2)\cup(3,\infty)", T),
        (r"(-\infty, 1) \cup (1, \infty)", r"(-\infty,1)\cup(1,\infty)", T),
        (r"(-\infty,1)\cup(2,\infty)", r"(-\infty,1)\cup(1,\infty)", F),
        (r"(-\infty,0)", r"(-\infty,0)\cup(0,\infty)", F),
        (r"[1,2]\cup[3,4]", r"[1,2] \cup [3,4]", T),
    ],
    "sets": [
        (r"\{1,2,3\}", r"\{3,2,1\}", T),
        (r"\{1,2,3\}", r"\{1,2\}", F),
        (r"\{1,2,3\}", "1,2,3", T),
        (r"\{1, 2\}", r"\{1, 3\}", F),
        (r"\{-1, \frac12\}", r"\{0.5, -1\}", T),
        (r"\emptyset", r"\varnothing", T),
        (r"\{0\}", r"\emptyset", F),
        (r"\{2, 4, 6\}", r"\{2,4,8\}", F),
    ],
    "root_lists": [
        ("1, 2", "2, 1", T),
        ("-3, 2", "2,-3", T),
        ("1,2", "1,2,3", F),
        ("1, -1", "1", F),
        ("x=1 or x=2", "1,2", T),
        ("2 and 3", "2,3", T),
        ("x=2, x=3", "2, 3", T),
        ("1, 2", "1, 3", F),
        ("3, 5, 7", "7, 5, 3", T),
        (r"1 \text{ and } 4", "1,4", T),
        ("2; 3", "2,3", T),
        (r"\frac{1}{2}, -3", r"-3, \frac{1}{2}", T),
        ("1", "1, -1", F),
        ("x = 1, 2", "1,2", T),
        (r"x=-2 \text{ or } x=5", "5, -2", T),
        (r"x=-2 \text{ or } x=5", "5, 2", F),
    ],
    "matrices": [
        (
            r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
            r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}",
            T,
        ),
        (
            r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
            r"\begin{pmatrix} 1 & 3 \\ 2 & 4 \end{pmatrix}",
            F,
        ),
        (
            r"\begin{pmatrix} 1/2 \\ 3 \end{pmatrix}",
            r"\begin{pmatrix} \frac12 \\ 3 \end{pmatrix}",
            T,
        ),
        (r"\begin{pmatrix} 1 \\ 2 \end{pmatrix}", r"\begin{pmatrix} 1 & 2 \end{pmatrix}", F),
        (
            r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}",
            r"\begin{pmatrix} 1 & 0 \\ 0 & 2 \end{pmatrix}",
            F,
        ),
        (
            r"\begin{pmatrix} -1 \\ 2 \\ 0.5 \end{pmatrix}",
            r"\begin{pmatrix} -1 \\ 2 \\ \frac{1}{2} \end{pmatrix}",
            T,
        ),
        (
            r"\left(\begin{array}{cc}1&2\\3&4\end{array}\right)",
            r"\begin{pmatrix}1&2\\3&4\end{pmatrix}",
            T,
        ),
        (r"\begin{pmatrix} 2 \\ -1 \end{pmatrix}", r"\begin{pmatrix} -1 \\ 2 \end{pmatrix}", F),
        (
            r"\begin{pmatrix} \dfrac{3}{5} \\ \dfrac{4}{5} \end{pmatrix}",
            r"\begin{pmatrix} 3/5 \\ 4/5 \end{pmatrix}",
            T,
        ),
        (r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", "10", F),
    ],
    "plus_minus": [
        (r"1\pm\sqrt{2}", r"1+\sqrt{2}, 1-\sqrt{2}", T),
        (r"\pm 3", "3, -3", T),
        (r"\pm 3", "3", F),
        (r"2 \pm i", "2+i, 2-i", T),
        (r"\pm\sqrt{5}", r"-\sqrt{5},\sqrt{5}", T),
        (r"1 \pm \sqrt{2}", r"1\pm\sqrt{3}", F),
        (r"\frac{-1\pm\sqrt{5}}{2}", r"\frac{-1+\sqrt5}{2}, \frac{-1-\sqrt5}{2}", T),
        (r"1+\sqrt{2}, 1-\sqrt{2}", r"1\pm\sqrt{2}", T),
        (r"1+\sqrt{2}", r"1\pm\sqrt{2}", F),
    ],
    "equations": [
        ("x=3", "3", T),
        ("3", "x=3", T),
        ("y=2x+3", "2x+3", T),
        ("y = 2x+3", "y=2x+3", T),
        ("a+3z=0", "0", F),
        ("2x+3", "y=2x+3", T),
        ("x=3", "x=4", F),
        ("y=2x+3", "y=3x+2", F),
        ("x=3", "4", F),
        ("x+y=5", "5", F),
        ("2x+y=5", "y=-2x+5", T),
        ("f(x)=x^2", "x^2", T),
        (r"k=\frac12", "0.5", T),
        ("x^2+y^2=25", "25", F),
        ("3x-2y=6", "6", F),
        ("x=1", "y=1", F),
        (r"y=-\frac{1}{2}x+3", "y = -0.5x + 3", T),
        ("2x-4y+z-7=0", "0", F),
        ("x+2y+3z=6", "x+2y+3z-6=0", T),
        ("x+2y+3z=6", "x+2y+3z+6=0", F),
        ("n = 12", "12", T),
        (r"\theta = \frac{\pi}{4}", r"\frac{\pi}{4}", T),
    ],
    "inequalities": [
        (r"x \geq 2", r"x\ge 2", T),
        ("x>2", r"x\geq 2", F),
        ("x<-1", "x < -1", T),
        (r"x \le 5", "x<5", F),
        ("x > 3", "3", F),
        ("x>3", "x<3", F),
        (r"x \le 5", r"x \leq 5", T),
        (r"x \geq -\frac{1}{2}", r"x\geq -0.5", T),
    ],
    "aime_integers": [
        ("033", "33", T),
        ("33", "033", T),
        ("33", "330", F),
        ("330", "33", F),
        ("0", "000", T),
        ("7", "007", T),
        ("70", "7", F),
        ("100", "10", F),
        ("204", "240", F),
        ("3", "3.0", T),
        ("33", "33.5", F),
        ("025", "25", T),
        ("999", "999", T),
        ("080", "80", T),
        ("080", "8", F),
        ("11", "110", F),
    ],
    "text_answers": [
        (r"\text{Monday}", "Monday", T),
        (r"\text{Monday}", r"\text{Tuesday}", F),
        ("Monday", "monday", T),
        (r"\text{(C)}", "(C)", T),
        ("(C)", "C", T),
        ("C", r"\text{(C)}", T),
        ("(C)", "(D)", F),
        (r"\text{C}", "C", T),
        (r"\text{odd}", r"\text{even}", F),
        (r"\text{even}", "even", T),
        (r"\text{No}", "No", T),
        (r"\text{yes}", r"\text{no}", F),
        (r"\text{Devon}", "Devon", T),
        (r"\textbf{(B)}", r"\text{(B)}", T),
        ("(E)", r"\text{(E)}", T),
        ("(A)", r"\text{(E)}", F),
    ],
    "algebraic": [
        ("x^2+2x+1", "(x+1)^2", T),
        ("(x+1)^2", "x^2+1", F),
        ("x^2-1", "(x-1)(x+1)", T),
        (r"\frac{1}{x-1}", r"\frac{1}{x+1}", F),
        ("2x+3", "3+2x", T),
        ("2x+3", "2x-3", F),
        ("a^2b", "ba^2", T),
        (r"\frac{a}{b}", "a/b", T),
        ("x^3-6x^2+11x-6", "(x-1)(x-2)(x-3)", T),
        ("x^3-6x^2+11x-6", "(x-1)(x-2)(x+3)", F),
        ("6x^2+x-2", "(2x-1)(3x+2)", T),
        ("6x^2+x-2", "(2x+1)(3x-2)", F),
        (r"\frac{x^2-4}{x-2}", "x+2", T),
        ("-x^2+4", "4-x^2", T),
        ("4x^2", "2x^2", F),
        (r"\frac{3}{x}", "3x^{-1}", T),
        (r"\frac{n(n+1)}{2}", r"\frac{n^2+n}{2}", T),
        (r"2^{n+1}", r"2\cdot 2^n", T),
        (r"2^{n+1}", "2^n+1", F),
        (r"\frac{1}{2}x", r"\frac{x}{2}", T),
        ("2", "2x", F),
        (r"\frac{x+1}{x^2-1}", r"\frac{1}{x-1}", T),
        (r"\frac{2x+2}{4}", r"\frac{x+1}{2}", T),
        ("x^2-5x+6", "(x-2)(x-3)", T),
        ("x^2-5x+6", "(x+2)(x+3)", F),
        (r"\sin^2 x + \cos^2 x", "1", T),
        (r"2\sin x\cos x", r"\sin 2x", T),
        (r"\binom{5}{2}", "10", T),
        ("5!", "120", T),
        (r"\log_2 8", "3", T),
        ("3a+2b", "2a+3b", F),
    ],
    "infinity": [
        (r"\infty", r"\infty", T),
        (r"-\infty", r"\infty", F),
        (r"\infty", "1000000", F),
        ("\u221e", r"\infty", T),
    ],
    "complex": [
        ("3+4i", "3+4i", T),
        ("4i+3", "3+4i", T),
        ("3-4i", "3+4i", F),
        ("i", "-i", F),
        (r"\frac{1}{2}+\frac{\sqrt{3}}{2}i", r"\frac{1+i\sqrt{3}}{2}", T),
        ("2i", "2", F),
        ("1+i", "1 + i", T),
        ("-1+2i", "2i-1", T),
        ("-1+2i", "1-2i", F),
        ("5", "5+0i", T),
    ],
    "base_subscripts": [
        ("1011_2", "1011_{2}", T),
        ("1011", "1011_2", T),
        ("1011_2", "1101_2", F),
        ("11", "1011_2", F),
        ("123_4", "123_{4}", T),
        ("10_3", "10_4", F),
        (r"2A_{16}", "2A_{16}", T),
        ("1101_2", "1011_2", F),
    ],
}

MATH_EQUAL_PARAMS = [p for group, rows in MATH_EQUAL.items() for p in _params(group, rows)]


@pytest.mark.parametrize(("pred", "gold", "expected"), MATH_EQUAL_PARAMS)
def test_math_equal(pred: str, gold: str, expected: bool) -> None:
    assert math_equal(pred, gold) is expected


# ---------------------------------------------------------------- grade_math_response

_LONG = "Let me consider the problem carefully. " * 300
_R1_SELF_CORRECT = (
    "<think>\nOkay, so I need to add 2 and 3. Hmm, at first glance 2+3 might be 7, so "
    "\\boxed{7}? Wait, that's not right. Let me recompute: 2 + 3 = 5. Yes, 5.\n</think>\n\n"
    "To add the numbers we compute $2+3=5$.\n\n**Final Answer**\n\\boxed{5}"
)
_R1_FRAC = (
    "<think>\nThe probability is 2 favourable out of 4, which is \\frac{2}{4}. Simplify: 1/2. "
    "Let me double check... yes.\n</think>\n\nThere are 4 equally likely outcomes and 2 are "
    "favourable, so the probability is\n\n\\[\n\\boxed{\\dfrac{1}{2}}\n\\]"
)
_BESPOKE = (
    "<|begin_of_thought|>\n\nSo the answer might be \\boxed{9}. No wait, it is 8.\n\n"
    "<|end_of_thought|>\n\n<|begin_of_solution|>\n\nCounting again gives 8.\n\n"
    "\\boxed{8}\n\n<|end_of_solution|>"
)

GRADE_MATH: dict[str, list[tuple]] = {
    # (response, gold, expected[, starts_in_reasoning])
    "r1_think": [
        (_R1_SELF_CORRECT, "5", T),
        (_R1_SELF_CORRECT, "7", F),
        (_R1_FRAC, "0.5", T),
        (_R1_FRAC, r"\frac{2}{3}", F),
        ("<think>" + _LONG + "so 12.</think>\n\nThe answer is $\\boxed{12}$.", "12", T),
        ("<think>" + _LONG + "so 12.</think>\n\nThe answer is $\\boxed{12}$.", "21", F),
        ("<think>..</think> so \\boxed{\\dfrac{1}{2}}", "0.5", T),
        ("<think>I get \\boxed{7}. Hmm, no.</think>\nThe answer is 5.", "5", T),
        ("<think>I get \\boxed{7}. Hmm, no.</think>\nThe answer is 5.", "7", F),
        ("<think>I get \\boxed{7}.</think>", "7", F),
        ("<think>So \\boxed{7}.</think>\n\nI'm not sure.", "7", F),
        ("<think>a</think> hmm <think>b \\boxed{3}</think> \\boxed{4}", "4", T),
        ("<think>a</think> hmm <think>b \\boxed{3}</think> \\boxed{4}", "3", F),
        (
            "<think>\nlong work\n</think>\n\nSo the final answer is \\(\\frac{1}{2}\\).",
            r"\frac12",
            T,
        ),
        (
            "<think>\nMaybe \\boxed{3}\n</think>\n\nSo the final answer is \\(\\frac{1}{2}\\).",
            "3",
            F,
        ),
        ("<think>\nx = 3\n</think>\n\nSolving, $\\boxed{x=3}$.", "3", T),
        ("<think>\ncheck\n</think>\n\n\\boxed{34}", "33", F),
        ("<think>\ncheck\n</think>\n\n**Final Answer**\n\\[\n\\boxed{033}\n\\]", "33", T),
    ],
    "self_correction_answer": [
        ("So x = 3.\n\nWait, I made an error in the sign. Actually x = 4.\n\n\\boxed{4}", "4", T),
        ("So x = 3.\n\nWait, I made an error in the sign. Actually x = 4.\n\n\\boxed{4}", "3", F),
        (
            "First attempt: \\boxed{3}. Correcting the arithmetic above, the result is \\boxed{4}.",
            "4",
            T,
        ),
        (
            "First attempt: \\boxed{3}. Correcting the arithmetic above, the result is \\boxed{4}.",
            "3",
            F,
        ),
    ],
    "several_boxes": [
        ("The solutions are $\\boxed{2}, \\boxed{3}$.", "2,3", T),
        ("The solutions are $\\boxed{2}, \\boxed{3}$.", "2", F),
        ("The solutions are \\boxed{2} and \\boxed{3}.", "2, 3", T),
        ("$\\boxed{x=2}$ or $\\boxed{x=-3}$", "2,-3", T),
        ("$\\boxed{x=2}$ or $\\boxed{x=-3}$", "2,3", F),
        ("\\boxed{-1} \\quad \\boxed{1}", "1,-1", T),
    ],
    "box_forms": [
        ("The answer is $\\boxed 5$.", "5", T),
        ("The answer is $\\boxed 5$.", "6", F),
        ("The answer is \\fbox{12}.", "12", T),
        ("\\boxed{\\frac{\\sqrt{3}}{2}}", r"\frac{\sqrt3}{2}", T),
        ("\\boxed{\\frac{\\sqrt{3}}{2}}", r"\frac{\sqrt2}{2}", F),
        ("\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}", r"(3,\frac{\pi}{2})", T),
        ("\\boxed {5}", "5", T),
        ("\\boxed{1,000}", "1000", T),
        ("\\boxed{10^{3}}", "1000", T),
        ("\\boxed{x \\in [2,5)}", "[2,5)", T),
        ("\\boxed{x \\in [2,5)}", "[2,5]", F),
        ("\\boxed{\\{1,2,3\\}}", r"\{3,1,2\}", T),
        ("\\boxed{\\text{Monday}}", r"\text{Monday}", T),
        ("\\boxed{C}", r"\text{(C)}", T),
        (
            "\\boxed{\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}}",
            r"\begin{pmatrix}1&2\\3&4\end{pmatrix}",
            T,
        ),
        ("\\boxed{a+3z=0}", "0", F),
        ("The answer is \\boxed{\\frac{1}{2", r"\frac12", F),
        ("\\boxed{}", "5", F),
    ],
    "units_in_answer": [
        ("The side is $\\boxed{5\\text{ cm}}$.", "5", T),
        ("\\boxed{12 \\text{ inches}}", "12", T),
        ("She paid \\boxed{\\$18.90}.", "18.90", T),
        ("\\boxed{25^\\circ}", "25", T),
        ("\\boxed{50\\%}", "50", T),
        ("\\boxed{50\\%}", "40", F),
    ],
    "prefilled_think": [
        ("Let me think... maybe \\boxed{9}?\n</think>\n\n\\boxed{8}", "8", T, True),
        ("Let me think... maybe \\boxed{9}?\n</think>\n\n\\boxed{8}", "8", T, False),
        ("Let me think... maybe \\boxed{9}?\n</think>\n\n\\boxed{8}", "9", F, True),
        ("Let me think about it. So \\boxed{8}", "8", F, True),
    ],
    "bespoke": [
        (_BESPOKE, "8", T),
        (_BESPOKE, "9", F),
        ("<|begin_of_thought|>\nSo \\boxed{8}\n", "8", F),
    ],
    "no_tags": [
        ("We compute the sum and get \\boxed{42}.", "42", T),
        ("We compute the sum and get \\boxed{42}.", "24", F),
        ("5", "5", T),
        ("$\\frac{1}{2}$", "0.5", T),
    ],
    "unclosed_or_empty": [
        ("<think>\nWe have 6*7 = 42, so \\boxed{42}", "42", F),
        ("<think>\n" + _LONG, "42", F),
        ("", "5", F),
        (None, "5", F),
        ("<think></think>", "5", F),
    ],
    "fallbacks": [
        ("The final answer is 5", "5", T),
        ("The final answer is 5", "6", F),
        ("The final answer is $\\frac{1}{2}$.", "0.5", T),
        ("**Final Answer**\n\n$\\dfrac{3}{4}$", "0.75", T),
        ("**Final Answer:** 33", "033", T),
        ("Answer: 5", "5", T),
        ("Therefore the answer is $12\\text{ cm}$.", "12", T),
        ("<think>\\boxed{5}</think>\nThe final answer is 6.", "6", T),
        ("<think>\\boxed{5}</think>\nThe final answer is 6.", "5", F),
    ],
}

GRADE_MATH_PARAMS = [p for group, rows in GRADE_MATH.items() for p in _params(group, rows)]


@pytest.mark.parametrize("row", [pytest.param(p.values, id=p.id) for p in GRADE_MATH_PARAMS])
def test_grade_math_response(row: tuple) -> None:
    response, gold, expected = row[0], row[1], row[2]
    prefilled = row[3] if len(row) > 3 else False
    v = grade_math_response(response, gold, starts_in_reasoning=prefilled)
    assert bool(v) is expected, v
    assert v.correct is expected
    if expected:
        assert v.extracted is not None and v.rule is not None


# ---------------------------------------------------------------- grade_choice_response

_OPTIONS = "A. 12\nB. 14\nC. 16\nD. 18"

GRADE_CHOICE: dict[str, list[tuple]] = {
    # (response, gold letter, expected[, num_choices])
    "answer_line": [
        ("Answer: C", "C", T),
        ("Answer: C", "B", F),
        ("**Answer:** (C)", "C", T),
        ("ANSWER: D", "D", T),
        ("answer: b", "B", T),
        ("Answer: $B$", "B", T),
        ("Answer: $\\boxed{A}$", "A", T),
        ("Answer:\n\nC", "C", T),
        (_OPTIONS + "\n\nAnswer: B", "B", T),
        (_OPTIONS + "\n\nAnswer: B", "D", F),
        ("Answer: C. Because A is wrong and B is wrong.", "C", T),
    ],
    "boxed": [
        ("\\boxed{C}", "C", T),
        ("\\boxed{C}", "A", F),
        ("**Final Answer**\n\\boxed{D}", "D", T),
        ("$\\boxed{\\text{C}}$", "C", T),
        ("\\boxed{(A)}", "A", T),
    ],
    "answer_is": [
        ("The answer is C.", "C", T),
        ("The answer is (b).", "B", T),
        ("Therefore the answer is $\\textbf{(C)}\\ 12$.", "C", T),
        ("The correct answer is (D) 42 kJ/mol.", "D", T),
        ("The answer is: **(D)**", "D", T),
        ("My final answer is C.", "C", T),
        ("The correct answer is C) 4", "C", T),
        ("The answer is $\\text{(B)}$.", "B", T),
        ("The answer is not A. The answer is B.", "B", T),
        ("The answer is not A. The answer is B.", "A", F),
        ("C is not correct; the correct answer is D.", "D", T),
        ("A careful analysis shows the answer is C.", "C", T),
        ("A careful analysis shows the answer is C.", "A", F),
    ],
    "free_form": [
        ("the correct option is: B. Paris", "B", T),
        ("Therefore, (B) is correct.", "B", T),
        ("Therefore, (B) is correct.", "C", F),
        ("So option B is the best choice.", "B", T),
        ("I would choose option C.", "C", T),
        ("A is incorrect, B is incorrect, C is correct.", "C", T),
        ("Between A and C, I choose C.", "C", T),
        ("B", "B", T),
        ("(B)", "B", T),
        ("B. 14", "B", T),
        ("**C**", "C", T),
        (
            "Option A seems plausible, but it ignores friction. B is ruled out too. Therefore, the answer is D.",
            "D",
            T,
        ),
        (
            "The answer is C. Wait, let me reconsider the units. Rechecking, the answer is B.",
            "B",
            T,
        ),
        (
            "The answer is C. Wait, let me reconsider the units. Rechecking, the answer is B.",
            "C",
            F,
        ),
    ],
    "five_options": [
        ("Answer: E", "E", T, 5),
        ("The correct answer is E.", "E", T, 5),
        ("\\boxed{E}", "E", T, 5),
        ("Answer: E", "E", F, 4),
        ("Answer: D", "E", F, 5),
    ],
    "reasoning_letters": [
        ("<think>Maybe A... option A looks right. Actually, no.</think>\nThe answer is C.", "C", T),
        ("<think>Maybe A... option A looks right. Actually, no.</think>\nThe answer is C.", "A", F),
        ("<think>Answer: A? no.</think>Answer: C", "C", T),
        ("<think>Answer: A? no.</think>Answer: C", "A", F),
        ("reasoning about A and B...\n</think>\n\nAnswer: B", "B", T, 4, True),
        (
            "<|begin_of_thought|>A looks right<|end_of_thought|><|begin_of_solution|>The answer is \\boxed{B}<|end_of_solution|>",
            "B",
            T,
        ),
        (
            "<|begin_of_thought|>A looks right<|end_of_thought|><|begin_of_solution|>The answer is \\boxed{B}<|end_of_solution|>",
            "A",
            F,
        ),
    ],
    "hedging": [
        ("The answer is A or C.", "A", F),
        ("The answer is A or C.", "C", F),
        ("It's either A or C.", "A", F),
        ("I think it could be A or C, I can't decide.", "C", F),
        ("Answer: A or B", "A", F),
        ("Both A and C are correct.", "A", F),
        ("(A) is correct or maybe (C) is correct.", "C", F),
        ("None of the options is correct.", "A", F),
        (_OPTIONS, "D", F),
    ],
    "truncated_or_empty": [
        ("<think>I think the answer is B, because", "B", F),
        ("<think>Answer: B", "B", F),
        ("I think the answer is B", "B", F, 4, True),
        ("", "A", F),
        (None, "A", F),
    ],
}

GRADE_CHOICE_PARAMS = [p for group, rows in GRADE_CHOICE.items() for p in _params(group, rows)]


@pytest.mark.parametrize("row", [pytest.param(p.values, id=p.id) for p in GRADE_CHOICE_PARAMS])
def test_grade_choice_response(row: tuple) -> None:
    response, gold, expected = row[0], row[1], row[2]
    num = row[3] if len(row) > 3 else 4
    prefilled = row[4] if len(row) > 4 else False
    v = grade_choice_response(response, gold, num_choices=num, starts_in_reasoning=prefilled)
    assert bool(v) is expected, v
    if expected:
        assert v.extracted == gold and v.rule is not None


def test_case_count() -> None:
    """The labeled set stays at least as large as the issue asks (300+ here, 350+ with extraction)."""
    assert len(MATH_EQUAL_PARAMS) + len(GRADE_MATH_PARAMS) + len(GRADE_CHOICE_PARAMS) >= 300
