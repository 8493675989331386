"""Licence plates rendered by the project itself: the training data of the detector and the reader.

No pretrained model can be downloaded here, so every pixel the engine learns from is either
drawn by this module or one of the real photos of the training split (vision/dataset.py).
A plate is drawn flat (background, border, header/footer wording, the characters in a
condensed bold face), then degraded the way a patrol car's camera sees it: perspective,
motion and focus blur, glare, night/IR, dirt, partial occlusion, noise, JPEG. Deterministic
for a given ``numpy.random.Generator``.

Styles: Ontario first (current ``ABCD 123``, older ``ABC 123``, vanity, commercial,
accessible), a generic US plate, European (blue band) and Brazilian (grey, and the white
Mercosul) plates — the real photos the engine is measured on are European and Brazilian.
"""

from __future__ import annotations

import functools
import os
import string
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

LETTERS = string.ascii_uppercase
DIGITS = string.digits
ALPHABET = DIGITS + LETTERS  # what the reader can output; plate text is normalised to it


def normalise(text: str) -> str:
    """Plate text as stored and compared: upper-case letters and digits only."""
    return "".join(c for c in str(text).upper() if c in ALPHABET)


@dataclass(frozen=True)
class Style:
    name: str
    aspect: float  # width / height of the plate
    background: tuple[int, int, int]  # RGB
    ink: tuple[int, int, int]
    header: str | None = None
    footer: str | None = None
    band: tuple[int, int, int] | None = None  # EU-style coloured band on the left
    top_band: tuple[int, int, int] | None = None  # Mercosul-style band along the top
    inner_q: bool = False  # Q drawn as Brazil's pre-2018 plate face draws it (``_inner_tail_q``)
    # characters the plate face draws with another's glyph: Brazil's pre-2018 face has no
    # separate one, its 1 is the bare bar of its I (the BR train half: PJI5396, JOG9221, MXQ1601)
    same_glyph: tuple[tuple[str, str], ...] = ()


STYLES = {
    "on_current": Style("on_current", 2.0, (246, 246, 250), (24, 52, 140), "ONTARIO", "YOURS TO DISCOVER"),
    "on_old": Style("on_old", 2.0, (240, 240, 236), (20, 45, 130), "ONTARIO", "YOURS TO DISCOVER"),
    "on_vanity": Style("on_vanity", 2.0, (246, 246, 250), (24, 52, 140), "ONTARIO", "YOURS TO DISCOVER"),
    "on_commercial": Style("on_commercial", 2.0, (246, 246, 250), (24, 52, 140), "ONTARIO", "COMMERCIAL"),
    "on_accessible": Style("on_accessible", 2.0, (246, 246, 250), (24, 52, 140), "ONTARIO", "YOURS TO DISCOVER"),
    "us_generic": Style("us_generic", 2.0, (250, 250, 240), (30, 30, 30), "STATE", None),
    "eu": Style("eu", 4.7, (250, 250, 250), (15, 15, 15), band=(0, 51, 153)),
    "eu_short": Style("eu_short", 3.6, (250, 250, 250), (15, 15, 15), band=(0, 51, 153)),
    "br_old": Style("br_old", 3.1, (190, 192, 195), (20, 20, 20), "BRASIL", None, inner_q=True,
                    same_glyph=(("1", "I"),)),
    "br_mercosul": Style("br_mercosul", 3.1, (250, 250, 250), (15, 15, 15), top_band=(0, 51, 153)),
}
ONTARIO_STYLES = [s for s in STYLES if s.startswith("on_")]


def _pick(rng: np.random.Generator, chars: str, n: int) -> str:
    return "".join(rng.choice(list(chars), size=n))


