"""CTC decoding constrained to a plate layout.

Greedy decoding takes the likeliest class in every column; a plate read that way can drop a
character the network saw faintly (``PJD268`` for ``PJD2685``) or double one (``OKV8B004``).
``decode_in_layout`` finds instead the likeliest CTC path whose text has the layout's kind of
character in each place (L = letter, D = digit): a Viterbi pass over "blank after i
characters" and "character c at place i" states. Its probability against the greedy path's
says how much the network itself would have to be overruled to fit the layout.
"""

from __future__ import annotations

import numpy as np

from vision.render import ALPHABET

BLANK = 0  # class 0 is the CTC blank; class k is ALPHABET[k - 1]
_LETTERS = np.array([k + 1 for k, c in enumerate(ALPHABET) if c.isalpha()])
_DIGITS = np.array([k + 1 for k, c in enumerate(ALPHABET) if c.isdigit()])
NEG = -1e30


def greedy_log_probability(log_probs: np.ndarray) -> float:
    """Log-probability of the greedy path (the likeliest class in every column)."""
    return float(log_probs.max(axis=1).sum())


def decode_in_layout(log_probs: np.ndarray, layout: str) -> tuple[str, float, list[float]]:
    """The likeliest path spelling a text of ``layout``: (text, its log-probability, each
    character's best column probability). ``log_probs``: T x (1 + len(ALPHABET)) log-softmax."""
    T, L = len(log_probs), len(layout)
    if L == 0 or T < L:
        return "", NEG, []
    classes = [_LETTERS if k == "L" else _DIGITS for k in layout]
    # state scores: blank after i characters (i = 0..L); character classes[i][j] at place i
    blank = np.full(L + 1, NEG)
    char = [np.full(len(c), NEG) for c in classes]
    blank[0] = log_probs[0, BLANK]
    char[0] = log_probs[0, classes[0]].copy()
    # back pointers per column: for blank i, 0 = stayed, 1 = came from place i-1's best char;
    # for char (i, j): 0 = stayed, 1 = from blank i, 2 = from place i-1's char (index kept)
    back_blank = np.zeros((T, L + 1), dtype=np.int64)
    back_char = [np.zeros((T, len(c)), dtype=np.int64) for c in classes]
    prev_char_idx = [np.zeros((T, len(c)), dtype=np.int64) for c in classes]
    best_char_of = np.zeros((T, L), dtype=np.int64)  # argmax of place i's chars before column t
    for t in range(1, T):
        lp = log_probs[t]
        new_blank = np.full(L + 1, NEG)
        new_char = [None] * L
        tops = []
        for i in range(L):
            order = np.argsort(char[i])[::-1][:2]
            tops.append(order)
            best_char_of[t, i] = order[0]
        for i in range(L + 1):
            stay = blank[i]
            come = char[i - 1][tops[i - 1][0]] if i > 0 else NEG
            if come > stay:
                new_blank[i], back_blank[t, i] = come, 1
            else:
                new_blank[i], back_blank[t, i] = stay, 0
            new_blank[i] += lp[BLANK]
        for i in range(L):
            stay = char[i]
            from_blank = np.full(len(classes[i]), blank[i])
            if i > 0:
                # from the previous place's best character, unless it is the same class (CTC
                # needs a blank between two equal characters): then its runner-up
                prev = classes[i - 1]
                top1, top2 = tops[i - 1][0], (tops[i - 1][1] if len(tops[i - 1]) > 1 else tops[i - 1][0])
                same = classes[i] == prev[top1]
                from_prev = np.where(same, char[i - 1][top2], char[i - 1][top1])
                from_prev_idx = np.where(same, top2, top1)
            else:
                from_prev = np.full(len(classes[i]), NEG)
                from_prev_idx = np.zeros(len(classes[i]), dtype=np.int64)
            stacked = np.stack([stay, from_blank, from_prev])
            choice = stacked.argmax(axis=0)
            new_char[i] = stacked.max(axis=0) + lp[classes[i]]
            back_char[i][t] = choice
            prev_char_idx[i][t] = from_prev_idx
        blank, char = new_blank, new_char
    end_blank, end_char = blank[L], char[L - 1].max()
    total = float(max(end_blank, end_char))
    if total <= NEG / 2:
        return "", NEG, []
    # backtrack
    text_idx = [0] * L
    best_prob = [0.0] * L
    state = ("b", L, 0) if end_blank >= end_char else ("c", L - 1, int(char[L - 1].argmax()))
    for t in range(T - 1, -1, -1):
        kind, i, j = state
        if kind == "c":
            text_idx[i] = j
            best_prob[i] = max(best_prob[i], float(np.exp(log_probs[t, classes[i][j]])))
        if t == 0:
            break
        if kind == "b":
            state = ("b", i, 0) if back_blank[t, i] == 0 else ("c", i - 1, int(best_char_of[t, i - 1]))
        else:
            c = back_char[i][t, j]
            state = ("c", i, j) if c == 0 else (("b", i, 0) if c == 1 else ("c", i - 1, int(prev_char_idx[i][t, j])))
    text = "".join(ALPHABET[classes[i][j] - 1] for i, j in enumerate(text_idx))
    return text, total, best_prob
