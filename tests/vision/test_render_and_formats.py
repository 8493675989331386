"""The plate renderer and the format fitting: deterministic, every style, golden format cases."""

import numpy as np
import pytest

from vision.formats import FORMATS, configured_regions, fit_to_format, same_glyphs
from vision.render import ALPHABET, STYLES, normalise, plate_text, render_crop, render_plate, render_scene

STYLE_FORMAT = {"on_current": "LLLLDDD", "on_old": "LLLDDD", "on_commercial": "LLDDDDD",
                "on_accessible": "DDDDL", "br_old": "LLLDDDD", "br_mercosul": "LLLDLDD"}


def test_same_seed_same_pixels():
    a = render_crop(np.random.default_rng(3))
    b = render_crop(np.random.default_rng(3))
    assert a[1] == b[1] and np.array_equal(a[0], b[0])
    c = render_scene(np.random.default_rng(4), (320, 240))
    d = render_scene(np.random.default_rng(4), (320, 240))
    assert c[1] == d[1] and np.array_equal(c[0], d[0])


def test_the_projects_own_faces_are_drawn_and_licensed(monkeypatch):
    import vision.render as render

    shipped = [f for f in render.font_files() if f.parent == render.SHIPPED_FONTS]
    assert {f.name for f in shipped} == {"OSP-DIN.ttf", "RobotoCondensed-Bold.ttf"}
    licences = " ".join(p.read_text() for p in render.SHIPPED_FONTS.glob("*.txt"))
    assert all(f.name in licences for f in shipped)
    # the narrow DIN face is stretched, so its text fills a plate about as the others do
    monkeypatch.setattr(render, "font_files", lambda: [render.SHIPPED_FONTS / "OSP-DIN.ttf"])
    spans = []
    for seed in range(5):
        img = render_plate("JPQ9870", "br_mercosul", np.random.default_rng(seed), height=60)
        ink = np.flatnonzero((img[25:55, 3:-3].max(axis=2) < 80).any(axis=0))  # dark text under the band
        spans.append((ink[-1] - ink[0]) / img.shape[1])
    assert np.mean(spans) > 0.58, spans  # unstretched: 0.48 (the other faces: 0.55-0.73)


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_style_renders_its_format(style):
    rng = np.random.default_rng(1)
    for _ in range(20):
        text = plate_text(style, rng)
        img = render_plate(text, style, rng, height=60)
        assert img.shape[0] == 60 and abs(img.shape[1] / 60 - STYLES[style].aspect) < 0.05
        assert img.std() > 20  # characters drawn, not a blank plate
        if style in STYLE_FORMAT:
            assert fit_to_format(normalise(text), regions=("ON", "BR")).format == STYLE_FORMAT[style], text


def test_scene_boxes_hold_the_plates():
    rng = np.random.default_rng(7)
    seen = 0
    for _ in range(15):
        img, plates = render_scene(rng, (640, 480))
        for (x, y, w, h), text in plates:
            assert 0 <= x and 0 <= y and x + w <= 640 and y + h <= 480 and w > 5 and h > 3
            assert 2 <= len(text) <= 8 and text == normalise(text)
            seen += 1
    assert seen >= 10


def test_normalise():
    assert normalise("abc-1234") == "ABC1234" and normalise(" ABCD 123 ") == "ABCD123"


@pytest.mark.parametrize("read, fitted, fmt, subs", [
    ("0UW5216", "OUW5216", "LLLDDDD", 1),      # a zero where Brazil's format has a letter
    ("ABCD123", "ABCD123", "LLLLDDD", 0),      # Ontario, as read
    ("ABCDI23", "ABCD123", "LLLLDDD", 1),      # I in a digit place
    ("RK715AA", "RK715AA", "LLDDDLL", 0),
    ("HELLO", "HELLO", None, 0),                  # a vanity plate fits no format: kept as read
    ("QQQQQQQQ", "QQQQQQQQ", None, 0),
])
def test_format_fitting_golden_cases(read, fitted, fmt, subs):
    f = fit_to_format(read, regions=("ON", "US", "BR", "EU"))
    assert (f.text, f.format, f.substitutions) == (fitted, fmt, subs)
    if fmt == "LLLDDDD":
        assert f.regions == ("US", "BR")
    assert f.probability_ratio == pytest.approx(0.85 ** subs)


def _read_columns(text, second=None):
    """Network-like columns reading ``text`` one character a column at 0.8, a blank between;
    ``second`` maps place -> runner-up at 0.15."""
    cols = []
    for i, c in enumerate(text):
        cols += [{c: 0.8, **({second[i]: 0.15} if second and i in second else {})}, {"-": 1}]
    return _columns(cols)