def plate_text(style: str, rng: np.random.Generator) -> str:
    """A plausible plate number for a style, as printed (with its space or dash)."""
    if style == "on_current":
        return f"{_pick(rng, LETTERS, 4)} {_pick(rng, DIGITS, 3)}"
    if style == "on_old":
        return f"{_pick(rng, LETTERS, 3)} {_pick(rng, DIGITS, 3)}"
    if style == "on_vanity":
        return _pick(rng, LETTERS + DIGITS, int(rng.integers(2, 9)))
    if style == "on_commercial":
        return f"{_pick(rng, LETTERS, 2)}{_pick(rng, DIGITS, 1)} {_pick(rng, DIGITS, 4)}"
    if style == "on_accessible":
        return f"{_pick(rng, DIGITS, 4)}{_pick(rng, LETTERS, 1)}"
    if style == "us_generic":
        kind = rng.integers(3)
        return (f"{_pick(rng, DIGITS, 3)} {_pick(rng, LETTERS, 3)}" if kind == 0
                else f"{_pick(rng, LETTERS, 3)} {_pick(rng, DIGITS, 4)}" if kind == 1
                else _pick(rng, LETTERS + DIGITS, 7))
    if style in ("eu", "eu_short"):
        kind = rng.integers(4)
        if kind == 0:
            return f"{_pick(rng, LETTERS, 2)}{_pick(rng, DIGITS, 3)}{_pick(rng, LETTERS, 2)}"
        if kind == 1:
            return f"{_pick(rng, LETTERS, 2)} {_pick(rng, DIGITS, 3)}{_pick(rng, LETTERS, 2)}"
        if kind == 2:
            return f"{_pick(rng, DIGITS, 1)}{_pick(rng, LETTERS, 1)}{_pick(rng, DIGITS, 5)}"
        return f"{_pick(rng, LETTERS, int(rng.integers(1, 4)))} {_pick(rng, LETTERS + DIGITS, int(rng.integers(2, 6)))}"
    if style == "br_old":
        return f"{_pick(rng, LETTERS, 3)}-{_pick(rng, DIGITS, 4)}"
    if style == "br_mercosul":
        return f"{_pick(rng, LETTERS, 3)}{_pick(rng, DIGITS, 1)}{_pick(rng, LETTERS, 1)}{_pick(rng, DIGITS, 2)}"
    raise ValueError(f"unknown plate style {style!r}; known: {', '.join(STYLES)}")


# Faces shipped with the project (vision/fonts/, licences beside them): a DIN 1451-like face,
# the family Brazil's and Germany's plate faces come from (its Q is an O with a short tail, as
# on those plates), and a condensed grotesque. OSP-DIN is narrower than the others, so its text
# is stretched by this factor before the usual random squeeze.
SHIPPED_FONTS = Path(__file__).resolve().parent / "fonts"
FONT_WIDTH = {"OSP-DIN.ttf": 1.35}


def font_files() -> list[Path]:
    """Bold sans faces available offline: the ones matplotlib ships (always installed with
    ultralytics), the project's own, any of the usual system faces, and CIVIC_PLATE_FONTS
    (os.pathsep-separated)."""
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    found = [ttf / n for n in ("DejaVuSans-Bold.ttf", "DejaVuSansMono-Bold.ttf", "DejaVuSans.ttf", "STIXGeneralBol.ttf")]
    found += [SHIPPED_FONTS / n for n in ("OSP-DIN.ttf", "RobotoCondensed-Bold.ttf")]
    for n in ("/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
              "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
              "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
              "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf"):
        found.append(Path(n))
    found += [Path(p) for p in os.environ.get("CIVIC_PLATE_FONTS", "").split(os.pathsep) if p]
    return [f for f in found if f.is_file()]


@functools.lru_cache(maxsize=256)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _inner_tail_q(draw: ImageDraw.ImageDraw, font, text: str, drawn: str, origin: tuple[int, int], ink,
                  rng) -> None:
    """Brazil's grey plates (the pre-2018 "Mandatory" face) draw Q as their O with a short
    stub rising from the bottom of the bowl into it, not a tail outside it as in the usual
    faces (see a real one: MXQ1601 in the BR train half). ``drawn`` (``text`` with each Q as
    O, and any other glyph swaps) was drawn at ``origin``; this adds each Q's stub, its
    length, slant and overhang varied."""
    ol, ot, o_r, ob = font.getbbox("O")
    w, h = o_r - ol, ob - ot
    stroke = max(2, int(round(w * rng.uniform(0.13, 0.2))))
    for i, ch in enumerate(text):
        if ch != "Q":
            continue
        x = origin[0] + font.getlength(drawn[:i]) + ol  # where the O standing for it was drawn
        cx = x + w * rng.uniform(0.48, 0.6)
        bottom = origin[1] + ob + h * rng.uniform(-0.02, 0.03)  # flush with the bowl or just below it
        length = h * rng.uniform(0.22, 0.36)
        lean = w * rng.uniform(-0.12, 0.04)  # the stub's top a little left of its foot, or upright
        draw.line([(cx, bottom), (cx + lean, bottom - length)], fill=(*ink, 255), width=stroke)


