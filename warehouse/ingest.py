"""Land delivered files: read, validate, write to the lake, quarantine the rest.

A batch is one delivered file, identified by the SHA-256 of its content: delivering the
same content again (under any name) finds its batch record and changes nothing.
Counts reconcile per batch: rows_in = landed + quarantined.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import sqlite3
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from data_contracts.sources import CITY_TZ, Source, source
from warehouse.config import Paths
from warehouse.lake import (BATCH_COLUMNS, QUARANTINE_COLUMNS, arrow_schema, file_sha256, landed_columns,
                           to_table, write_parquet)
from warehouse.readers import read_file, record_json

_DATED = re.compile(r"(\d{4}-\d{2}-\d{2})\.[A-Za-z0-9]+$")


@dataclass
class BatchResult:
    batch_id: str
    source: str
    source_file: str
    delivered_on: date
    rows_in: int
    landed: int
    quarantined: int
    skipped: bool = False  # already ingested: a re-delivery
    reasons: dict | None = None  # quarantine reason -> count

    def as_dict(self) -> dict:
        d = asdict(self)
        d["delivered_on"] = self.delivered_on.isoformat()
        return d


def delivery_date(path: Path) -> date:
    """The delivery day a landing file is named for (``*_YYYY-MM-DD.ext``), else its mtime's day."""
    m = _DATED.search(path.name)
    if m:
        try:
            return date.fromisoformat(m.group(1))
        except ValueError:
            pass
    return datetime.fromtimestamp(path.stat().st_mtime).date()


def landing_files(paths: Paths, source_name: str, start: date | None = None, end: date | None = None) -> list[Path]:
    """Files delivered for a source, optionally only those whose delivery day is in [start, end]."""
    folder = paths.landing / source_name
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if start or end:
        files = [p for p in files if (start is None or delivery_date(p) >= start) and (end is None or delivery_date(p) <= end)]
    return files


def _batch_path(paths: Paths, source_name: str, batch_id: str) -> Path:
    return paths.batches / source_name / f"{batch_id}.parquet"


# A source's batch records, merged: one file per landed file costs every reader of the
# records (dbt's stg_ingest__batches, the raw view) a millisecond per file, seconds a year.
COMPACTED_RECORDS = "_compacted.parquet"


def _compacted_records(paths: Paths, source_name: str) -> dict[str, dict]:
    """batch_id -> batch record, of the source's compacted record file."""
    f = paths.batches / source_name / COMPACTED_RECORDS
    return {r["batch_id"]: r for r in pq.read_table(f).to_pylist()} if f.exists() else {}


def _batch_record(paths: Paths, source_name: str, batch_id: str, compacted: dict[str, dict]) -> dict | None:
    """The batch record of a batch landed before (its own file, or merged), else None."""
    f = _batch_path(paths, source_name, batch_id)
    if f.exists():
        return pq.read_table(f).to_pylist()[0]
    return compacted.get(batch_id)


