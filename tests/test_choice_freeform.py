"""Held-out free-form endings of chat-model answers to made-up 4-option science questions.

Written as adversarial cases in the styles of gpt-4o, Claude, Llama, Qwen, Mistral, Gemini,
DeepSeek and small distilled students, which often ignore "Answer: X". Each row: the answer part,
the letter a careful human grader extracts (None: no single committed option), and the option
texts in the shown order where the row passes them. Questions and options are made up here.
"""

from __future__ import annotations

import pytest

from r1bench.grading import grade_choice_response

N = None

# Option sets (shown order, A first).
O_ENZ = ["It lowers the activation energy", "It raises the equilibrium constant",
         "It is consumed in the reaction", "It shifts the equilibrium toward products"]
O_SPEED = ["3.2 m/s", "4.5 m/s", "6.4 m/s", "9.0 m/s"]
O_PH = ["2.3", "3.7", "4.9", "11.7"]
O_CONC = ["1.2 \\times 10^{-3} M", "2.4 \\times 10^{-3} M", "4.8 \\times 10^{-3} M", "9.6 \\times 10^{-3} M"]
O_ORG = ["mitochondrion", "ribosome", "Golgi apparatus", "lysosome"]
O_GAS = ["helium", "neon", "argon", "krypton"]
O_FRAC = ["\\frac{1}{4}", "\\frac{1}{2}", "\\frac{3}{4}", "1"]
O_HYB = ["sp", "sp^2", "sp^3", "sp^3d"]
O_NUMS = ["2", "4", "6", "8"]

R_PHYS = ("The block slides down a frictionless incline of height 2.1 m, so energy conservation gives "
          "v = \\sqrt{2gh} = \\sqrt{2 \\cdot 9.8 \\cdot 2.1} \\approx 6.4 m/s.\n\n")
R_CHEM = ("A 0.05 M solution of a weak acid with K_a = 1.8 \\times 10^{-5}: [H^+] = \\sqrt{K_a C} "
          "\\approx 9.5 \\times 10^{-4}, so pH \\approx 3.0 after rounding the activity correction.\n\n")
R_BIO = ("Enzymes are catalysts: they provide an alternative pathway with a lower activation energy, "
         "and they are not consumed. They do not change the equilibrium position.\n\n")