def test_fitting_takes_the_readers_runner_up_not_a_fixed_lookalike():
    # 0 in a letter place: the reader's second choice there was D, not O
    f = fit_to_format("NT09247", regions=("BR",), log_probs=_read_columns("NT09247", {2: "D"}))
    assert (f.text, f.format, f.substitutions) == ("NTD9247", "LLLDDDD", 1)
    assert f.probability_ratio == pytest.approx(0.15 / 0.8)
    # a layout that would need a character the reader all but ruled out is not taken where
    # vanity plates exist (US), and is where none do (Brazil), at the confidence it deserves
    # (a 7: a 1 there would be the grey face's I, drawn alike: see the next test)
    g = fit_to_format("AB72345", regions=("US",), log_probs=_read_columns("AB72345"))
    assert (g.text, g.format) == ("AB72345", None)
    h = fit_to_format("AB72345", regions=("BR",), log_probs=_read_columns("AB72345"))
    assert h.format == "LLLDDDD" and h.text[:2] + h.text[3:] == "AB2345" and h.text[2].isalpha()
    assert h.raw_confidence < 1e-6


def test_a_read_no_brazilian_layout_fits_has_no_chance_of_being_a_brazilian_plate():
    # four characters (a plate's half read through a loose box): three short of every layout
    for log_probs in (_read_columns("T748"), None):
        br = fit_to_format("T748", regions=("BR",), log_probs=log_probs)
        assert (br.text, br.format, br.probability_ratio) == ("T748", None, 0.0)
        # where vanity plates exist it may be one: kept at the reader's own confidence
        on = fit_to_format("T748", regions=("ON", "BR"), log_probs=log_probs)
        assert (on.text, on.format, on.probability_ratio) == ("T748", None, 1.0)
        # and with no layouts configured at all, nothing is judged by them
        assert fit_to_format("T748", regions=(), log_probs=log_probs).probability_ratio == 1.0


def test_regions_are_configuration():
    assert configured_regions("on, br") == ("ON", "BR")
    with pytest.raises(ValueError, match="unknown plate format region"):
        configured_regions("ON,XX")
    # Ontario commercial (LLDDDDD) fits NT09247 as read; with Brazil's layouts alone it is refitted
    assert fit_to_format("NT09247", regions=("ON",)).text == "NT09247"
    assert fit_to_format("NT09247", regions=("BR",)).text == "NTO9247"


def test_formats_are_letter_digit_layouts():
    for layouts in FORMATS.values():
        assert all(set(layout) <= {"L", "D"} for layout in layouts)


def _columns(spec: list[dict[str, float]]) -> np.ndarray:
    """Log-probabilities of CTC columns from {character or '-' (blank): probability}."""
    lp = np.full((len(spec), 1 + len(ALPHABET)), 1e-9)
    for t, col in enumerate(spec):
        for ch, p in col.items():
            lp[t, 0 if ch == "-" else ALPHABET.index(ch) + 1] = p
    return np.log(lp / lp.sum(axis=1, keepdims=True))


def test_layout_decoding_recovers_a_character_the_greedy_read_dropped():
    from vision.ctc import decode_in_layout

    cols = [{"P": .9, "-": .1}, {"-": .9, "P": .1}, {"J": .95}, {"D": .9, "0": .1}, {"-": 1}, {"2": .95},
            {"6": .9}, {"-": .6, "8": .4}, {"5": .9}, {"-": 1}]
    lp = _columns(cols)
    greedy = fit_to_format("PJD265", regions=("ON",))
    assert greedy.text == "PJD265"  # six characters: nothing to fit them to without the columns
    f = fit_to_format("PJD265", regions=("BR",), log_probs=lp)
    assert (f.text, f.format, f.substitutions) == ("PJD2685", "LLLDDDD", 1)
    assert 0.3 < f.raw_confidence < 0.4  # the faint 8's column probability dominates
    text, _, probs = decode_in_layout(lp, "LLLDDDD")
    assert text == "PJD2685" and len(probs) == 7


def test_brazils_grey_layout_reads_its_bar_as_i_at_the_bars_own_confidence():
    """PJI5921 (BR holdout): the grey face draws 1 and I alike, and the reader said 1 at 0.97
    for the bar in a letter place, I at 0.002. Fitted to LLLDDDD the bar is an I, with the
    probability of both (it was 0.002: a right read at confidence 0). Only the grey face
    merges them: the US layout of the same shape, and Mercosul's, keep the reader's own."""
    cols = [{"P": .97}, {"-": 1}, {"J": .97}, {"-": 1}, {"1": .97, "I": .002, "T": .001}, {"-": 1}, {"5": .97},
            {"-": 1}, {"9": .97}, {"-": 1}, {"2": .97}, {"-": 1}, {"1": .95, "I": .03}, {"-": 1}]
    lp = _columns(cols)
    br = fit_to_format("PJ15921", regions=("BR",), log_probs=lp)
    assert (br.text, br.format) == ("PJI5921", "LLLDDDD")
    assert br.raw_confidence > 0.7
    us = fit_to_format("PJ15921", regions=("US",), log_probs=lp)
    assert us.text == "PJ15921" and us.format is None  # vanity plates exist: kept as read
    from vision.ctc import decode_in_layout

    text, _, probs = decode_in_layout(lp, "LLLDDDD")
    assert text == "PJI5921" and probs[2] < 0.01
    # a digit place of the grey face: the I the reader gave the last bar counts for 1 too
    text, _, probs = decode_in_layout(lp, "LLLDDDD", (("1", "I"),))
    assert probs[2] > 0.95 and probs[6] > 0.97
    # Mercosul plates draw 1 with its flag: no merging in LLLDLDD
    assert same_glyphs("LLLDLDD", ("BR",)) == () and same_glyphs("LLLDDDD", ("BR", "US")) == (("1", "I"),)


