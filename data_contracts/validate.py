"""Turn text records into typed rows, and split them into landed and quarantined.

Two steps, both driven by the source's definition in ``sources.py``:
1. parse each field to its type; a value that does not parse is a reason by itself
   (a timestamp like ``2026-13-45T99:00`` cannot be checked by anything downstream);
2. validate the typed frame with the source's Great Expectations suite (required,
   allowed values, ranges, patterns) and turn every unexpected row into a reason.

A row with one or more reasons is quarantined with all of them; the rest land.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict

import great_expectations as gx
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.execution_engine import pandas_execution_engine
import numpy as np
import pandas as pd

from data_contracts.sources import Field, Source

logging.getLogger("great_expectations").setLevel(logging.ERROR)

# GX fingerprints each in-memory batch smaller than HASH_THRESHOLD bytes by hashing every
# cell, twice per validation: 40% of the suite's time on a day of plate reads. The
# fingerprint only labels the batch (ours are labelled by the files' SHA-256), and GX itself
# skips it above the threshold, so skip it always.
pandas_execution_engine.HASH_THRESHOLD = 0

_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def _context():
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def build_suite(src: Source, context=None) -> gx.ExpectationSuite:
    """The Great Expectations suite for one landed source (built from its definition)."""
    if context is None:
        context = _context()
    suite = gx.ExpectationSuite(name=f"{src.name}_contract")
    E = gx.expectations
    for f in src.fields:
        if f.required:
            suite.add_expectation(E.ExpectColumnValuesToNotBeNull(column=f.name))
        if f.allowed is not None:
            suite.add_expectation(E.ExpectColumnValuesToBeInSet(column=f.name, value_set=list(f.allowed)))
        if f.min is not None or f.max is not None:
            suite.add_expectation(E.ExpectColumnValuesToBeBetween(column=f.name, min_value=f.min, max_value=f.max))
        if f.regex is not None:
            suite.add_expectation(E.ExpectColumnValuesToMatchRegex(column=f.name, regex=f.regex))
    return suite


def _parse_timestamp(text: pd.Series, naive_tz: str | None) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
    present = text.notna()
    has_offset = present & text.str.contains(_OFFSET, na=False)
    if has_offset.any():
        out[has_offset] = pd.to_datetime(text[has_offset], utc=True, format="ISO8601", errors="coerce").astype("datetime64[us, UTC]")
    naive = present & ~has_offset
    if naive.any():
        local = pd.to_datetime(text[naive], format="ISO8601", errors="coerce")
        # A naive time is local to the city when the source says so, otherwise UTC.
        # In the repeated autumn hour we take standard time (the later instant).
        local = local.dt.tz_localize(naive_tz or "UTC", ambiguous=np.zeros(len(local), dtype=bool), nonexistent="shift_forward")
        out[naive] = local.dt.tz_convert("UTC").astype("datetime64[us, UTC]")
    return out


def _parse(f: Field, text: pd.Series, src: Source) -> pd.Series:
    if f.type in ("string", "geometry"):
        return text
    if f.type == "timestamp":
        return _parse_timestamp(text, src.naive_tz)
    if f.type == "date":
        return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[us]")
    if f.type == "float":
        return pd.to_numeric(text, errors="coerce").astype("float64")
    if f.type == "int":
        num = pd.to_numeric(text, errors="coerce")
        ok = num.notna() & np.isfinite(num) & (num == np.round(num))
        return num.where(ok).astype("Int64")
    if f.type == "bool":
        low = text.str.strip().str.lower()
        return low.map(lambda v: True if v in _TRUE else False if v in _FALSE else None).astype("boolean")
    raise ValueError(f"unknown field type {f.type!r}")


def parse_types(src: Source, records: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, list[str]]]:
    """Typed copy of the records and, per row id (``_rid``), the values that did not parse."""
    typed = records.copy()
    reasons: dict[int, list[str]] = defaultdict(list)
    for f in src.fields:
        if f.name not in records:
            continue
        text = records[f.name]
        if src.null_tokens:
            text = text.where(~text.isin(src.null_tokens), None)
        value = _parse(f, text, src)
        failed = text.notna() & value.isna()
        for rn, raw in zip(records.loc[failed, "_rid"], text[failed]):
            reasons[int(rn)].append(f"{f.name}: not a valid {f.type} ({str(raw)[:60]!r})")
        typed[f.name] = value
    return typed, reasons


def _describe(exp_type: str, column: str, f: Field) -> str:
    if exp_type == "expect_column_values_to_not_be_null":
        return f"{column}: required value missing"
    if exp_type == "expect_column_values_to_be_in_set":
        return f"{column}: not one of the allowed values"
    if exp_type == "expect_column_values_to_be_between":
        if f.max is None:
            return f"{column}: below the minimum {f.min:g}"
        if f.min is None:
            return f"{column}: above the maximum {f.max:g}"
        return f"{column}: outside {f.min:g}..{f.max:g}"
    if exp_type == "expect_column_values_to_match_regex":
        return f"{column}: does not match the expected pattern"
    return f"{column}: failed {exp_type}"


def run_suite(src: Source, typed: pd.DataFrame) -> dict[int, list[str]]:
    """Validate a typed frame with the source's suite; reasons per row id (``_rid``)."""
    reasons: dict[int, list[str]] = defaultdict(list)
    if typed.empty:
        return reasons
    ctx = _context()
    batch_def = ctx.data_sources.add_pandas("landing").add_dataframe_asset(src.name).add_batch_definition_whole_dataframe("batch")
    suite = ctx.suites.add(build_suite(src, ctx))
    # GX's pandas engine works on plain object/float columns, not on pandas' nullable types.
    frame = typed[["_rid"] + [f.name for f in src.fields if f.name in typed]].copy()
    for f in src.fields:
        if f.name in frame and f.type in ("int", "bool"):
            frame[f.name] = frame[f.name].astype(object).where(frame[f.name].notna(), None)
    result = batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["_rid"]})
    fields = {f.name: f for f in src.fields}
    for r in result.results:
        if r.success:
            continue
        cfg = r.expectation_config
        column = cfg.kwargs.get("column")
        reason = _describe(cfg.type, column, fields[column])
        for item in r.result.get("unexpected_index_list") or []:
            reasons[int(item["_rid"])].append(reason)
    return reasons


def split(src: Source, records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(typed rows that land, quarantined rows with a ``reason``).

    ``records`` may hold the rows of many files; each row needs a unique ``_rid``.
    """
    typed, reasons = parse_types(src, records)
    for rn, rs in run_suite(src, typed).items():
        # A value that failed to parse is null now; do not also call it "missing".
        already = {r.split(":")[0] for r in reasons.get(rn, [])}
        reasons[rn].extend(r for r in rs if r.split(":")[0] not in already)
    bad_rows = np.array(sorted(reasons), dtype="int64")
    is_bad = typed["_rid"].isin(bad_rows)
    rejected = records.loc[is_bad].copy()
    rejected["reason"] = [("; ".join(reasons[int(rid)])) for rid in rejected["_rid"]]
    return typed.loc[~is_bad].reset_index(drop=True), rejected.reset_index(drop=True)