# (answer part, expected letter[, options])
ROWS: list[tuple] = [
    # --- markdown headers and bold answer lines
    (R_PHYS + "### Final Answer\n**C**", "C"),
    (R_PHYS + "### Final Answer\n\n**C. 6.4 m/s**", "C"),
    (R_PHYS + "## Answer\n(C) 6.4 m/s", "C"),
    (R_BIO + "**Final answer:** A", "A"),
    (R_BIO + "**Answer: (A)**", "A"),
    (R_BIO + "**Answer:** (A) It lowers the activation energy", "A"),
    (R_BIO + "Answer: **A**", "A"),
    (R_CHEM + "**Correct option: (B)**", "B"),
    (R_CHEM + "Correct option: **(B)**", "B"),
    (R_CHEM + "Correct choice — B", "B"),
    (R_CHEM + "### Conclusion\nThe pH is closest to 3.7, so the answer is **B**.", "B"),
    (R_PHYS + "---\n\n**Final Answer: C) 6.4 m/s**", "C"),
    (R_PHYS + "#### Final answer\n$\\boxed{C}$", "C"),
    (R_PHYS + "**Final Answer**\n\n\\[\n\\boxed{C}\n\\]", "C"),
    (R_PHYS + "**Final Answer**\n\\boxed{\\text{C}}", "C"),
    # --- "the best choice / most plausible" phrasings
    (R_BIO + "The best choice is A) It lowers the activation energy.", "A"),
    (R_BIO + "The most plausible answer: A", "A"),
    (R_BIO + "The most appropriate answer is A.", "A"),
    (R_BIO + "The most accurate statement is option A.", "A"),
    (R_BIO + "The statement that is true is (A).", "A"),
    (R_BIO + "The true statement is A: enzymes lower the activation energy.", "A"),
    (R_CHEM + "The best answer among the choices is B.", "B"),
    (R_CHEM + "The closest value is option B (3.7).", "B"),
    (R_CHEM + "The closest match among the options is **B. 3.7**.", "B"),
    (R_CHEM + "None of the options is exactly right, but the closest is B.", "B"),
    (R_CHEM + "None of the given values matches exactly; the closest option is (B) 3.7.", "B"),
    (R_CHEM + "Our value of 3.0 is not listed. The nearest option is B.", "B"),
    # --- "option X is the right one" / "hence (D)"
    (R_PHYS + "Hence (C) is correct.", "C"),
    (R_PHYS + "Hence, (C).", "C"),
    (R_PHYS + "Option C is the right one.", "C"),
    (R_PHYS + "Option C is the correct one.", "C"),
    (R_PHYS + "So option C it is.", "C"),
    (R_PHYS + "C is correct.", "C"),
    (R_PHYS + "Thus, C is the answer.", "C"),
    (R_PHYS + "That makes (C) the correct choice.", "C"),
    (R_PHYS + "This points to answer choice C.", "C"),
    (R_PHYS + "The answer must be C.", "C"),
    (R_PHYS + "So the answer's C.", "C"),
    (R_PHYS + "Therefore, I'm confident the answer is C.", "C"),
    (R_PHYS + "Answer choice (C) is correct.", "C"),
    (R_PHYS + "The right option here is C — 6.4 m/s.", "C"),
    (R_PHYS + "→ **C**", "C"),
    (R_PHYS + "v ≈ 6.4 m/s → **C**", "C"),
    (R_PHYS + "⇒ Answer: C", "C"),
    (R_PHYS + "✅ **C. 6.4 m/s**", "C"),
    (R_PHYS + "**Answer ➜ C**", "C"),
    # --- boxed forms
    (R_PHYS + "So, the answer is: $\\boxed{\\text{C}}$", "C"),
    (R_PHYS + "So, the answer is: $\\boxed{\\textbf{(C)}}$", "C"),
    (R_PHYS + "\\[\\boxed{\\text{(C) } 6.4 \\text{ m/s}}\\]", "C"),
    (R_PHYS + "The answer is $\\boxed{C: 6.4\\ \\text{m/s}}$.", "C"),
    (R_PHYS + "\\boxed{\\mathrm{C}}", "C"),
    (R_PHYS + "$$\\boxed{6.4 \\text{ m/s}}$$\n\nThis is option C.", "C"),
    (R_PHYS + "\\boxed{6.4\\ \\text{m/s}} which is choice (C).", "C"),
    # --- "Answer: D) value" and lines with value
    (R_CHEM + "Answer: D) 9.6 × 10^-3 M", "D"),
    (R_CHEM + "Answer - B", "B"),
    (R_CHEM + "Answer = B", "B"),
    (R_CHEM + "ANSWER: B", "B"),
    (R_CHEM + "Answer: Option B", "B"),
    (R_CHEM + "Answer: (B) 3.7", "B"),
    (R_CHEM + "Answer:\nB", "B"),
    (R_CHEM + "Final: B", "B"),
    (R_CHEM + "Final answer → B", "B"),
    (R_CHEM + "Final Answer: The final answer is $\\boxed{B}$. I hope it is correct.", "B"),
    (R_CHEM + "The final answer is (B).", "B"),
    (R_CHEM + "The answer is B) 3.7", "B"),
    (R_CHEM + "My answer: B", "B"),
    (R_CHEM + "Selected answer: B", "B"),
    (R_CHEM + "Response: B", "B"),
    # --- letter first, then explanation
    ("**B.** Because the weak-acid approximation gives [H+] ≈ 2 × 10^-4 M, the pH is about 3.7. "
     "Options A and D are far off and C ignores dissociation.", "B"),
    ("B. 3.7\n\nExplanation: pH = -log(2 × 10^-4) ≈ 3.7. A would need a strong acid.", "B"),
    ("(B)\n\nThe Henderson–Hasselbalch equation is not needed here; the weak-acid formula gives 3.7.", "B"),
    ("**(B) 3.7**\n\nReasoning: the acid is weak, so only a small fraction dissociates.", "B"),
    ("The answer is B.\n\nHere's why: the acid is weak, so [H+] = sqrt(Ka*C). Option A assumes full "
     "dissociation, option C is the pKa, and option D is a basic pH.", "B"),
    ("Correct answer: **A**\n\nEnzymes speed up reactions by lowering activation energy. B is wrong because "
     "catalysts do not change K. C is wrong because enzymes are regenerated. D is wrong for the same reason as B.",
     "A"),
    ("A — enzymes lower the activation energy.\n\nThey do not alter the equilibrium constant (B, D) and "
     "are not consumed (C).", "A"),
    # --- restates all options, then commits on the last line
    (R_BIO + "Let's look at the options:\nA. It lowers the activation energy\nB. It raises the equilibrium constant\n"
     "C. It is consumed in the reaction\nD. It shifts the equilibrium toward products\n\nThe correct answer is A.",
     "A"),
    (R_BIO + "Options:\n(A) lowers activation energy - true\n(B) raises K - false\n(C) consumed - false\n"
     "(D) shifts equilibrium - false\n\nSo the answer is (A).", "A"),
    (R_BIO + "A. It lowers the activation energy ✔\nB. It raises the equilibrium constant ✘\n"
     "C. It is consumed in the reaction ✘\nD. It shifts the equilibrium toward products ✘\n\n**A**", "A"),
    (R_BIO + "- A: correct\n- B: incorrect\n- C: incorrect\n- D: incorrect\n\nFinal: **A**", "A"),
    # --- discusses each option, no final letter (careful human: the one called correct)
    (R_BIO + "A is correct: enzymes lower the activation energy.\nB is wrong: catalysts do not change K.\n"
     "C is wrong: enzymes are regenerated.\nD is wrong: the equilibrium position is unchanged.", "A"),
    ("Let's evaluate each option.\n\n- **A)** 3.2 m/s: too low, this ignores the height.\n"
     "- **B)** 4.5 m/s: uses h/2, incorrect.\n- **C)** 6.4 m/s: matches v = sqrt(2gh). This is correct.\n"
     "- **D)** 9.0 m/s: would need a 4.1 m drop, incorrect.", "C"),
    ("Option A is incorrect because it ignores friction. Option B is incorrect too. Option C is correct since "
     "energy is conserved. Option D is incorrect.", "C"),
    ("(A) False — catalysts don't shift K.\n(B) False.\n(C) True — the ribosome synthesises proteins.\n(D) False.",
     "C"),
    ("**A.** Incorrect. **B.** Incorrect. **C.** Correct — argon is the most abundant noble gas in air. "
     "**D.** Incorrect.", "C"),
    ("| Option | Verdict |\n|---|---|\n| A | ✗ |\n| B | ✗ |\n| C | ✓ |\n| D | ✗ |\n\nOnly C survives.", "C"),
    ("A: wrong. B: wrong. C: right. D: wrong.", "C"),
    # --- tables
    ("| Option | Value | Matches? |\n|---|---|---|\n| A | 3.2 m/s | No |\n| B | 4.5 m/s | No |\n"
     "| C | 6.4 m/s | Yes |\n| D | 9.0 m/s | No |\n\n**Answer: C**", "C"),
    ("| | Answer |\n|---|---|\n| Final | **C** |", "C"),
    ("| Final answer | C |", "C"),
    # --- self-correction
    ("Initially I thought A, but the acid is weak, so full dissociation is wrong. The answer is B.", "B"),
    ("At first glance the answer seems to be A. However, on re-checking the dissociation, the correct answer is B.",
     "B"),
    ("Answer: A\n\nWait, I made an error: the acid is weak. Correct answer: B", "B"),
    ("The answer is D... no wait, that would be for a base. Recomputing gives pH 3.7, so the answer is B.", "B"),
    ("I was going to say C, but C is the pKa, not the pH. So B.", "B"),
    ("Hmm, A? No — A assumes a strong acid. B fits.", "B"),
    # --- hedges and non-commitments
    (R_CHEM + "The answer is either A or B, depending on the activity correction.", N),
    (R_CHEM + "It's between B and C; I can't decide without the temperature.", N),
    (R_CHEM + "Both B and C could be defended.", N),
    (R_CHEM + "I would pick B or C.", N),
    (R_CHEM + "Answer: B/C", N),
    (R_CHEM + "The answer could be B, but it might also be C.", N),
    (R_CHEM + "None of the options is correct: the true pH is 3.0.", N),
    (R_CHEM + "I cannot determine the answer from the information given.", N),
    (R_CHEM + "Answer: None of the above", N),
    (R_CHEM + "Possible answers: A, B", N),
    (R_CHEM + "Answer: B and C", N),
    (R_CHEM + "Without more information, I can't choose between options A and D.", N),
    (R_CHEM + "I'm not sure. It could be A, B or C.", N),
    # --- numbers are not letters when the options are lettered
    (R_PHYS + "I'd go with option 3.", N),
    (R_PHYS + "The answer is option 3.", N),
    (R_PHYS + "Answer: 3", N),
    (R_PHYS + "Answer: 3", N, O_SPEED),
    # --- pronoun "I", article "A", words that look like letters
    ("I think the enzyme lowers the activation energy, which is what catalysts do.", N),
    ("A catalyst lowers the activation energy without being consumed.", N),
    ("Answer: A catalyst lowers the activation energy.", N),
    ("Vitamin D is fat-soluble, so it accumulates; vitamin C does not.", N),
    ("The final answer depends on whether the solution is buffered.", N),
    # --- Chinese
    ("根据能量守恒，v = √(2gh) ≈ 6.4 m/s。\n\n因此正确答案是 C。", "C"),
    ("综上所述，答案选C。", "C"),
    ("所以选项C正确。", "C"),
    ("答案：C. 6.4 m/s", "C"),
    ("A、B、D都不对，正确的是C。", "C"),
    ("答案可能是A或者C。", N),
    # --- content only, with options
    (R_PHYS + "The speed at the bottom is **6.4 m/s**.", "C", O_SPEED),
    (R_PHYS + "Final answer: 6.4 m/s", "C", O_SPEED),
    (R_PHYS + "\\boxed{6.4 \\, \\text{m/s}}", "C", O_SPEED),
    (R_PHYS + "v ≈ 6.4 m/s", "C", O_SPEED),
    (R_PHYS + "So the block arrives with about 6.4 m/s.", "C", O_SPEED),
    (R_CHEM + "The pH is **3.7**.", "B", O_PH),
    (R_CHEM + "\\[ \\boxed{3.7} \\]", "B", O_PH),
    (R_CHEM + "pH ≈ 3.7", "B", O_PH),
    (R_CHEM + "The concentration is $\\boxed{4.8 \\times 10^{-3}\\ \\text{M}}$.", "C", O_CONC),
    (R_CHEM + "[OH-] = 4.8 × 10^-3 M, which is the answer.", "C", O_CONC),
    ("Proteins are made on ribosomes. The answer is the **ribosome**.", "B", O_ORG),
    ("Protein synthesis happens at the ribosome.", "B", O_ORG),
    ("The organelle responsible is the Golgi apparatus.", "C", O_ORG),
    ("The correct organelle is **the mitochondrion**.", "A", O_ORG),
    ("The third most abundant gas in dry air is argon.", "C", O_GAS),
    ("The gas in question is **argon (Ar)**.", "C", O_GAS),
    ("Answer: argon", "C", O_GAS),
    ("The probability is $\\boxed{\\dfrac{3}{4}}$.", "C", O_FRAC),
    ("P = 3/4", "C", O_FRAC),
    ("The probability is 0.75.", "C", O_FRAC),
    ("The carbon is $sp^2$ hybridised.", "B", O_HYB),
    ("Hybridization: **sp³**", "C", O_HYB),
    ("The answer is 6.", "C", O_NUMS),
    ("There are \\boxed{6} stereoisomers.", "C", O_NUMS),
    ("The enzyme lowers the activation energy.", "A", O_ENZ),
    ("The correct statement: it lowers the activation energy.", "A", O_ENZ),
    # content ambiguous or absent: None
    ("Either argon or neon, I'm not sure.", N, O_GAS),
    ("The speed is about 5 m/s, which isn't listed.", N, O_SPEED),
    ("The gas is xenon.", N, O_GAS),
    # --- letters given with options too: the letter wins over content
    (R_PHYS + "The answer is **C. 6.4 m/s**.", "C", O_SPEED),
    (R_PHYS + "Answer: C", "C", O_SPEED),
    # --- Llama / small-model quirks
    (R_PHYS + "The correct answer is: C", "C"),
    (R_PHYS + "The correct answer is:\n\nC) 6.4 m/s", "C"),
    (R_PHYS + "The correct answer is:\n\n**C**", "C"),
    (R_PHYS + "The correct answer is option (C) 6.4 m/s.", "C"),
    (R_PHYS + "The answer is therefore C.", "C"),
    (R_PHYS + "The answer is thus (C).", "C"),
    (R_PHYS + "The answer is clearly (C).", "C"),
    (R_PHYS + "The answer: C.", "C"),
    (R_PHYS + "Correct Answer: C", "C"),
    (R_PHYS + "The correct response is C.", "C"),
    (R_PHYS + "The right answer would be C.", "C"),
    (R_PHYS + "The correct option would be **C**.", "C"),
    (R_PHYS + "I choose C.", "C"),
    (R_PHYS + "I will select option C.", "C"),
    (R_PHYS + "My final answer is C.", "C"),
    (R_PHYS + "Final answer: **C) 6.4 m/s**", "C"),
    (R_PHYS + "The final choice is C.", "C"),
    (R_PHYS + "Therefore: **C**", "C"),
    (R_PHYS + "Therefore, C.", "C"),
    (R_PHYS + "So the correct choice is (C).", "C"),
    (R_PHYS + "So, **C** is the answer.", "C"),
    (R_PHYS + "(C) is the best answer.", "C"),
    (R_PHYS + "Option (C) 6.4 m/s is correct.", "C"),
    (R_PHYS + "Choice C matches the calculation.", "C"),
    (R_PHYS + "The calculation matches option C.", "C"),
    (R_PHYS + "This agrees with option C.", "C"),
    (R_PHYS + "Looking at the options, C is the one that fits.", "C"),
    (R_PHYS + "Only option C gives a speed consistent with energy conservation.", "C"),
    (R_PHYS + "We select C.", "C"),
    (R_PHYS + "I'll go with C.", "C"),
    (R_PHYS + "I'd say C.", "C"),
    (R_PHYS + "My pick: C", "C"),
    (R_PHYS + "Answer is C", "C"),
    (R_PHYS + "ans: C", "C"),
    (R_PHYS + "**C** is correct.", "C"),
    (R_PHYS + "Option **C**.", "C"),
    (R_PHYS + "The answer is (C)\n\nLet me know if you have more questions!", "C"),
    (R_PHYS + "Answer: C\n\nI hope this helps! Feel free to ask if anything is unclear.", "C"),
    (R_PHYS + "\\boxed{C}\n\n**Explanation recap:** A ignores the height; D doubles it.", "C"),
    # --- refusal / meta
    ("I'm sorry, but I can't help with that.", N),
    ("Let's think step by step. The block starts at rest", N),
]

