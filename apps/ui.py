"""Shared page helpers: formatting, the snapshot guard and the as-of caption."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from apps import serving

LOCAL_TZ = ZoneInfo(serving.LOCAL_TZ)
MISSING = "—"

# --------------------------------------------------------------------------- #
# Formatting (pure functions, unit-tested)
# --------------------------------------------------------------------------- #


def is_missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def format_value(value: Any, unit: str | None) -> str:
    """A KPI value for display: ``$`` money, ``%`` percent (0-100), ``count``,
    ``days``; anything else as a plain number followed by the unit."""
    if is_missing(value):
        return MISSING
    v = float(value)
    if unit == "$":
        return f"-${abs(v):,.2f}" if v < 0 else f"${v:,.2f}"
    if unit == "%":
        return f"{v:.1f}%"
    if unit == "count":
        return f"{v:,.0f}"
    if unit == "days":
        return f"{v:.1f} day" if round(v, 1) == 1 else f"{v:.1f} days"
    text = f"{v:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit else text


def format_change_pct(change_pct: Any) -> str | None:
    """``change_pct`` (percent, e.g. 12.5 for +12.5 %) as a metric delta."""
    if is_missing(change_pct):
        return None
    v = float(change_pct)
    if math.isinf(v):
        return None
    if round(v, 1) == 0:
        return "0.0%"
    return f"{v:+.1f}%"


def to_local(ts: Any) -> pd.Timestamp | None:
    """A timestamp (tz-aware, or naive meaning UTC) in America/Toronto."""
    if is_missing(ts):
        return None
    t = pd.Timestamp(ts)
    if t.tzinfo is None:
        t = t.tz_localize("UTC")
    return t.tz_convert(LOCAL_TZ)


def format_local(ts: Any, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """A timestamp as Toronto local time, e.g. ``2025-11-21 17:45 EST``."""
    t = to_local(ts)
    return MISSING if t is None else t.strftime(fmt)


def format_day(d: Any) -> str:
    if is_missing(d):
        return MISSING
    if isinstance(d, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(d).date().isoformat()
    if isinstance(d, dt.date):
        return d.isoformat()
    return str(d)


# Inline markdown characters. Feed lines never start with data, so block-level
# markers (``#``, ``-``, ``1.``) need no escaping.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~$:])")


def md_escape(text: Any) -> str:
    """Escape data so Streamlit markdown shows it literally (``$`` would start
    LaTeX, ``:word:`` an emoji/icon shortcode)."""
    if is_missing(text):
        return ""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


# --------------------------------------------------------------------------- #
# Page building blocks
# --------------------------------------------------------------------------- #


def show_no_data(path: Any = None) -> None:
    st.info(serving.NO_DATA_MESSAGE, icon=":material/database_off:")
    p = path or serving.snapshot_path()
    st.caption(
        f"Looked for the serving snapshot at `{p}` "
        f"(set `{serving.SERVING_PATH_ENV}` or `{serving.DATA_DIR_ENV}` to change it)."
    )


def show_snapshot_error(exc: Exception, what: str = "the serving snapshot") -> None:
    st.error(
        f"Could not read {what}: {exc}\n\n"
        "The snapshot may come from an older or newer pipeline version; "
        "run `civic pipeline run` to publish a fresh one.",
        icon=":material/error:",
    )


def require_snapshot() -> None:
    """Stop the page with a clear message when no snapshot has been published."""
    if not serving.snapshot_exists():
        show_no_data()
        st.stop()


def load_snapshot_info() -> dict[str, Any] | None:
    """``meta.snapshot_info`` or None (with a warning) if it cannot be read."""
    try:
        return serving.snapshot_info()
    except serving.SnapshotMissing:
        show_no_data()
        st.stop()
    except serving.SnapshotError as exc:
        st.warning(f"Snapshot metadata unavailable: {exc}", icon=":material/warning:")
        return None


def page_header(title: str) -> dict[str, Any] | None:
    """A page's title, a stop with a message when no snapshot is published, and the
    "data as of" caption; returns the snapshot's info."""
    st.header(title, anchor=False)
    require_snapshot()
    info = load_snapshot_info()
    snapshot_caption(info)
    return info


def read_or_stop(read: Any, what: str, *args: Any, **kwargs: Any) -> Any:
    """``read(*args, **kwargs)`` from the snapshot; when it is missing or cannot be read,
    the message saying so and a stop of the page."""
    try:
        return read(*args, **kwargs)
    except serving.SnapshotMissing:
        show_no_data()
        st.stop()
    except serving.SnapshotError as exc:
        show_snapshot_error(exc, what)
        st.stop()


def caption_text(info: dict[str, Any] | None) -> str:
    info = info or {}
    return (
        f"Data as of {format_local(info.get('data_as_of'))} · "
        f"published {format_local(info.get('published_at'))} · "
        "source: serving snapshot"
    )


def snapshot_caption(info: dict[str, Any] | None) -> None:
    st.caption(caption_text(info))


def source_caption_text(sources: str | list[str] | tuple[str, ...], info: dict[str, Any] | None,
                        note: str | None = None) -> str:
    """"Source: `fct_x`, `fct_y` · data as of 2025-11-21 17:45 EST" (+ a note), for
    the caption under a figure."""
    names = [sources] if isinstance(sources, str) else list(sources)
    text = "Source: " + ", ".join(f"`{n}`" for n in names)
    text += f" · data as of {format_local((info or {}).get('data_as_of'))}"
    return f"{text} · {note}" if note else text


def source_caption(sources: str | list[str] | tuple[str, ...], info: dict[str, Any] | None,
                   note: str | None = None) -> None:
    st.caption(source_caption_text(sources, info, note))


def download_button(label: str, data: Any, *args: Any, where: Any = None, **kwargs: Any) -> None:
    """A download button (in ``where``, a column or container; the page by default) whose click
    does not rerun the page: a rerun rebuilds a page's other files under new addresses and
    cancels a download still on its way (seen with the council report's XLSX after its PDF)."""
    (where or st).download_button(label, data, *args, on_click="ignore", **kwargs)
