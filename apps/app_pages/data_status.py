"""Data status: which snapshot the apps are reading, how fresh each source is,
and how many rows the pipeline quarantined.

Reads only the serving snapshot (``meta.snapshot_info``, ``meta.source_freshness``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from apps import serving, ui

# A source whose latest delivery is this many days or more behind the data's
# as-of day is flagged as stale.
STALE_AFTER_DAYS = 2


def _humanize_bytes(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _as_date(v: Any) -> dt.date | None:
    if ui.is_missing(v):
        return None
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return pd.Timestamp(v).date()
    if isinstance(v, dt.date):
        return v
    return pd.Timestamp(v).date()


def freshness_table(freshness: pd.DataFrame, data_as_of: Any) -> pd.DataFrame:
    """The freshness rows with derived columns: days behind the data's as-of
    day (local), quarantine rate, and a status."""
    as_of_day = None
    local = ui.to_local(data_as_of)
    if local is not None:
        as_of_day = local.date()
    out = pd.DataFrame(
        {
            "source": freshness["source"].astype(str),
            "latest_delivery": [_as_date(v) for v in freshness["latest_delivery"]],
            "rows_landed": pd.to_numeric(freshness["rows_landed"], errors="coerce").fillna(0).astype("int64"),
            "rows_quarantined": pd.to_numeric(freshness["rows_quarantined"], errors="coerce")
            .fillna(0)
            .astype("int64"),
        }
    )
    total = out["rows_landed"] + out["rows_quarantined"]
    out["quarantine_pct"] = (100.0 * out["rows_quarantined"] / total.where(total > 0)).round(2)
    out["days_behind"] = [
        # A delivery made the morning after the as-of day counts as current (0).
        max((as_of_day - d).days, 0) if (as_of_day is not None and d is not None) else None
        for d in out["latest_delivery"]
    ]
    out["days_behind"] = out["days_behind"].astype("Int64")

    def status(row: pd.Series) -> str:
        if row["latest_delivery"] is None:
            return "⚪ never delivered"
        if not pd.isna(row["days_behind"]) and row["days_behind"] >= STALE_AFTER_DAYS:
            return "🟠 stale"
        if row["rows_quarantined"] > 0:
            return "🟡 quarantined rows"
        return "🟢 ok"

    out["status"] = out.apply(status, axis=1) if len(out) else pd.Series(dtype="str")
    return out[
        [
            "status",
            "source",
            "latest_delivery",
            "days_behind",
            "rows_landed",
            "rows_quarantined",
            "quarantine_pct",
        ]
    ]


def render_snapshot(info: dict[str, Any] | None) -> None:
    st.subheader("Snapshot", anchor=False, divider="gray")
    info = info or {}
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Data as of", ui.format_local(info.get("data_as_of")), help="Latest event in the data.", border=True)
    c2.metric("Published", ui.format_local(info.get("published_at")), help="When the pipeline swapped this snapshot in.", border=True)
    started, published = ui.to_local(info.get("pipeline_started_at")), ui.to_local(info.get("published_at"))
    if started is not None and published is not None:
        minutes = (published - started).total_seconds() / 60
        run_time = f"{minutes:,.1f} min"
    else:
        run_time = ui.MISSING
    c3.metric(
        "Pipeline run time",
        run_time,
        help=f"From pipeline start ({ui.format_local(info.get('pipeline_started_at'))}) to publication.",
        border=True,
    )
    if published is not None:
        age_h = (pd.Timestamp.now(tz="UTC") - published).total_seconds() / 3600
        age = f"{age_h:,.1f} h" if age_h < 48 else f"{age_h / 24:,.1f} days"
    else:
        age = ui.MISSING
    c4.metric("Snapshot age", age, help="Time since publication.", border=True)

    run_id = info.get("run_id")
    st.markdown(f"**Run id:** `{run_id if not ui.is_missing(run_id) else 'unknown'}`")
    version = serving.snapshot_version()
    if version is not None:
        modified = pd.Timestamp(version.mtime_ns, unit="ns", tz="UTC")
        st.caption(
            f"File `{version.path}` · {_humanize_bytes(version.size)} · "
            f"replaced {ui.format_local(modified)}"
        )


def render_freshness(freshness: pd.DataFrame, info: dict[str, Any] | None) -> None:
    st.subheader("Sources", anchor=False, divider="gray")
    if freshness.empty:
        st.info("The snapshot lists no sources yet.")
        return
    table = freshness_table(freshness, (info or {}).get("data_as_of"))

    landed = int(table["rows_landed"].sum())
    quarantined = int(table["rows_quarantined"].sum())
    total = landed + quarantined
    c1, c2, c3 = st.columns(3)
    c1.metric("Rows landed", f"{landed:,}", border=True)
    c2.metric(
        "Rows quarantined",
        f"{quarantined:,}",
        help="Rows that failed their data contract. They are kept with a reason under "
        "`lake/_quarantine/<source>/`, never dropped.",
        border=True,
    )
    c3.metric("Quarantine rate", f"{100 * quarantined / total:.2f}%" if total else ui.MISSING, border=True)

    with_quarantine = table.loc[table["rows_quarantined"] > 0, "source"].tolist()
    stale = table.loc[table["status"] == "🟠 stale", "source"].tolist()
    if with_quarantine:
        st.warning(
            f"{len(with_quarantine)} source(s) have quarantined rows: "
            + ", ".join(f"`{s}`" for s in with_quarantine)
            + ". See the quarantine asset checks in the Dagster UI.",
            icon=":material/report:",
        )
    if stale:
        st.warning(
            f"{len(stale)} source(s) are {STALE_AFTER_DAYS}+ days behind the data: "
            + ", ".join(f"`{s}`" for s in stale),
            icon=":material/schedule:",
        )
    if not with_quarantine and not stale:
        st.success("All sources delivered and no rows quarantined.", icon=":material/check_circle:")

    st.dataframe(
        table,
        hide_index=True,
        key="freshness_table",
        column_config={
            "status": st.column_config.TextColumn("Status"),
            "source": st.column_config.TextColumn("Source"),
            "latest_delivery": st.column_config.DateColumn("Latest delivery", format="YYYY-MM-DD"),
            "days_behind": st.column_config.NumberColumn(
                "Days behind data", help="Data as-of day (Toronto) minus the latest delivery day."
            ),
            "rows_landed": st.column_config.NumberColumn("Rows landed", format="localized"),
            "rows_quarantined": st.column_config.NumberColumn("Rows quarantined", format="localized"),
            "quarantine_pct": st.column_config.ProgressColumn(
                "Quarantined %", min_value=0, max_value=100, format="%.2f%%"
            ),
        },
    )


def main() -> None:
    info = ui.page_header("Data status")
    render_snapshot(info)
    try:
        freshness = serving.source_freshness()
    except serving.SnapshotMissing:
        ui.show_no_data()
        st.stop()
    except serving.SnapshotError as exc:
        ui.show_snapshot_error(exc, "source freshness")
        return
    render_freshness(freshness, info)


main()