def test_layout_decoding_is_the_likeliest_path_of_the_layout():
    """Against brute force over every path of a few classes in short sequences."""
    import itertools

    from vision.ctc import decode_in_layout

    rng = np.random.default_rng(3)
    classes = [0] + [ALPHABET.index(c) + 1 for c in "AB12"]
    for _ in range(40):
        T = int(rng.integers(2, 6))
        lp = np.full((T, 1 + len(ALPHABET)), np.log(1e-12))
        lp[:, classes] = np.log(rng.dirichlet(np.full(len(classes), 0.5), size=T))
        layout = "".join(rng.choice(["L", "D"], size=int(rng.integers(1, 4))))
        best = None
        for path in itertools.product(range(len(classes)), repeat=T):
            text, prev = [], 0
            for k in path:
                if k and k != prev:
                    text.append(ALPHABET[classes[k] - 1])
                prev = k
            if len(text) == len(layout) and all(c.isalpha() == (kind == "L") for c, kind in zip(text, layout)):
                score = sum(lp[t, classes[k]] for t, k in enumerate(path))
                best = score if best is None else max(best, score)
        _, logp, _ = decode_in_layout(lp, layout)
        if best is None:
            assert logp < -1e20
        else:
            assert abs(logp - best) < 1e-6


def test_brazils_grey_plates_draw_q_as_o_with_a_stub_in_its_bowl(monkeypatch):
    import vision.render as render

    monkeypatch.setattr(render, "font_files", lambda: [render.SHIPPED_FONTS / "RobotoCondensed-Bold.ttf"])
    for seed in range(3):
        o_plate = render_plate("OXO-1601", "br_old", np.random.default_rng(seed), height=80)
        q_plate = render_plate("QXO-1601", "br_old", np.random.default_rng(seed), height=80)
        diff = np.abs(q_plate.astype(int) - o_plate.astype(int)).max(axis=2) > 60
        ys, xs = np.nonzero(diff)
        assert len(ys) > 15, seed  # the stub is drawn
        assert (q_plate[diff].max(axis=1) < o_plate[diff].max(axis=1)).all()  # in ink, over the plate
        ink_cols = 5 + np.flatnonzero((o_plate[30:75, 5:-5].max(axis=2) < 80).any(axis=0))  # within the border
        first_letter_end = ink_cols[np.flatnonzero(np.diff(ink_cols) > 1)[0]]
        # the first letter only (the second O keeps its form), in the lower part of its bowl
        assert xs.max() <= first_letter_end and ys.min() > 80 * 0.45, (seed, xs.max(), first_letter_end, ys.min())
    # Mercosul plates keep the face's own Q: the grey-plate stub is never drawn on them
    def no_stub(*args):
        raise AssertionError("the grey-plate Q drawn on a Mercosul plate")

    monkeypatch.setattr(render, "_inner_tail_q", no_stub)
    q_mercosul = render_plate("QXO1A01", "br_mercosul", np.random.default_rng(0), height=80)
    assert not np.array_equal(q_mercosul, render_plate("OXO1A01", "br_mercosul", np.random.default_rng(0), height=80))


def test_brazils_grey_plates_draw_1_as_the_bar_of_their_i(monkeypatch):
    import vision.render as render

    # a face whose 1 has a flag and a foot: on a grey plate it is drawn as the face's I
    monkeypatch.setattr(render, "font_files", lambda: [render.SHIPPED_FONTS / "RobotoCondensed-Bold.ttf"])
    for seed in range(3):
        one = render_plate("PJI-5921", "br_old", np.random.default_rng(seed), height=80)
        bar = render_plate("PJI-592I", "br_old", np.random.default_rng(seed), height=80)
        assert np.array_equal(one, bar), seed
    # Mercosul and Ontario plates keep the face's own 1
    for style, (a, b) in {"br_mercosul": ("PJI5A21", "PJI5A2I"), "on_old": ("PJI 591", "PJI 59I")}.items():
        assert not np.array_equal(render_plate(a, style, np.random.default_rng(0), height=80),
                                  render_plate(b, style, np.random.default_rng(0), height=80)), style
