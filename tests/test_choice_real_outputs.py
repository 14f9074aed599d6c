"""Labeled multiple-choice outputs in the shapes real models produce (GPQA / MoleculeQA prompts).

Each row is a full raw response, the gold letter, the letter a careful GPQA grader would say the
model finally committed to (``None`` when it never commits to exactly one), and the option count.
The verdict must be correct exactly when that letter equals the gold. Questions are made up.
"""

from __future__ import annotations

import pytest

from r1bench.grading import grade_choice_response

N = None  # expected: no committed letter


def _think(body: str) -> str:
    return f"<think>\n{body}\n</think>\n\n"


# Long R1-style reasoning that weighs every option and even writes "Answer: A" / \boxed{A} to itself.
_T_CHEM = _think(
    "Okay, so the question asks which reagent oxidises a secondary alcohol to a ketone without "
    "cleaving the ring. Let me go through the options.\n\nOption A: NaBH4. That's a reducing agent, "
    "so no.\nOption B: PCC in CH2Cl2. That stops at the ketone.\nOption C: hot acidic KMnO4 - too "
    "harsh, it could cleave.\nOption D: LiAlH4, another reductant.\n\nWait, so is it A? No, A reduces. "
    "Answer: A would be wrong. Hmm, maybe C? \\boxed{A} no. Let me re-check B... yes, B works. "
    "But the question says 'without cleaving', and C cleaves. So I think it's B, but let me write C "
    "and D out once more: C is harsh, D reduces. Final: B."
)
_T_PHYS = _think(
    "The photon energy is E = hc/lambda. With lambda = 354 nm, E = 1240/354 = 3.50 eV. Options: "
    "(A) 2.1 eV, (B) 2.8 eV, (C) 3.5 eV, (D) 4.2 eV. Hmm, (A) would be for 590 nm. I initially thought "
    "the answer is D because I misread the wavelength. Recomputing: 3.50 eV, which is option C. "
    "But wait, is the work function subtracted? The question asks for the photon energy, not the "
    "kinetic energy, so no. The answer is C."
)
_T_BIO = _think(
    "Let me think about which enzyme is inhibited. A) hexokinase, B) PFK-1, C) pyruvate kinase, "
    "D) citrate synthase, E) aldolase. Citrate inhibits PFK-1 allosterically, so B. But could it be "
    "E? Aldolase is not allosterically regulated. Could it be D? Citrate is the product of citrate "
    "synthase... product inhibition is weak. I'll go with B. Actually, the answer is B."
)
_T_SHORT = _think("Comparing the options, A and D are ruled out; between B and C, C fits the data.")

_OPTS_MQA = (
    "Option A: The molecule is a steroid lactone.\n"
    "Option B: The molecule is a flavonoid glycoside.\n"
    "Option C: The molecule is an alkaloid.\n"
    "Option D: The molecule is a fatty acid ester."
)