def compact_batch_records(paths: Paths, source_name: str) -> int:
    """Merge a source's per-batch record files into its compacted record file; returns how many.

    The merged file is written beside the old one and renamed over it before the merged
    record files are deleted, so a record is always in one file or both (the staging model
    keeps one row per batch); a lock keeps two landing processes from merging at once."""
    import fcntl

    folder = paths.batches / source_name
    if not folder.is_dir():
        return 0
    with open(folder / ".compact.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        loose = sorted(f for f in folder.glob("*.parquet") if f.name != COMPACTED_RECORDS)
        if not loose:
            return 0
        parts = [pq.read_table(f) for f in loose]
        if (folder / COMPACTED_RECORDS).exists():
            parts.insert(0, pq.read_table(folder / COMPACTED_RECORDS))
        write_parquet(pa.concat_tables(parts).cast(arrow_schema(BATCH_COLUMNS)), folder / COMPACTED_RECORDS)
        for f in loose:
            f.unlink()
    return len(loose)


def _event_days(src: Source, typed: pd.DataFrame, delivered_on: date) -> pd.Series:
    """The lake day partition of each row (see Source.lake_day)."""
    if src.event_time is None or src.lake_day == "delivery" or typed.empty:
        return pd.Series([delivered_on] * len(typed), index=typed.index, dtype=object)
    col = typed[src.event_time]
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        return col.dt.tz_convert(CITY_TZ).dt.date
    return col.dt.date


@dataclass
class _Pending:
    file: Path
    sha: str
    batch_id: str
    delivered_on: date


class LandingIndex:
    """Which landing files (by name, size and modification time) were landed as which batch.

    Only a cache in front of the content hash: a year of landing files is gigabytes, and
    hashing all of them on every run to find one new day costs more than landing the day.
    A file whose name, size or mtime changed is hashed again; losing the index loses nothing
    but that time. SQLite, so the pipeline and the sensor can both use it.
    """

    def __init__(self, paths: Paths):
        paths.batches.mkdir(parents=True, exist_ok=True)
        self.con = sqlite3.connect(paths.batches / "_landing_index.sqlite", timeout=60)
        self.con.execute("CREATE TABLE IF NOT EXISTS landed_files (source TEXT, file_name TEXT, size INTEGER, "
                         "mtime_ns INTEGER, batch_id TEXT, PRIMARY KEY (source, file_name, size, mtime_ns))")

    @staticmethod
    def _key(file: Path) -> tuple[str, int, int]:
        st = file.stat()
        return file.name, st.st_size, st.st_mtime_ns

    def batch_of(self, source_name: str, file: Path) -> str | None:
        row = self.con.execute("SELECT batch_id FROM landed_files WHERE source = ? AND file_name = ? AND size = ? "
                               "AND mtime_ns = ?", (source_name, *self._key(file))).fetchone()
        return row[0] if row else None

    def unlanded(self, source_name: str, files: list[Path]) -> list[Path]:
        """The files the index does not know (new, or changed since)."""
        known = set(self.con.execute("SELECT file_name, size, mtime_ns FROM landed_files WHERE source = ?",
                                     (source_name,)).fetchall())
        return [f for f in files if self._key(f) not in known]

    def add(self, source_name: str, file: Path, batch_id: str) -> None:
        self.add_many(source_name, [(file, batch_id)])

    def add_many(self, source_name: str, landed: list[tuple[Path, str]]) -> None:
        with self.con:  # one transaction (one disk sync) for a whole group of files
            self.con.executemany("INSERT OR REPLACE INTO landed_files VALUES (?, ?, ?, ?, ?)",
                                 [(source_name, *self._key(f), b) for f, b in landed])

    def close(self) -> None:
        self.con.close()


def unlanded_files(paths: Paths, source_name: str) -> list[Path]:
    """Landing files of a source not landed yet as far as the index knows (no hashing)."""
    index = LandingIndex(paths)
    try:
        return index.unlanded(source_name, landing_files(paths, source_name))
    finally:
        index.close()


def already_ingested(paths: Paths, source_name: str, file: Path) -> bool:
    """Whether this file's content has been landed before (under any name)."""
    return _batch_record(paths, source_name, f"{source_name}-{file_sha256(file)[:20]}",
                         _compacted_records(paths, source_name)) is not None


def _pending(paths: Paths, src: Source, file: Path, index: LandingIndex,
             compacted: dict[str, dict]) -> _Pending | BatchResult:
    """A file still to ingest, or the result recorded when it was ingested before."""
    file = Path(file)
    batch_id = index.batch_of(src.name, file)
    sha = None
    rec = None if batch_id is None else _batch_record(paths, src.name, batch_id, compacted)
    if rec is None:
        sha = file_sha256(file)
        batch_id = f"{src.name}-{sha[:20]}"
        rec = _batch_record(paths, src.name, batch_id, compacted)
    if rec is not None:
        index.add(src.name, file, batch_id)
        return BatchResult(batch_id, src.name, rec["source_file"], rec["delivered_on"], rec["rows_in"],
                           rec["landed"], rec["quarantined"], skipped=True)
    return _Pending(file, sha, batch_id, delivery_date(file))


def _land_group(paths: Paths, src: Source, group: list[_Pending], index: LandingIndex) -> list[BatchResult]:
    """Read several files, validate them in one suite run, then write each file's batch.

    The group's landed rows become one Arrow table (lineage columns included), sorted by file
    and lake day, and each file's day is written as a zero-copy slice of it: the per-file
    cost is the Parquet write, not pandas bookkeeping (a year is ~7,000 small files)."""
    now = datetime.now(timezone.utc)
    reads = [read_file(p.file, src) for p in group]
    records = pd.concat([r.records.assign(_file_idx=i) for i, r in enumerate(reads)], ignore_index=True)
    records.insert(0, "_rid", range(len(records)))
    from data_contracts.validate import split  # Great Expectations: seconds to import, only where files land

    landed, rejected = split(src, records)
    field_names = [c for c in reads[0].records.columns if c != "_row_number"]

    # Lineage and lake day of every landed row, from its file.
    file_idx = landed["_file_idx"].to_numpy()
    delivered = [p.delivered_on for p in group]
    landed["_batch_id"] = np.array([p.batch_id for p in group], dtype=object)[file_idx]
    landed["_source_file"] = np.array([p.file.name for p in group], dtype=object)[file_idx]
    landed["_delivered_on"] = pd.to_datetime(pd.Series([delivered[i] for i in file_idx], dtype=object, index=landed.index))
    landed["_landed_at"] = pd.Timestamp(now)
    if src.format == "geojson":
        for c in ("_centroid_lat", "_centroid_lon"):
            landed[c] = pd.to_numeric(landed[c])
    if src.event_time is None or src.lake_day == "delivery":
        days = pd.Series([delivered[i] for i in file_idx], dtype=object, index=landed.index)
    else:
        days = _event_days(src, landed, delivered[0])
    order = np.lexsort((days.map(date.toordinal).to_numpy(dtype="int64") if len(days) else np.array([], "int64"), file_idx))
    table = to_table(landed, landed_columns(src)).take(pa.array(order, type=pa.int64()))
    keys = list(zip(file_idx[order], days.to_numpy()[order]))
    slices: dict[int, list[tuple[date, int, int]]] = {}
    start = 0
    for k in range(1, len(keys) + 1):
        if k == len(keys) or keys[k] != keys[start]:
            slices.setdefault(int(keys[start][0]), []).append((keys[start][1], start, k - start))
            start = k

    rejected_by_file = dict(tuple(rejected.groupby("_file_idx", sort=False))) if len(rejected) else {}
    results = []
    for i, (p, r) in enumerate(zip(group, reads)):
        for day, offset, length in slices.get(i, []):
            write_parquet(table.slice(offset, length), paths.lake / src.name / f"day={day.isoformat()}" / f"{p.batch_id}.parquet")
        n_landed = sum(length for _, _, length in slices.get(i, []))

        # Quarantine: rows the contract rejected and records that could not be read at all.
        bad = rejected_by_file.get(i)
        q_rows = ([] if bad is None else
                  [{"_row_number": int(n), "reason": why, "record": rec}
                   for n, why, rec in zip(bad["_row_number"], bad["reason"], record_json(bad, field_names))])
        q_rows += [{"_row_number": u.row_number, "reason": u.reason, "record": u.record} for u in r.unreadable]
        if q_rows:
            q = pd.DataFrame(q_rows)
            q.insert(0, "source", src.name)
            q.insert(1, "_batch_id", p.batch_id)
            q.insert(2, "_source_file", p.file.name)
            q["_quarantined_at"] = pd.Timestamp(now)
            write_parquet(to_table(q, QUARANTINE_COLUMNS), paths.quarantine / src.name / f"{p.batch_id}.parquet")

        batch = BatchResult(p.batch_id, src.name, p.file.name, p.delivered_on, r.rows_in, n_landed, len(q_rows),
                            reasons=_reason_counts(row["reason"] for row in q_rows))
        if batch.rows_in != batch.landed + batch.quarantined:  # a bug in this module, never in the data
            raise AssertionError(f"{p.file}: rows_in {batch.rows_in} != landed {batch.landed} + quarantined {batch.quarantined}")
        rec = {**asdict(batch), "sha256": p.sha, "ingested_at": now}
        # The batch record goes last: it is what marks the file as ingested.
        write_parquet(pa.Table.from_pylist([{c: rec[c] for c, _ in BATCH_COLUMNS}], schema=arrow_schema(BATCH_COLUMNS)),
                      _batch_path(paths, src.name, p.batch_id))
        results.append(batch)
    # After the records: a file the index knows is a file landed (a crash before this line
    # only costs hashing these files again next time).
    index.add_many(src.name, [(p.file, p.batch_id) for p in group])
    return results


def _reason_counts(reasons) -> dict[str, int]:
    """Count each reason by its kind (field and rule, without the offending value)."""
    counts: dict[str, int] = {}
    for text in reasons:
        for part in str(text).split("; "):
            kind = part.split(" (")[0]
            counts[kind] = counts.get(kind, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


# Delivered bytes validated together in one suite run (bounds memory per worker).
GROUP_BYTES = int(os.environ.get("CIVIC_INGEST_GROUP_MB", "64")) << 20
# Processes landing groups of one source at once: reading and validating is Python-bound,
# so a big source (a year of plate reads) uses every core.
WORKERS = int(os.environ.get("CIVIC_INGEST_WORKERS") or min(2, os.cpu_count() or 1))


# Landing workers forked once for the whole process (start_landing_workers), or None.
_workers: ProcessPoolExecutor | None = None


def _import_contracts(turn=None) -> None:
    with turn or contextlib.nullcontext():
        import data_contracts.validate  # noqa: F401  (Great Expectations and its suites' dependencies)


def start_landing_workers() -> None:
    """Fork the landing workers now, each importing the contract checks (Great Expectations:
    ~3.5 s) as it starts, one after the other: one worker and this process, going on with its
    own imports and start, share the two cores. Every later ingest call in this process lands
    its files in them; this process never imports Great Expectations. For short-lived
    processes (the pipeline CLI), called before any thread starts."""
    global _workers
    if _workers is None:
        ctx = multiprocessing.get_context("fork")
        _workers = ProcessPoolExecutor(max_workers=max(WORKERS, 1), mp_context=ctx,
                                       initializer=_import_contracts, initargs=(ctx.Lock(),))
        _workers.submit(int)  # forks them now, before this process starts threads


def stop_landing_workers() -> None:
    global _workers
    if _workers is not None:
        _workers.shutdown()
        _workers = None


def _land_group_in_worker(paths: Paths, source_name: str, group: list[_Pending]) -> list[BatchResult]:
    # A forked worker opens its own landing-index connection (SQLite connections must not
    # cross a fork); SQLite serialises the two workers' writes.
    index = LandingIndex(paths)
    try:
        return _land_group(paths, source(source_name), group, index)
    finally:
        index.close()


def ingest_files(paths: Paths, source_name: str, files: list[Path], progress=None) -> list[BatchResult]:
    """Ingest delivered files of one source; re-delivered files are recognised and skipped.
    Results come in the order of ``files``."""
    result = ingest_sources(paths, {source_name: files}, progress)[source_name]
    if isinstance(result, Exception):
        raise result
    return result


@dataclass
class _SourcePlan:
    """One source's files in an ingest_sources call, before and while they land."""
    name: str
    files: list[Path]
    slots: list[BatchResult | None]
    groups: list[list[tuple[int, _Pending]]]
    copies: list[tuple[int, int]]  # (file, the file with the same content that lands it in this call)
    done: int = 0
    error: Exception | None = None


def _plan_source(paths: Paths, name: str, files: list[Path], index: LandingIndex) -> _SourcePlan:
    src = source(name)
    plan = _SourcePlan(name, list(files), [None] * len(files), [[]], [])
    first_of: dict[str, int] = {}  # batch id -> the file that lands it in this call
    compacted = _compacted_records(paths, name)
    size = 0
    for i, f in enumerate(files):
        item = _pending(paths, src, f, index, compacted)
        if isinstance(item, BatchResult):
            plan.slots[i] = item
            continue
        if item.batch_id in first_of:
            plan.copies.append((i, first_of[item.batch_id]))
            continue
        first_of[item.batch_id] = i
        plan.groups[-1].append((i, item))
        size += item.file.stat().st_size
        if size >= GROUP_BYTES:
            plan.groups.append([])
            size = 0
    plan.groups = [g for g in plan.groups if g]
    plan.done = sum(r is not None for r in plan.slots)
    return plan


def ingest_sources(paths: Paths, files_by_source: dict[str, list[Path]],
                   progress=None) -> dict[str, list[BatchResult] | Exception]:
    """ingest_files for several sources at once: their file groups land side by side in the
    landing workers (a day's sixteen deliveries are mostly small, and each pays its contract
    run whatever its size), each source finished as soon as its own groups are in. Per
    source: its results in the order of its files, or the exception that stopped it (the
    other sources land all the same; what it landed before stays landed)."""
    index = LandingIndex(paths)
    failed: dict[str, Exception] = {}
    plans: list[_SourcePlan] = []
    try:
        for name, files in files_by_source.items():
            try:
                plans.append(_plan_source(paths, name, files, index))
            except Exception as exc:  # noqa: BLE001 - reported for this source alone
                failed[name] = exc
        work = [(plan, g) for plan in plans for g in plan.groups]

        def landed(plan: _SourcePlan, group, results) -> None:
            for (i, _), r in zip(group, results):
                plan.slots[i] = r
            plan.done += len(group)
            if progress:
                progress(plan.name, plan.done, len(plan.files))

        def finish(plan: _SourcePlan) -> None:
            for i, first in plan.copies:
                if plan.slots[first] is not None:
                    plan.slots[i] = replace(plan.slots[first], skipped=True)
                    index.add(plan.name, Path(plan.files[i]), plan.slots[first].batch_id)
            if plan.groups:
                compact_batch_records(paths, plan.name)

        if work and (_workers is not None or (len(work) > 1 and WORKERS > 1)):
            pool = _workers or ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("fork"))
            try:
                # the biggest groups first, so that a big source does not start last
                order = sorted(range(len(work)), key=lambda k: -sum(p.file.stat().st_size for _, p in work[k][1]))
                futures = {k: pool.submit(_land_group_in_worker, paths, work[k][0].name, [p for _, p in work[k][1]])
                           for k in order}
                for k, (plan, g) in enumerate(work):  # each source in turn, finished once its groups are in
                    try:
                        landed(plan, g, futures[k].result())
                    except Exception as exc:  # noqa: BLE001 - reported for this source alone
                        plan.error = plan.error or exc
                    if g is plan.groups[-1]:
                        finish(plan)
            finally:
                if pool is not _workers:
                    pool.shutdown()
        else:
            for plan in plans:
                try:
                    for g in plan.groups:
                        landed(plan, g, _land_group(paths, source(plan.name), [p for _, p in g], index))
                except Exception as exc:  # noqa: BLE001 - reported for this source alone
                    plan.error = exc
                finish(plan)
    finally:
        index.close()
    out: dict[str, list[BatchResult] | Exception] = dict(failed)
    for plan in plans:
        out[plan.name] = plan.error or [r for r in plan.slots if r is not None]
    return {name: out[name] for name in files_by_source}


def summarize(results: list[BatchResult]) -> dict:
    new = [r for r in results if not r.skipped]
    reasons: dict[str, int] = {}
    for r in new:
        for k, v in (r.reasons or {}).items():
            reasons[k] = reasons.get(k, 0) + v
    return {
        "files": len(results), "new_batches": len(new), "redelivered": len(results) - len(new),
        "rows_in": sum(r.rows_in for r in new), "landed": sum(r.landed for r in new),
        "quarantined": sum(r.quarantined for r in new), "quarantine_reasons": reasons,
    }
