"""Where a simulated day goes: formatted files, ground-truth Parquet, running totals.

Each finished day is handed over once (its due records and its ground-truth rows); nothing
of a past day is kept. (Delivering from a second process was tried: pickling the day's
records cost as much as formatting them, so it ran slower on the 2-core reference machine.)
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .delivery import Delivery
from .timeutil import NULL_TS, Clock

TS = pa.timestamp("s", tz="UTC")
EPISODE_SCHEMA = pa.schema([
    ("episode_id", pa.int64()), ("plate", pa.string()), ("province", pa.string()), ("blockface_id", pa.string()),
    ("arrived_at", TS), ("departed_at", TS), ("paid_until", TS), ("has_permit", pa.bool_()), ("exempt", pa.bool_()),
    ("in_violation", pa.bool_()), ("violation_type", pa.string()), ("violation_start", TS), ("violation_end", TS),
    ("payment_method", pa.string()), ("payment_plate_typo", pa.bool_()),
])
READS_SCHEMA = pa.schema([("read_id", pa.string()), ("true_plate", pa.string()), ("read_plate", pa.string()),
                          ("is_misread", pa.bool_()), ("episode_id", pa.int64()),
                          # what the read can establish at its instant (simulator/alpr_truth.py)
                          ("in_violation", pa.bool_()), ("violation_type", pa.string()), ("violation_types", pa.string())])
TICKETS_SCHEMA = pa.schema([("ticket_number", pa.string()), ("episode_id", pa.int64()), ("read_id", pa.string()),
                            ("violation_type", pa.string()), ("issued_at", TS)])
TRUTH = {
    "episodes": ("parking_episodes.parquet", EPISODE_SCHEMA, 1_000_000,
                 ("plate", "province", "blockface_id", "violation_type", "payment_method")),
    "reads": ("reads_truth.parquet", READS_SCHEMA, 2_000_000, ("true_plate", "read_plate", "violation_type", "violation_types")),
    "tickets": ("tickets_truth.parquet", TICKETS_SCHEMA, 1_000_000, ("violation_type",)),
}


def ts_array(x) -> pa.Array:
    x = np.asarray(x, dtype=np.int64)
    return pa.array(x, type=pa.int64(), mask=(x == NULL_TS)).cast(TS)


def _cents(x) -> int:
    x = np.asarray(x, dtype=np.float64)
    x = x[~np.isnan(x)]
    return int(np.rint(x * 100).sum())


class TruthWriter:
    """Streams a ground-truth table to Parquet in large row groups."""

    def __init__(self, path: Path, schema: pa.Schema, flush_rows: int, dictionary=()):
        self.path = path
        self.schema = schema
        self.flush_rows = flush_rows
        self.dictionary = list(dictionary)
        self.buf: list[pa.Table] = []
        self.n = 0
        self.writer = None

    def add(self, cols: dict) -> None:
        t = pa.table(cols, schema=self.schema)
        if t.num_rows == 0:
            return
        self.buf.append(t)
        self.n += t.num_rows
        if self.n >= self.flush_rows:
            self._flush()

    def _flush(self) -> None:
        if not self.buf:
            return
        t = pa.concat_tables(self.buf)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd", use_dictionary=self.dictionary)
        self.writer.write_table(t, row_group_size=len(t))
        self.buf, self.n = [], 0

    def close(self) -> None:
        self._flush()
        if self.writer is None:
            pq.write_table(pa.table({f.name: pa.array([], f.type) for f in self.schema}, schema=self.schema), self.path)
        else:
            self.writer.close()


class Totals:
    """Business totals over valid, first-delivered records (what expected_counts.json reports)."""

    def __init__(self, clock: Clock):
        self.t = defaultdict(int)
        self.dates = clock.dates
        self.by_day = {d.isoformat(): {"tickets_issued": 0, "ticket_payments_total": 0, "alpr_reads": 0, "complaints": 0}
                       for d in clock.dates}

    def __call__(self, name: str, k: int, b: dict) -> None:
        t = self.t
        day = self.by_day[self.dates[k].isoformat()]
        n = len(b["_t"])
        if name == "handheld_tickets":
            t["tickets_issued"] += n
            t["ticket_fines_cents"] += _cents(b["fine_amount"])
            day["tickets_issued"] += n
        elif name == "ticket_payments":
            t["ticket_payments"] += n
            c = _cents(b["amount"])
            t["ticket_payments_cents"] += c
            day["ticket_payments_total"] += c
        elif name in ("open311_requests", "calls_311"):
            t["complaints"] += n
            day["complaints"] += n
        elif name == "alpr_reads":
            t["alpr_reads"] += n
            day["alpr_reads"] += n
        elif name in ("pbp_vendor_a_sessions", "pbp_vendor_b_sessions"):
            t["sessions"] += n
        elif name == "meter_events":
            pay = np.isin(b["event_type"], ["payment_coin", "payment_card"])
            t["meter_payments_cents"] += _cents(b["amount"][pay])
        elif name == "inspections":
            t["inspections"] += n
        elif name == "notices":
            t["notices"] += n
        elif name == "remediation_works":
            first = ~b["_update"]
            t["remediation_works"] += int(np.count_nonzero(first))
            t["remediation_cost_cents"] += _cents(b["cost"][first])
            # a work's recovery only ever appears in its last delivery
            t["remediation_recovered_cents"] += _cents(b["recovered_amount"])
        elif name == "bylaw_fine_payments":
            t["fine_payments"] += n
            t["fine_payments_cents"] += _cents(b["amount"])
        elif name == "bylaw_cases":
            t["cases_opened"] += int(np.count_nonzero(~b["_update"]))
            t["cases_closed"] += int(np.count_nonzero(b["status"] == "closed"))

    def result(self) -> tuple[dict, dict]:
        t = self.t
        tot = {
            "tickets_issued": t["tickets_issued"],
            "ticket_fines_total": round(t["ticket_fines_cents"] / 100, 2),
            "ticket_payments": t["ticket_payments"],
            "ticket_payments_total": round(t["ticket_payments_cents"] / 100, 2),
            "complaints": t["complaints"],
            "alpr_reads": t["alpr_reads"],
            "sessions": t["sessions"],
            "meter_payments_total": round(t["meter_payments_cents"] / 100, 2),
            "inspections": t["inspections"],
            "notices": t["notices"],
            "cases_opened": t["cases_opened"],
            "cases_closed": t["cases_closed"],
            "remediation_works": t["remediation_works"],
            "remediation_cost_total": round(t["remediation_cost_cents"] / 100, 2),
            "remediation_recovered_total": round(t["remediation_recovered_cents"] / 100, 2),
            "fine_payments": t["fine_payments"],
            "fine_payments_total": round(t["fine_payments_cents"] / 100, 2),
        }
        by_day = {d: dict(v, ticket_payments_total=round(v["ticket_payments_total"] / 100, 2)) for d, v in self.by_day.items()}
        return tot, by_day


class Sink:
    """Delivers days in-process."""

    def __init__(self, out: str, start: dt.date, end: dt.date, seed: int, defects_per_source, defect_rate: float, dup_rate: float):
        self.clock = Clock(start, end)
        self.dl = Delivery(Path(out), self.clock, seed, defects_per_source, defect_rate, dup_rate)
        self.totals = Totals(self.clock)
        self.dl.on_valid = self.totals
        gt = Path(out) / "ground_truth"
        self.truth = {k: TruthWriter(gt / f, schema, flush, d) for k, (f, schema, flush, d) in TRUTH.items()}

    def day(self, k: int, batches: dict, truth: dict) -> None:
        for name, cols in truth.items():
            w = self.truth[name]
            cols = {f.name: ts_array(cols[f.name]) if f.type == TS and isinstance(cols[f.name], np.ndarray) else cols[f.name]
                    for f in w.schema}
            w.add(cols)
        self.dl.deliver_day(k, batches)

    def finish(self) -> dict:
        for w in self.truth.values():
            w.close()
        tot, by_day = self.totals.result()
        return {"stats": self.dl.stats, "defect_log": self.dl.defect_log, "dup_log": self.dl.dup_log,
                "totals": tot, "by_day": by_day}

