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
NEG = -1e30


def greedy_log_probability(log_probs: np.ndarray) -> float:
    """Log-probability of the greedy path (the likeliest class in every column)."""
    return float(log_probs.max(axis=1).sum())


def merge_same_glyphs(log_probs: np.ndarray, same_glyph) -> np.ndarray:
    """Column log-probabilities for a plate face that draws two characters with one glyph
    (``same_glyph``: (character, glyph) pairs, e.g. Brazil's grey plates, ``(("1", "I"),)``):
    there the network's "1" is evidence for I and its "I" for 1, so both classes get the
    probability of both. A layout place admits one kind only, so a letter place takes the
    merged I and a digit place the merged 1."""
    merged = log_probs.copy()
    for a, b in same_glyph:
        ia, ib = ALPHABET.index(a) + 1, ALPHABET.index(b) + 1
        merged[:, ia] = merged[:, ib] = np.logaddexp(log_probs[:, ia], log_probs[:, ib])
    return merged


def decode_in_layout(log_probs: np.ndarray, layout: str, same_glyph=()) -> tuple[str, float, list[float]]:
    """The likeliest path spelling a text of ``layout``: (text, its log-probability, each
    character's best column probability). ``log_probs``: T x (1 + len(ALPHABET)) log-softmax.
    ``same_glyph``: characters the layout's plate face draws alike (``merge_same_glyphs``).

    Every place holds all of ALPHABET's characters, those of the wrong kind pinned at NEG, so
    that a column is a few array operations over all places at once (it runs for every layout
    of every read that fits none as read)."""
    T, L = len(log_probs), len(layout)
    if L == 0 or T < L:
        return "", NEG, []
    C = len(ALPHABET)
    allowed = np.array([[c.isalpha() == (k == "L") for c in ALPHABET] for k in layout])  # L x C
    if same_glyph:
        log_probs = merge_same_glyphs(log_probs, same_glyph)
    places = np.arange(L)
    # state scores: blank after i characters (i = 0..L); character j of ALPHABET at place i
    blank = np.full(L + 1, NEG)
    blank[0] = log_probs[0, BLANK]
    char = np.full((L, C), NEG)
    char[0] = np.where(allowed[0], log_probs[0, 1:], NEG)
    # back pointers per column: for blank i, True = came from place i-1's best char (else
    # stayed); for char (i, j): 0 = stayed, 1 = from blank i, 2 = from place i-1's char
    # prev_idx[t, i, j] (its best, or its runner-up where that is j itself: CTC needs a blank
    # between two equal characters)
    back_blank = np.zeros((T, L + 1), dtype=bool)
    back_char = np.zeros((T, L, C), dtype=np.int8)
    prev_idx = np.zeros((T, L, C), dtype=np.int64)
    best_char_of = np.zeros((T, L), dtype=np.int64)  # argmax of place i's chars before column t
    columns = np.arange(C)[None, :]
    for t in range(1, T):
        lp = log_probs[t]
        order = np.argsort(-char, axis=1, kind="stable")
        top1, top2 = order[:, 0], order[:, 1]
        best_char_of[t] = top1
        val1, val2 = char[places, top1], char[places, top2]
        come = np.concatenate([[NEG], val1])
        back_blank[t] = come > blank
        new_blank = np.maximum(come, blank) + lp[BLANK]
        same = columns == top1[:-1, None]  # L-1 x C
        from_prev = np.full((L, C), NEG)
        from_prev[1:] = np.where(same, val2[:-1, None], val1[:-1, None])
        prev_idx[t, 1:] = np.where(same, top2[:-1, None], top1[:-1, None])
        stacked = np.stack([char, np.broadcast_to(blank[:L, None], (L, C)), from_prev])
        back_char[t] = stacked.argmax(axis=0)
        char = np.where(allowed, stacked.max(axis=0) + lp[None, 1:], NEG)
        blank = new_blank
    end_blank, end_char = blank[L], char[L - 1].max()
    total = float(max(end_blank, end_char))
    if total <= NEG / 2:
        return "", NEG, []
    # backtrack
    text_idx = [0] * L
    best_prob = [0.0] * L
    kind, i, j = ("b", L, 0) if end_blank >= end_char else ("c", L - 1, int(char[L - 1].argmax()))
    for t in range(T - 1, -1, -1):
        if kind == "c":
            text_idx[i] = j
            best_prob[i] = max(best_prob[i], float(np.exp(log_probs[t, j + 1])))
        if t == 0:
            break
        if kind == "b":
            if back_blank[t, i]:
                kind, i, j = "c", i - 1, int(best_char_of[t, i - 1])
        else:
            c = back_char[t, i, j]
            if c == 1:
                kind = "b"
            elif c == 2:
                kind, i, j = "c", i - 1, int(prev_idx[t, i, j])
    text = "".join(ALPHABET[j] for j in text_idx)
    return text, total, best_prob