# Second round, written after the first fixes: shapes near the new rules, and answers those rules
# must not over-read (cut-off reasoning, rejected options, multi-part answers, restated options).
ROWS_2: list[tuple] = [
    (R_PHYS + "Therefore the answer is C, not D.", "C"),
    (R_PHYS + "So the right pick is (C).", "C"),
    (R_PHYS + "The only consistent option is C.", "C"),
    (R_PHYS + "Only option C survives all three checks.", "C"),
    (R_PHYS + "Thus, our result corresponds to choice **C**.", "C"),
    (R_PHYS + "This is closest to option C.", "C"),
    (R_PHYS + "Result: C", "C"),
    (R_PHYS + "**My answer: C**", "C"),
    (R_PHYS + "Answer: **(C)** 6.4 m/s", "C"),
    (R_PHYS + "$\\therefore$ C", "C"),
    (R_PHYS + "∴ C", "C"),
    (R_PHYS + "👉 **C**", "C"),
    (R_PHYS + "The correct answer: **C**", "C"),
    (R_PHYS + "C) 6.4 m/s is the correct answer.", "C"),
    (R_PHYS + "So I'll pick C.", "C"),
    (R_PHYS + "Let me double-check... yes, C.", "C"),
    (R_PHYS + "- **A**: wrong (ignores g)\n- **B**: wrong (uses h/2)\n- **C**: correct\n- **D**: wrong (uses 2h)", "C"),
    (R_PHYS + "A ✗, B ✗, C ✓, D ✗", "C"),
    ("C\n\nThe block converts potential to kinetic energy, so v = sqrt(2gh) = 6.4 m/s. A and B are too small; "
     "D assumes twice the height.", "C"),
    ("**C) 6.4 m/s**\n\nEnergy conservation gives v = sqrt(2gh).", "C"),
    (R_CHEM + "At first I leaned toward C, but C is the pKa. The correct answer is B.", "B"),
    (R_CHEM + "Answer: C\n\nCorrection: I misread the concentration. Answer: B", "B"),
    (R_CHEM + "B seems right, although C is close.", "B"),
    # not committed
    (R_CHEM + "Option B is close to our value, but our value is 3.0, which is not listed.", N),
    (R_CHEM + "Let's evaluate the options:\nA. 2.3\nB. 3.7\nC. 4.9\nD. 11.7", N),
    (R_CHEM + "A and B both look plausible; more data is needed.", N),
    (R_CHEM + "The answer is A or B.", N),
    (R_CHEM + "I'd go with B or maybe C.", N),
    (R_CHEM + "Either B or C.", N),
    (R_CHEM + "For part (a) the answer is B and for part (b) it is D.", N),
    (R_CHEM + "We now compute [H+] = \\sqrt{K_a C} = ", N),
    (R_PHYS + "Next, we check option C:\nC. 6.4 m/s: v = sqrt(2gh)", N),
    ("A, B, C and D all describe real effects, but the question asks about the main one, which", N),
    # content, with options
    (R_PHYS + "Hence v = 6.4 m/s.", "C", O_SPEED),
    (R_PHYS + "Therefore the final speed is approximately **6.4 m/s**.", "C", O_SPEED),
    (R_PHYS + "The answer is 6.4 m/s, not 9.0 m/s.", "C", O_SPEED),
    (R_PHYS + "The speed could be 4.5 m/s or 6.4 m/s depending on friction.", N, O_SPEED),
    (R_PHYS + "It is not 6.4 m/s because friction is present.", N, O_SPEED),
    (R_PHYS + "v = 2gh", N, O_SPEED),
    (R_CHEM + "Thus the pH is 3.7 (option B is the only one near it).", "B", O_PH),
    (R_CHEM + "Therefore, pH = 3.7.", "B", O_PH),
    ("So the protein is made at the **ribosome**, not the Golgi apparatus.", "B", O_ORG),
    ("Both the mitochondrion and the lysosome have membranes.", N, O_ORG),
    ("Argon makes up about 0.93% of dry air, so the answer is argon.", "C", O_GAS),
    ("Therefore, the number of stereoisomers is 4.", "B", O_NUMS),
    ("With 2 stereocentres, the number of stereoisomers is 4.", "B", O_NUMS),
]