def _text_image(text: str, font_path: str, height: int, ink, condense: float, same_glyph=(),
                inner_q_rng=None) -> Image.Image:
    """The characters on a transparent layer, ``height`` px tall, squeezed horizontally; each
    (character, glyph) of ``same_glyph`` drawn as that glyph; with ``inner_q_rng``, Q in
    Brazil's grey-plate form (``_inner_tail_q``)."""
    font = _font(font_path, max(8, int(height * 1.25)))
    drawn = text.translate(str.maketrans(dict(same_glyph)))
    if inner_q_rng is not None:
        drawn = drawn.replace("Q", "O")
    left, top, right, bottom = font.getbbox(drawn)
    layer = Image.new("RGBA", (right - left + 4, bottom - top + 4), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    draw.text((2 - left, 2 - top), drawn, font=font, fill=(*ink, 255))
    if inner_q_rng is not None:
        _inner_tail_q(draw, font, text, drawn, (2 - left, 2 - top), ink, inner_q_rng)
    w = max(1, int(layer.width * condense * height / max(1, layer.height)))
    return layer.resize((w, height), Image.LANCZOS)


def render_plate(text: str, style: str, rng: np.random.Generator, height: int = 96) -> np.ndarray:
    """One flat plate (BGR, ``height`` px tall) showing ``text`` in the given style."""
    st = STYLES[style]
    width = int(round(height * st.aspect))
    tint = rng.integers(-12, 8, size=3)
    bg = tuple(int(np.clip(c + t, 0, 255)) for c, t in zip(st.background, tint))
    img = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(img)
    fonts = font_files()
    if not fonts:
        raise RuntimeError("no TrueType font found (matplotlib's fonts are missing); set CIVIC_PLATE_FONTS")
    font_path = str(fonts[int(rng.integers(len(fonts)))])
    border = max(1, height // 40)
    draw.rectangle([0, 0, width - 1, height - 1], outline=st.ink, width=border)
    x0, x1, y0, y1 = border * 2, width - border * 2, border * 2, height - border * 2
    if st.band:
        bw = int(height * 0.42)
        draw.rectangle([border, border, bw, height - border - 1], fill=st.band)
        code = _pick(rng, LETTERS, int(rng.integers(1, 3)))
        tl = _text_image(code, font_path, int(height * 0.22), (255, 255, 255), 0.9)
        img.paste(tl, ((bw - tl.width) // 2 + border, int(height * 0.62)), tl)
        x0 = bw + border * 2
    if st.top_band:
        bh = int(height * 0.22)
        draw.rectangle([border, border, width - border - 1, bh], fill=st.top_band)
        tl = _text_image("BRASIL", font_path, int(bh * 0.65), (255, 255, 255), 1.0)
        img.paste(tl, ((width - tl.width) // 2, border + (bh - tl.height) // 2), tl)
        y0 = bh + border
    if st.header:
        hh = int(height * 0.16)
        header = st.header if st.header != "STATE" else rng.choice(["NEW YORK", "MICHIGAN", "OHIO", "TEXAS", "FLORIDA"])
        tl = _text_image(header, font_path, hh, st.ink, 1.0)
        img.paste(tl, ((width - tl.width) // 2, y0), tl)
        y0 += hh + border
    if st.footer:
        fh = int(height * 0.11)
        tl = _text_image(st.footer, font_path, fh, st.ink, 1.0)
        img.paste(tl, ((width - tl.width) // 2, y1 - fh), tl)
        y1 -= fh + border
    if style == "on_accessible":  # the wheelchair symbol's place, at the left
        s = int((y1 - y0) * 0.8)
        draw.rectangle([x0, y0 + (y1 - y0 - s) // 2, x0 + s, y0 + (y1 - y0 + s) // 2], fill=st.ink)
        x0 += s + border * 3
    char_h = int((y1 - y0) * rng.uniform(0.78, 0.95))
    tl = _text_image(text, font_path, char_h, st.ink, rng.uniform(0.7, 0.95) * FONT_WIDTH.get(Path(font_path).name, 1.0),
                     same_glyph=st.same_glyph, inner_q_rng=rng if st.inner_q and "Q" in text else None)
    if tl.width > x1 - x0:
        tl = tl.resize((x1 - x0, char_h), Image.LANCZOS)
    img.paste(tl, (x0 + (x1 - x0 - tl.width) // 2, y0 + (y1 - y0 - char_h) // 2), tl)
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


# ---------------------------------------------------------------- degradations


def _glare(img: np.ndarray, rng) -> np.ndarray:
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    r = rng.uniform(0.2, 0.8) * max(h, w)
    spot = np.exp(-(((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r)))[..., None] * rng.uniform(60, 160)
    return np.clip(img.astype(np.float32) + spot, 0, 255).astype(np.uint8)


def _night_ir(img: np.ndarray, rng) -> np.ndarray:
    """Infrared camera at night: grey, high contrast on the retro-reflective plate, noisy."""
    g = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
    g = (g - g.mean()) * rng.uniform(1.1, 1.6) + rng.uniform(90, 150)
    g += rng.normal(0, rng.uniform(4, 14), g.shape)
    return cv2.cvtColor(np.clip(g, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)


def _dirt(img: np.ndarray, rng) -> np.ndarray:
    out = img.astype(np.float32)
    h, w = img.shape[:2]
    for _ in range(int(rng.integers(3, 12))):
        c = (int(rng.integers(w)), int(rng.integers(h)))
        ax = (int(rng.integers(2, max(3, w // 8))), int(rng.integers(2, max(3, h // 5))))
        mask = np.zeros((h, w), np.float32)
        cv2.ellipse(mask, c, ax, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), max(1.0, min(ax) / 2))[..., None] * rng.uniform(0.2, 0.6)
        out = out * (1 - mask) + np.array([40, 60, 80], np.float32) * mask
    return out.astype(np.uint8)


def _occlude(img: np.ndarray, rng) -> np.ndarray:
    """A tow hitch, bike rack bar or frame edge across a small part of the plate."""
    out = img.copy()
    h, w = img.shape[:2]
    colour = tuple(int(c) for c in rng.integers(0, 90, size=3))
    if rng.random() < 0.5:
        x = int(rng.uniform(0.1, 0.9) * w)
        cv2.rectangle(out, (x, int(h * rng.uniform(0.4, 0.9))), (x + max(2, w // 25), h), colour, -1)
    else:
        y = int(rng.choice([rng.uniform(0, 0.12), rng.uniform(0.88, 1.0)]) * h)
        cv2.rectangle(out, (0, y), (w, y + max(2, h // 12)), colour, -1)
    return out


def _motion_blur(img: np.ndarray, rng) -> np.ndarray:
    k = int(rng.integers(3, 9))
    kernel = np.zeros((k, k), np.float32)
    kernel[k // 2, :] = 1.0 / k
    m = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), float(rng.uniform(-30, 30)), 1.0)
    kernel = cv2.warpAffine(kernel, m, (k, k))
    return cv2.filter2D(img, -1, kernel / max(kernel.sum(), 1e-6))


def degrade_plate(plate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Weather, light and wear on a flat plate (before it is placed in a scene)."""
    out = plate
    if rng.random() < 0.25:
        out = _dirt(out, rng)
    if rng.random() < 0.2:
        out = _glare(out, rng)
    if rng.random() < 0.15:
        out = _occlude(out, rng)
    if rng.random() < 0.12:
        out = _night_ir(out, rng)
    return out


def degrade_image(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Camera effects on a whole crop or scene: exposure, blur, noise, JPEG."""
    out = img.astype(np.float32)
    out = out * rng.uniform(0.55, 1.25) + rng.uniform(-35, 25)
    out = np.clip(out, 0, 255).astype(np.uint8)
    r = rng.random()
    if r < 0.25:
        out = _motion_blur(out, rng)
    elif r < 0.5:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(0.5, 1.6))
    if rng.random() < 0.6:
        out = np.clip(out.astype(np.float32) + rng.normal(0, rng.uniform(2, 10), out.shape), 0, 255).astype(np.uint8)
    if rng.random() < 0.7:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(25, 90))])
        out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return out


def random_style(rng: np.random.Generator, ontario_share: float = 0.4) -> str:
    """Ontario formats first; the rest spread over the other styles."""
    if rng.random() < ontario_share:
        return str(rng.choice(ONTARIO_STYLES))
    return str(rng.choice([s for s in STYLES if s not in ONTARIO_STYLES]))


def _warp_quad(w: int, h: int, rng, strength: float) -> np.ndarray:
    """The plate's four corners after a random perspective (yaw, pitch) and roll."""
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    j = strength * np.float32([[w, h], [w, h], [w, h], [w, h]]) * rng.uniform(-1, 1, size=(4, 2)).astype(np.float32)
    yaw = rng.uniform(-0.25, 0.25) * strength * 2 * h
    j[:, 1] += np.float32([-yaw, yaw, yaw, -yaw]) * 0.5
    roll = np.deg2rad(rng.uniform(-8, 8) * strength * 4)
    c, s = np.cos(roll), np.sin(roll)
    centre = np.float32([w / 2, h / 2])
    pts = (src + j - centre) @ np.float32([[c, s], [-s, c]]) + centre
    return pts.astype(np.float32)


def render_crop(rng: np.random.Generator, style: str | None = None, text: str | None = None,
                size: tuple[int, int] | None = None) -> tuple[np.ndarray, str]:
    """A plate as a detector's box would cut it out of a camera frame: a loose crop with a little
    surround, tilted, degraded. Returns (BGR image, normalised text). ``size`` = (w, h) resizes."""
    style = style or random_style(rng)
    text = text or plate_text(style, rng)
    plate = degrade_plate(render_plate(text, style, rng, height=int(rng.integers(40, 120))), rng)
    h, w = plate.shape[:2]
    pad_x, pad_y = int(w * rng.uniform(0.02, 0.15)), int(h * rng.uniform(0.04, 0.3))
    canvas_w, canvas_h = w + 2 * pad_x, h + 2 * pad_y
    surround = np.full((canvas_h, canvas_w, 3), rng.integers(0, 255, size=3), np.uint8)
    surround = np.clip(surround.astype(np.float32) + rng.normal(0, 12, surround.shape), 0, 255).astype(np.uint8)
    quad = _warp_quad(w, h, rng, rng.uniform(0.0, 0.06)) + np.float32([pad_x, pad_y])
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), quad)
    warped = cv2.warpPerspective(plate, m, (canvas_w, canvas_h))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), m, (canvas_w, canvas_h))
    out = np.where(mask[..., None] > 127, warped, surround)
    # The detector's box is never exact: shift the crop a little.
    dx, dy = int(rng.integers(-pad_x // 2 - 1, pad_x // 2 + 2)), int(rng.integers(-pad_y // 2 - 1, pad_y // 2 + 2))
    x0, y0 = max(0, dx), max(0, dy)
    out = out[y0:canvas_h + min(0, dy), x0:canvas_w + min(0, dx)]
    out = degrade_image(out, rng)
    if size:
        out = cv2.resize(out, size, interpolation=cv2.INTER_AREA)
    return out, normalise(text)


# ---------------------------------------------------------------- scenes (for detection)


def _background(w: int, h: int, rng, photos: list[np.ndarray] | None) -> np.ndarray:
    """Street-like clutter: a patch of a real photo (plate areas removed by the caller) or
    gradients, blocks, lines and fake lettering (signs, storefronts) that are not plates."""
    if photos and rng.random() < 0.5:
        src = photos[int(rng.integers(len(photos)))]
        sh, sw = src.shape[:2]
        scale = max(w / sw, h / sh) * rng.uniform(1.0, 1.8)
        big = cv2.resize(src, (int(sw * scale) + 1, int(sh * scale) + 1))
        y, x = int(rng.integers(0, big.shape[0] - h + 1)), int(rng.integers(0, big.shape[1] - w + 1))
        return big[y:y + h, x:x + w].copy()
    top, bottom = rng.integers(0, 255, size=3), rng.integers(0, 255, size=3)
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    img = (top * (1 - t) + bottom * t).repeat(w, axis=1).astype(np.uint8)
    for _ in range(int(rng.integers(5, 25))):
        colour = tuple(int(c) for c in rng.integers(0, 255, size=3))
        x, y = int(rng.integers(w)), int(rng.integers(h))
        if rng.random() < 0.6:
            cv2.rectangle(img, (x, y), (x + int(rng.integers(10, w // 2)), y + int(rng.integers(10, h // 2))), colour, -1)
        else:
            cv2.line(img, (x, y), (int(rng.integers(w)), int(rng.integers(h))), colour, int(rng.integers(1, 6)))
    for _ in range(int(rng.integers(0, 4))):  # lettering that is not a plate
        word = _pick(rng, LETTERS + DIGITS, int(rng.integers(3, 10)))
        cv2.putText(img, word, (int(rng.integers(0, w // 2)), int(rng.integers(20, h))), cv2.FONT_HERSHEY_SIMPLEX,
                    float(rng.uniform(0.5, 2.0)), tuple(int(c) for c in rng.integers(0, 255, size=3)), int(rng.integers(1, 4)))
    return img


def render_scene(rng: np.random.Generator, size: tuple[int, int] = (640, 480),
                 photos: list[np.ndarray] | None = None, max_plates: int = 3) -> tuple[np.ndarray, list[tuple[tuple[int, int, int, int], str]]]:
    """A street scene with 0..max_plates plates on car rears. Returns (BGR image,
    [((x, y, w, h), normalised text), ...]) with the axis-aligned box of each plate."""
    w, h = size
    img = _background(w, h, rng, photos)
    plates: list[tuple[tuple[int, int, int, int], str]] = []
    n = int(rng.choice(np.arange(max_plates + 1), p=_plate_count_weights(max_plates)))
    taken: list[tuple[int, int, int, int]] = []
    for _ in range(n):
        style = random_style(rng)
        text = plate_text(style, rng)
        plate = degrade_plate(render_plate(text, style, rng, height=64), rng)
        ph0, pw0 = plate.shape[:2]
        # from a distant car's (4% of the frame's width) to a close-up's (75%), as many of each
        # size class (log-uniform)
        pw = int(w * np.exp(rng.uniform(np.log(0.04), np.log(0.75))))
        ph = max(6, int(pw * ph0 / pw0))
        if pw >= w - 4 or ph >= h - 4:
            continue
        x, y = int(rng.integers(2, w - pw - 2)), int(rng.integers(2, h - ph - 2))
        # The car's rear around the plate: body colour, bumper, lights.
        cx0, cy0 = max(0, x - int(pw * 0.9)), max(0, y - int(ph * 2.5))
        cx1, cy1 = min(w, x + pw + int(pw * 0.9)), min(h, y + ph + int(ph * 1.2))
        if any(not (cx1 < a or cx0 > a + c or cy1 < b or cy0 > b + d) for a, b, c, d in taken):
            continue
        body = tuple(int(c) for c in rng.integers(0, 255, size=3))
        cv2.rectangle(img, (cx0, cy0), (cx1, cy1), body, -1)
        cv2.rectangle(img, (cx0, y + ph + int(ph * 0.2)), (cx1, cy1), tuple(int(c * 0.5) for c in body), -1)
        for lx in (cx0 + 2, cx1 - int(pw * 0.35)):
            cv2.rectangle(img, (lx, cy0 + int(ph * 0.5)), (lx + int(pw * 0.3), cy0 + int(ph * 1.3)), (30, 30, 200), -1)
        taken.append((cx0, cy0, cx1 - cx0, cy1 - cy0))
        quad = _warp_quad(pw0, ph0, rng, rng.uniform(0.0, 0.08))
        quad = quad * np.float32([pw / pw0, ph / ph0]) + np.float32([x, y])
        m = cv2.getPerspectiveTransform(np.float32([[0, 0], [pw0, 0], [pw0, ph0], [0, ph0]]), quad)
        warped = cv2.warpPerspective(plate, m, (w, h))
        mask = cv2.warpPerspective(np.full((ph0, pw0), 255, np.uint8), m, (w, h))
        img = np.where(mask[..., None] > 127, warped, img)
        bx0, by0 = np.clip(quad.min(axis=0), 0, [w - 1, h - 1])
        bx1, by1 = np.clip(quad.max(axis=0), 0, [w - 1, h - 1])
        plates.append(((int(bx0), int(by0), int(bx1 - bx0), int(by1 - by0)), normalise(text)))
    return degrade_image(img, rng), plates


def _plate_count_weights(max_plates: int) -> np.ndarray:
    weights = np.array([0.08] + [1.0 / (k + 1) for k in range(max_plates)])
    return weights / weights.sum()