# (response, gold, expected letter or None[, num_choices[, starts_in_reasoning]])
CASES: dict[str, list[tuple]] = {
    # ---------------------------------------------------------------- R1 answer sections
    "r1_answer_forms": [
        (_T_CHEM + "**Answer:** B", "B", "B"),
        (_T_CHEM + "**Answer:** B", "A", "B"),
        (_T_CHEM + "Answer: B", "B", "B"),
        (_T_CHEM + "Answer: B", "C", "B"),
        (_T_CHEM + "The correct answer is **B**.", "B", "B"),
        (_T_CHEM + "The correct answer is **B**.", "A", "B"),
        (_T_CHEM + "\\boxed{B}", "B", "B"),
        (_T_CHEM + "\\boxed{B}", "A", "B"),
        (_T_CHEM + "$\\boxed{\\text{B}}$", "B", "B"),
        (_T_CHEM + "$\\boxed{\\text{B}}$", "D", "B"),
        (_T_CHEM + "**Final Answer**\n\\boxed{B}", "B", "B"),
        (_T_CHEM + "**Final Answer**\n\\boxed{B}", "A", "B"),
        (_T_PHYS + "Answer: (C) 3.5 eV", "C", "C"),
        (_T_PHYS + "Answer: (C) 3.5 eV", "D", "C"),
        (_T_CHEM + "ANSWER: b", "B", "B"),
        (_T_CHEM + "Answer: Option B", "B", "B"),
        (_T_CHEM + "Answer: Option B", "C", "B"),
        (_T_CHEM + "Answer: B) PCC in CH2Cl2", "B", "B"),
        (_T_CHEM + "Answer: B) PCC in CH2Cl2", "C", "B"),
        (_T_CHEM + "### Answer\nB", "B", "B"),
        (_T_CHEM + "### Answer\nB", "A", "B"),
        (_T_CHEM + "## Final Answer\n\n**B**", "B", "B"),
        (_T_CHEM + "### Final Answer\n\\boxed{B}", "B", "B"),
        (_T_CHEM + "**Answer: B**", "B", "B"),
        (_T_CHEM + "Answer: **B**", "B", "B"),
        (_T_CHEM + "**Answer**: B", "B", "B"),
        (_T_CHEM + "Answer: **(B)**", "B", "B"),
        (_T_CHEM + "Answer: (B)", "B", "B"),
        (_T_CHEM + "Answer: $\\boxed{B}$", "B", "B"),
        (_T_CHEM + "Final Answer: \\boxed{B}", "B", "B"),
        (_T_CHEM + "The final answer is $\\boxed{B}$.", "B", "B"),
        (_T_CHEM + "\\[\n\\boxed{B}\n\\]", "B", "B"),
        (_T_CHEM + "\\boxed{\\textbf{B}}", "B", "B"),
        (_T_CHEM + "\\boxed{\\text{(B) PCC}}", "B", "B"),
        (_T_CHEM + "\\boxed{B. PCC in CH2Cl2}", "B", "B"),
        (_T_CHEM + "\\boxed{(B)}", "B", "B"),
        (_T_PHYS + "The photon energy is 3.50 eV.\n\nAnswer: C", "C", "C"),
        (_T_PHYS + "The photon energy is 3.50 eV.\n\nAnswer: C", "A", "C"),
        (_T_PHYS + "**Answer:** C) 3.5 eV", "C", "C"),
        (_T_PHYS + "Answer: C. 3.5 eV", "C", "C"),
    ],
    "r1_summary_then_answer": [
        (
            _T_CHEM + "To oxidise the secondary alcohol selectively:\n\n- **A (NaBH4)** reduces, not "
            "oxidises.\n- **B (PCC)** stops cleanly at the ketone.\n- **C (hot KMnO4)** cleaves the ring."
            "\n- **D (LiAlH4)** reduces.\n\n**Answer:** B",
            "B",
            "B",
        ),
        (
            _T_CHEM + "- **A (NaBH4)** reduces.\n- **B (PCC)** works.\n- **C** cleaves.\n- **D** "
            "reduces.\n\n**Answer:** B",
            "C",
            "B",
        ),
        (
            _T_PHYS + "Using E = hc/λ = 1240 eV·nm / 354 nm ≈ 3.50 eV.\n\n- (A) 2.1 eV corresponds to "
            "590 nm.\n- (D) 4.2 eV corresponds to 295 nm.\n\nThe correct answer is **C**.",
            "C",
            "C",
        ),
        (
            _T_PHYS + "E = 3.50 eV, so options A, B and D are inconsistent.\n\n**Final Answer**\n"
            "\\boxed{C}",
            "C",
            "C",
        ),
        (
            _T_PHYS + "E = 3.50 eV, so options A, B and D are inconsistent.\n\n**Final Answer**\n"
            "\\boxed{C}",
            "A",
            "C",
        ),
        (
            _T_BIO + "Citrate is an allosteric inhibitor of phosphofructokinase-1 (B). Hexokinase (A) "
            "is inhibited by glucose-6-phosphate, and pyruvate kinase (C) by ATP and alanine.\n\n"
            "Answer: B",
            "B",
            "B",
            5,
        ),
        (
            _T_BIO + "Citrate inhibits PFK-1. (A) is inhibited by G6P; (E) is not regulated.\n\n"
            "Answer: B",
            "E",
            "B",
            5,
        ),
        (
            _T_CHEM + "**Step 1.** Identify the functional group (secondary alcohol).\n**Step 2.** "
            "Choose a mild oxidant.\n\nOption A and option D are reductants; option C over-oxidises."
            "\n\n**Answer: B**",
            "B",
            "B",
        ),
        (
            _T_CHEM + "The key is selectivity. While C is a strong oxidant, it is not selective.\n\n"
            "### Answer\n**B**",
            "B",
            "B",
        ),
        (
            _T_CHEM + "Summary: reductants (A, D) are excluded; hot permanganate (C) cleaves; "
            "PCC (B) gives the ketone.\n\nAnswer: B",
            "D",
            "B",
        ),
        (
            _T_SHORT + "Only C is consistent with both the NMR and IR data; B would show an O-H "
            "stretch.\n\nAnswer: C",
            "C",
            "C",
        ),
        (
            _T_SHORT + "Only C is consistent with both the NMR and IR data; B would show an O-H "
            "stretch.\n\nAnswer: C",
            "B",
            "C",
        ),
        (
            _T_SHORT + "The correct answer is C: the compound shows a carbonyl stretch at 1715 cm^-1, "
            "unlike A.",
            "C",
            "C",
        ),
        (
            _T_SHORT + "Thus the correct option is **(C)**. Options A, B and D contradict the "
            "splitting pattern.",
            "C",
            "C",
        ),
        (
            _T_SHORT + "Thus the correct option is **(C)**. Options A, B and D contradict the "
            "splitting pattern.",
            "D",
            "C",
        ),
    ],
    # ---------------------------------------------------------------- non-reasoning free form
    "free_form": [
        ("The correct option is B. Ozone absorbs UV-B radiation in the stratosphere.", "B", "B"),
        ("The correct option is B. Ozone absorbs UV-B radiation in the stratosphere.", "A", "B"),
        ("Ozone absorbs UV-B radiation in the stratosphere. Therefore, (B) is correct.", "B", "B"),
        ("B is the answer.", "B", "B"),
        ("B is the answer.", "C", "B"),
        ("Based on the energy levels, B is the answer because the transition is allowed.", "B", "B"),
        ("I believe the answer is B.", "B", "B"),
        ("I believe the answer is B.", "D", "B"),
        ("Given the selection rules, the answer would be B.", "B", "B"),
        ("Correct answer: B", "B", "B"),
        ("Correct answer: B", "A", "B"),
        (
            "The transition from n=3 to n=2 emits red light, and A and C are both in the UV range.\n\nB",
            "B",
            "B",
        ),
        (
            "The transition from n=3 to n=2 emits red light, and A and C are both in the UV range.\n\nB",
            "C",
            "B",
        ),
        ("Considering the steric hindrance, the best answer is C.", "C", "C"),
        ("So the right choice is (D).", "D", "D"),
        ("Option C is correct. It is the only one with the right symmetry.", "C", "C"),
        ("C is correct because the molecule has a plane of symmetry.", "C", "C"),
        ("Hence, the answer is option (A).", "A", "A"),
        ("The most likely answer is C, given the 1:2:1 triplet.", "C", "C"),
        ("The answer is: C) 4.2 × 10^-3 M", "C", "C"),
        ("The correct answer is option C: 2-methylpropene.", "C", "C"),
        ("The correct answer is (B) 1.5 × 10^4 M^-1 s^-1.", "B", "B"),
        ("Answer:\nC", "C", "C"),
        ("Answer:\n\n**C**", "C", "C"),
        ("The answer: C", "C", "C"),
        ("My answer: C", "C", "C"),
        ("Thus, choice B.", "B", "B"),
        ("Among the given choices, option A is the most appropriate.", "A", "A"),
        ("Among the given choices, option A is the most appropriate.", "B", "A"),
        ("Out of the options, D best fits the data.", "D", "D"),
        ("I would go with C.", "C", "C"),
        ("I'd go with option D.", "D", "D"),
        ("I'll choose B.", "B", "B"),
        (
            "Let's analyze each option:\n\nA. Incorrect: the rate law is second order.\nB. Incorrect: "
            "the intermediate is not observed.\nC. Correct: this matches the data.\nD. Incorrect: the "
            "catalyst is regenerated.\n\nThe correct answer is C.",
            "C",
            "C",
        ),
        (
            "Let's analyze each option:\n\nA. Incorrect: the rate law is second order.\nB. Incorrect: "
            "the intermediate is not observed.\nC. Correct: this matches the data.\nD. Incorrect: the "
            "catalyst is regenerated.\n\nThe correct answer is C.",
            "A",
            "C",
        ),
        ("**Correct answer: D**\n\nThe ΔG is negative at high temperature.", "D", "D"),
        ("The answer is (D).", "D", "D"),
        ("The correct choice is D.", "D", "D"),
    ],
    # ---------------------------------------------------------------- small distilled models
    "small_model_messy": [
        ("Answer: B. Option A is wrong because it ignores resonance.", "B", "B"),
        ("Answer: B. Option A is wrong because it ignores resonance.", "A", "B"),
        ("Answer: B\n\nExplanation: A and C are incorrect because they violate the octet rule.", "B", "B"),
        ("Answer: B\n\nExplanation: A and C are incorrect because they violate the octet rule.", "C", "B"),
        ("Answer: B\nAnswer: B\nAnswer: B", "B", "B"),
        ("Answer: B\n\nAnswer: B", "D", "B"),
        (_T_SHORT + "Answer: C\n\nThe answer is C.\n\n\\boxed{C}", "C", "C"),
        (_T_SHORT + "Answer: C\n\nThe answer is C.\n\n\\boxed{C}", "B", "C"),
        (
            "Answer: D\n\nExplanation: Option A describes an SN1 pathway. Option B is the "
            "elimination product. Option C is the answer for a primary substrate.",
            "D",
            "D",
        ),
        ("Answer: C\n\nOption A: incorrect.\nOption B: incorrect.\nOption D: incorrect.", "C", "C"),
        ("Answer: C\n\nA) incorrect\nB) incorrect\nD) incorrect", "C", "C"),
        ("Answer: C\n\nA) incorrect\nB) incorrect\nD) incorrect", "A", "C"),
        (_T_SHORT + "C\n\nC is the answer because the coupling constant is 7 Hz.", "C", "C"),
        (_T_SHORT + "The answer is C. The answer is C. The answer is C.", "C", "C"),
        ("**Answer:** A\n\n**Explanation:** B would require a chiral catalyst; D is a distractor.", "A", "A"),
        ("**Answer:** A\n\n**Explanation:** B would require a chiral catalyst; D is a distractor.", "B", "A"),
        ("Answer: A. (B is wrong, C is wrong, D is wrong.)", "A", "A"),
        ("Answer: C (not A, since A ignores the solvent).", "C", "C"),
        ("Answer: C (not A, since A ignores the solvent).", "A", "C"),
        (_T_SHORT + "\\boxed{C}\n\nNote: option B is a common mistake.", "C", "C"),
        ("Answer: D\nThe answer is D because A, B and C contradict the mass spectrum.", "D", "D"),
        ("Answer: B\n\nReasoning: the answer is not A since A has no stereocenter.", "B", "B"),
    ],
    # ---------------------------------------------------------------- self-correction after the answer
    "self_correction": [
        ("Answer: A\n\nWait, actually, the reaction is under kinetic control, so the answer is C.", "C", "C"),
        ("Answer: A\n\nWait, actually, the reaction is under kinetic control, so the answer is C.", "A", "C"),
        ("Answer: A\n\nWait, actually the answer is C.\n\nAnswer: C", "C", "C"),
        ("Answer: A\n\nWait, actually the answer is C.\n\nAnswer: C", "A", "C"),
        ("The answer is B. Hmm, no, the answer is D.", "D", "D"),
        ("The answer is B. Hmm, no, the answer is D.", "B", "D"),
        ("**Answer:** A\n\nCorrection: the correct answer is C.", "C", "C"),
        ("**Answer:** A\n\nCorrection: the correct answer is C.", "A", "C"),
        (_T_PHYS + "\\boxed{D}\n\nWait, I misread the wavelength. Recomputing gives 3.5 eV.\n\n\\boxed{C}", "C", "C"),
        (_T_PHYS + "\\boxed{D}\n\nWait, I misread the wavelength. Recomputing gives 3.5 eV.\n\n\\boxed{C}", "D", "C"),
        ("Answer: B\n\nActually, on reflection, the final answer is D.", "D", "D"),
        ("The correct answer is A.\n\nUpon re-examination, the correct answer is B.", "B", "B"),
        ("I initially thought A, but the correct answer is C.", "C", "C"),
        ("I initially thought A, but the correct answer is C.", "A", "C"),
        ("Answer: C\n\nWait, let me double check... yes, the answer is C.", "C", "C"),
    ],
    # ---------------------------------------------------------------- hedging: no single commitment
    "hedging": [
        ("The answer is either A or C.", "A", N),
        ("The answer is either A or C.", "C", N),
        ("It's either A or C, depending on the temperature.", "A", N),
        ("A or C", "C", N),
        ("Answer: A or B", "A", N),
        ("Answer: A or B", "B", N),
        ("Answer: A/B", "A", N),
        ("Answer: A/B", "B", N),
        ("Answer: A and C", "A", N),
        ("Answer: A, C", "C", N),
        ("Answer: A (or possibly C)", "A", N),
        ("Either (A) or (C) could be correct depending on the conditions.", "C", N),
        ("It could be A or C.", "A", N),
        ("Both B and D are consistent with the data.", "B", N),
        ("Both B and D are correct.", "D", N),
        (_T_SHORT + "**Answer:** B or C", "C", N),
        (_T_SHORT + "The correct answer is B/C.", "B", N),
        ("I can't determine a single answer; A and D both fit.", "A", N),
        ("None of the options is correct.", "A", N),
        ("The answer is B or D.", "D", N),
        ("I'm torn between B and D, but I'll go with B.", "B", "B"),
        ("I'm torn between B and D, but I'll go with B.", "D", "B"),
        ("Neither A nor B; the answer is C.", "C", "C"),
        ("The answer is not A or B, it is C.", "C", "C"),
        ("The answer is not A.", "A", N),
    ],
    # ---------------------------------------------------------------- answer only in the reasoning
    "reasoning_only": [
        (_think("Option B works. The answer is B. Answer: B"), "B", N),
        (_think("Option B works. \\boxed{B}") + "   \n", "B", N),
        (_T_CHEM, "B", N),
        (_T_PHYS, "C", N),
        (_T_PHYS.rstrip() + "\n\n\n", "C", N),
        ("<think>\nThe answer is C, because E = hc/λ gives 3.5 eV. Answer: C", "C", N),
        ("<think>\nLet me compare A and B. A is wrong. B", "B", N),
        ("<think>\n" + "Hmm, is it B or C? " * 200, "B", N),
        ("<think>\nAnswer: B\n</think>\n<think>\nWait, reconsider", "B", N),
        ("Option B works, so Answer: B\n</think>\n\n", "B", N, 4, True),
        ("Option B works, so Answer: B", "B", N, 4, True),
        ("Option B works, so the answer is B.\n</think>\n\n**Answer:** B", "B", "B", 4, True),
        ("Option B works, so the answer is B.\n</think>\n\n**Answer:** B", "A", "B", 4, True),
        ("A looks fine... no, C.\n</think>\n\nAnswer: C", "C", "C", 4, True),
        ("A looks fine... no, C.\n</think>\n\nAnswer: C", "A", "C", 4, True),
        (
            "<|begin_of_thought|>Option A fails; the answer is D.<|end_of_thought|>"
            "<|begin_of_solution|>The correct answer is \\boxed{D}.<|end_of_solution|>",
            "D",
            "D",
        ),
        ("<|begin_of_thought|>Option A fails; the answer is D.", "D", N),
        (_think("Answer: A. Hmm no.") + "Answer: D", "A", "D"),
    ],
    # ---------------------------------------------------------------- option text, no letter
    "option_text_only": [
        (_T_PHYS + "The photon energy is 3.5 eV.", "C", N),
        (_T_CHEM + "**Answer:** Pyridinium chlorochromate (PCC)", "B", N),
        ("Answer: Chlorine", "C", N),
        ("Answer: Carbon dioxide", "C", N),
        ("Answer: cis-2-butene", "C", N),
        ("The answer is the flavonoid glycoside.", "B", N),
        ("**Answer:** The molecule is a steroid lactone.", "A", N),
        ("Answer: Decreases", "D", N),
        ("Answer: Benzene", "B", N),
        ("Answer: D-glucose", "B", N),
        ("The correct answer is Alanine.", "A", N),
        (_T_PHYS + "\\boxed{3.5\\ \\text{eV}}", "C", N),
    ],
    # ---------------------------------------------------------------- five options (A-E)
    "five_options": [
        (_T_BIO + "Answer: E", "E", "E", 5),
        (_T_BIO + "Answer: E", "B", "E", 5),
        (_T_BIO + "**Answer:** B", "B", "B", 5),
        (_T_BIO + "\\boxed{E}", "E", "E", 5),
        (_T_BIO + "The correct answer is **(E)**.", "E", "E", 5),
        (_T_BIO + "The correct answer is **(E)**.", "D", "E", 5),
        ("Answer: E", "E", N, 4),
        ("\\boxed{E}", "E", N, 4),
        ("Answer: e", "E", "E", 5),
        ("E is correct because aldolase is not regulated.", "E", "E", 5),
        ("Answer: D or E", "E", N, 5),
        ("E", "E", "E", 5),
        ("E) aldolase", "E", "E", 5),
        ("**E**", "E", "E", 5),
        ("Answer: E. Options A-D are all allosterically regulated.", "E", "E", 5),
    ],
    # ---------------------------------------------------------------- letter-like words
    "letter_like_words": [
        ("A compound with two stereocenters has four stereoisomers, so the correct answer is D.", "D", "D"),
        ("A compound with two stereocenters has four stereoisomers, so the correct answer is D.", "A", "D"),
        ("I think the answer is C.", "C", "C"),
        ("I think the answer is C.", "A", "C"),
        ("Option A describes an SN1 pathway, whereas the question asks about SN2. The answer is B.", "B", "B"),
        ("Option A describes an SN1 pathway, whereas the question asks about SN2. The answer is B.", "A", "B"),
        (
            "(a) the first step is protonation of the carbonyl; (b) the second step is attack of water. "
            "Therefore the answer is C.",
            "C",
            "C",
        ),
        (
            "(a) the first step is protonation of the carbonyl; (b) the second step is attack of water. "
            "Therefore the answer is C.",
            "A",
            "C",
        ),
        ("A detailed analysis of the spectrum shows a carbonyl stretch.", "A", N),
        ("A catalyst lowers the activation energy.", "A", N),
        ("I think so.", "A", N),
        ("A: the first step is protonation.", "A", N),
        ("Answer: a detailed look shows that option C fits.", "C", "C"),
        ("The answer is a mixture of two diastereomers (option B).", "B", "B"),
        ("The answer is a mixture of two diastereomers (option B).", "A", "B"),
        ("The answer is A.", "A", "A"),
        ("A is the answer.", "A", "A"),
        ("A.", "A", "A"),
        ("(A)", "A", "A"),
        ("A) 2.1 eV", "A", "A"),
        ("Vitamin D is fat-soluble; the answer is B.", "B", "B"),
        ("Vitamin D is fat-soluble; the answer is B.", "D", "B"),
        ("The Big Bang model (B) is not relevant here; C is correct.", "C", "C"),
        ("In a DNA double helix, A pairs with T. So the answer is D.", "D", "D"),
        ("In a DNA double helix, A pairs with T. So the answer is D.", "A", "D"),
        ("I believe the answer is B.", "B", "B", 10),
        ("I think I would choose option H.", "H", "H", 10),
        ("Answer: I", "I", "I", 10),
        ("I think the answer is J.", "I", "J", 10),
        ("Section C of the syllabus covers this. The answer is A.", "A", "A"),
        ("Section C of the syllabus covers this. The answer is A.", "C", "A"),
        ("Answer: A higher temperature favors the endothermic direction, which is option C.", "C", "C"),
    ],
    # ---------------------------------------------------------------- case, unicode, markup
    "case_unicode_markup": [
        ("answer: c", "C", "C"),
        ("answer: c", "A", "C"),
        ("ANSWER: c", "C", "C"),
        ("Answer: c.", "C", "C"),
        ("the answer is (c).", "C", "C"),
        ("Answer：C", "C", "C"),
        ("Answer：C", "B", "C"),
        ("**Answer：** C", "C", "C"),
        ("\\textbf{Answer: C}", "C", "C"),
        ("\\textbf{Answer: C}", "A", "C"),
        ("$\\textbf{Answer: C}$", "C", "C"),
        ("\\textbf{Answer:} C", "C", "C"),
        ("**Answer: C**", "C", "C"),
        ("Answer: **C**", "C", "C"),
        ("Answer: \\textbf{C}", "C", "C"),
        ("Answer: $\\text{C}$", "C", "C"),
        ("Answer: $(C)$", "C", "C"),
        ("Answer: [C]", "C", "C"),
        ("__Answer:__ C", "C", "C"),
        ("> **Answer:** C", "C", "C"),
        ("Answer:C", "C", "C"),
        ("Answer :  C", "C", "C"),
        ("  Answer: C  \n", "C", "C"),
        ("Final answer: C", "C", "C"),
        ("FINAL ANSWER: C", "C", "C"),
        ("Answer: $C$", "C", "C"),
        ("Answer: ( C )", "C", "C"),
        ("The correct answer is: **C**", "C", "C"),
        ("\\textbf{(C)}", "C", "C"),
        ("$\\textbf{(C)}$", "C", "C"),
    ],
    # ---------------------------------------------------------------- MoleculeQA style
    "moleculeqa": [
        (_think("The SMILES shows a sugar attached to a chromone core, so flavonoid glycoside.") + "Answer: Option B", "B", "B"),
        (_think("The SMILES shows a sugar attached to a chromone core.") + "Answer: Option B", "C", "B"),
        (_think("Sugar + chromone.") + "Answer: B: The molecule is a flavonoid glycoside.", "B", "B"),
        (_think("Sugar + chromone.") + "**Answer:** Option B: The molecule is a flavonoid glycoside.", "B", "B"),
        (_think("Sugar + chromone.") + "The correct option is Option B.", "B", "B"),
        (_think("Sugar + chromone.") + "Option B: The molecule is a flavonoid glycoside.", "B", "B"),
        (_think("Sugar + chromone.") + "Option B: The molecule is a flavonoid glycoside.", "A", "B"),
        (_think("Sugar + chromone.") + _OPTS_MQA, "B", N),
        (_think("Sugar + chromone.") + _OPTS_MQA + "\n\nAnswer: B", "B", "B"),
        (_think("Sugar + chromone.") + "The molecule is a flavonoid glycoside.", "B", N),
        (_think("Sugar + chromone.") + "Answer: B\n\nOption A is a steroid lactone, which lacks the sugar.", "B", "B"),
        (_think("Sugar + chromone.") + "Option B is correct.", "B", "B"),
        (_think("Sugar + chromone.") + "Option B is correct.", "D", "B"),
        (_think("Sugar + chromone.") + "The answer is Option B.", "B", "B"),
        (_think("Sugar + chromone.") + "Answer: option b", "B", "B"),
    ],
}


def _short(s: str | None, n: int) -> str:
    s = "<None>" if s is None else s.replace("\n", "|")
    return s if len(s) <= n else "..." + s[-(n - 3) :]


def _params() -> list:
    out = []
    for group, rows in CASES.items():
        for i, row in enumerate(rows):
            label = f"{group}-{i:02d}[{_short(row[0], 44)}|gold={row[1]}]->{row[2] or 'None'}"
            out.append(pytest.param(*row, id=label))
    return out


PARAMS = _params()


@pytest.mark.parametrize("row", [pytest.param(p.values, id=p.id) for p in PARAMS])
def test_choice_real_output(row: tuple) -> None:
    response, gold, expected = row[0], row[1], row[2]
    num = row[3] if len(row) > 3 else 4
    prefilled = row[4] if len(row) > 4 else False
    v = grade_choice_response(response, gold, num_choices=num, starts_in_reasoning=prefilled)
    assert v.extracted == expected, v
    assert v.correct is (expected == gold), v
    if expected is not None:
        assert v.rule is not None, v


def test_case_count() -> None:
    """At least 250 labeled real-output cases."""
    assert len(PARAMS) >= 250