# Third round: endings in the issue's named models' habits (bold answer lines, boxes inside \\( \\),
# "the only option consistent ... is", elimination, "would have to be").
O_REAGENT = ["lithium aluminium hydride", "sodium borohydride", "ozone", "potassium permanganate"]
ROWS_3: list[tuple] = [
    ("The correct answer is (B) 10^{-4} eV.", "B"),
    ("**Answer: B) 4**", "B"),
    ("Thus, the correct choice is:\n\n**B) 4**", "B"),
    ("**Final Answer**\n\nThe correct option is **C**.", "C"),
    ("Looking at the answer choices, (C) matches.", "C"),
    ("**Therefore, the answer is (B).**", "B"),
    ("<think>Compare the two energies.</think>\n\nThe correct answer is \\boxed{B}", "B"),
    ("**Answer:** \\(\\boxed{B}\\)", "B"),
    ("\\boxed{C} \\text{ } 4.2 eV", "C"),
    ("The answer is: C) 4.2", "C"),
    ("Answer: $\\boxed{\\text{(D)}}$", "D"),
    ("The correct statement is:\n\n**D) The ratio decreases**", "D"),
    ("## Conclusion\nThe product is compound **D**, which corresponds to option D.", "D"),
    ("The only option consistent with both spectra is **(A)**.", "A"),
    ("Of the four choices, A is the only one that works.", "A"),
    ("Thus, among the given options, (A) is correct.", "A"),
    ("Final choice: (A)", "A"),
    ("Hence, the correct answer must be option A.", "A"),
    ("The answer is most likely A.", "A"),
    ("Option A appears to be correct.", "A"),
    ("This leaves us with option A.", "A"),
    ("By elimination, the answer is A.", "A"),
    ("The answer would have to be (A).", "A"),
    ("Answer: **A.** 4.2 eV", "A"),
    ("Therefore, the correct reagent is **sodium borohydride**.", "B", O_REAGENT),
    ("I am unable to determine the answer; options A and C both fit.", N),
    ("It's likely C, though B is also possible.", N),
    ("The answer is C (or possibly B).", N),
    ("Answer: I don't know", N),
    ("Answer: It depends on the solvent.", N),
    ("(C) matches the pKa, not the pH, so it cannot be right.", N),
]


@pytest.mark.parametrize("row", ROWS, ids=[f"row{i}" for i in range(len(ROWS))])
def test_freeform_ending(row: tuple) -> None:
    text, expected = row[0], row[1]
    options = row[2] if len(row) > 2 else None
    gold = expected or "A"
    v = grade_choice_response(text, gold, options)
    assert v.extracted == expected, (v.extracted, v.rule, v.reason)


@pytest.mark.parametrize("row", ROWS_2, ids=[f"second{i}" for i in range(len(ROWS_2))])
def test_freeform_ending_second_round(row: tuple) -> None:
    test_freeform_ending(row)


@pytest.mark.parametrize("row", ROWS_3, ids=[f"third{i}" for i in range(len(ROWS_3))])
def test_freeform_ending_third_round(row: tuple) -> None:
    test_freeform_ending(row)
