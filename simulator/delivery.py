"""Delivery of source extracts: formatting per data_contracts.sources, defects, duplicates, files.

Event records are buffered per source and delivery day (``emit``). When a day is
closed (``deliver_day``) its records are sorted, formatted exactly as the registry in
``data_contracts/sources.py`` describes, extra defect rows and re-delivered duplicates are
inserted, the file is written and the ground-truth ledgers are updated.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from data_contracts.sources import SOURCES, Source

from .timeutil import NULL_TS, Clock, fmt_bool, fmt_date, fmt_fixed, fmt_int

EXT = {"csv": "csv", "jsonl": "jsonl", "json": "json", "open311": "json", "geojson": "geojson"}
TS_STYLE = {"pbp_vendor_a_sessions": "z", "calls_311": "naive"}
DECIMALS = {"lat": 6, "lon": 6, "long": 6, "confidence": 3}
DUP_SOURCES = ("alpr_reads", "pbp_vendor_a_sessions", "pbp_vendor_b_sessions", "meter_events", "ticket_payments")
SIMULATED_EVENT_SOURCES = (
    "alpr_reads", "pbp_vendor_a_sessions", "pbp_vendor_b_sessions", "meter_events", "permits",
    "handheld_tickets", "ticket_payments", "ticket_disputes", "dispute_decisions", "open311_requests",
    "calls_311", "bylaw_cases", "inspections", "notices", "shifts",
    # appended last: the defect plan and each day's random stream reach the sources in this
    # order, so the sources before them stay byte-identical
    "remediation_works", "bylaw_fine_payments",
)
BAD_TIMESTAMP = "2026-13-45T99:00"


def _ext(src: Source) -> str:
    return EXT[src.format]


def file_name(source: str, day) -> str:
    return f"{source}_{day.isoformat()}.{_ext(SOURCES[source])}"


# ---------------------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------------------
def format_columns(src: Source, batch: dict, clock: Clock) -> dict[str, np.ndarray]:
    """Each field as text, except floats without nulls: those stay float64 arrays and are
    rendered with their fixed precision by the row templates (``cell`` gives one as text)."""
    out = {}
    style = TS_STYLE.get(src.name, "offset")
    for f in src.fields:
        v = batch[f.name]
        if f.type == "timestamp":
            s = clock.fmt(v, style)
        elif f.type == "date":
            s = fmt_date(v)
        elif f.type == "float":
            v = np.asarray(v, dtype=np.float64)
            s = v + 0.0 if not np.isnan(v).any() else fmt_fixed(v, DECIMALS.get(f.name, 2))
        elif f.type == "int":
            s = fmt_int(v)
        elif f.type == "bool":
            s = fmt_bool(v)
        else:
            s = np.asarray(v, dtype=object)
        out[f.name] = s
    return out


def _is_number(f) -> bool:
    return f.type in ("int", "float", "bool")


def _spec(f, col: np.ndarray) -> str:
    return f"%.{DECIMALS.get(f.name, 2)}f" if col.dtype.kind == "f" else "%s"


def cell(f, col: np.ndarray, i: int) -> str:
    """One formatted value of a column from ``format_columns``."""
    return _spec(f, col) % col[i] if col.dtype.kind == "f" else str(col[i])


def json_record(src: Source, rec: dict[str, str]) -> str:
    """One JSON object with the registry's field order; numbers and booleans unquoted."""
    parts = []
    for f in src.fields:
        v = rec[f.name]
        if _is_number(f) and v != "" and _looks_numeric(v):
            parts.append(f"{json.dumps(f.name)}: {v}")
        else:
            parts.append(f"{json.dumps(f.name)}: {json.dumps(v)}")
    return "{" + ", ".join(parts) + "}"


def _looks_numeric(v: str) -> bool:
    if v in ("true", "false"):
        return True
    try:
        float(v)
        return True
    except ValueError:
        return False


def json_lines_bulk(src: Source, cols: dict[str, np.ndarray]) -> list[str]:
    """JSON-lines rendering of formatted columns (values must not need JSON escaping)."""
    n = len(next(iter(cols.values()))) if cols else 0
    if n == 0:
        return []
    parts = []
    for f in src.fields:
        if _is_number(f):
            parts.append(json.dumps(f.name) + ": " + _spec(f, cols[f.name]))
        else:
            parts.append(json.dumps(f.name) + ': "%s"')
    tmpl = "{" + ", ".join(parts) + "}"
    return [tmpl % row for row in zip(*[cols[f.name].tolist() for f in src.fields])]


def _needs_quoting(v: str) -> bool:
    return '"' in v or "," in v or "\n" in v or "\r" in v


def _csv_cell(v: str) -> str:
    if '"' in v or "," in v or "\n" in v or "\r" in v:
        return '"' + v.replace('"', '""') + '"'
    return v


def csv_lines_bulk(src: Source, cols: dict[str, np.ndarray]) -> list[str]:
    """CSV data lines (RFC 4180 minimal quoting), rendered column-wise."""
    lists = []
    for f in src.fields:
        vals = cols[f.name].tolist()
        if f.type == "string" and _needs_quoting("\x00".join(vals)):
            vals = [_csv_cell(v) for v in vals]
        lists.append(vals)
    if not lists or not lists[0]:
        return []
    tmpl = ",".join(_spec(f, cols[f.name]) for f in src.fields)
    return [tmpl % row for row in zip(*lists)]


def csv_record(src: Source, rec: dict[str, str]) -> str:
    return ",".join(_csv_cell(str(rec[f.name])) for f in src.fields)


# ---------------------------------------------------------------------------------------
# defects
# ---------------------------------------------------------------------------------------
def defect_kinds(src: Source) -> list[str]:
    kinds = []
    key = set(src.key)
    json_fmt = src.format in ("jsonl", "open311", "json")
    if any(f.required and f.name not in key and f.type != "geometry" and (not json_fmt or f.type in ("string", "timestamp"))
           for f in src.fields):
        kinds.append("required_empty")
    if any(f.type == "timestamp" and f.required for f in src.fields):
        kinds.append("bad_timestamp")
    if any(f.allowed for f in src.fields):
        kinds.append("not_allowed")
    if any(f.type in ("int", "float") and (f.min is not None or f.max is not None) for f in src.fields):
        kinds.append("out_of_range")
    if any(f.regex for f in src.fields):
        kinds.append("bad_regex")
    if src.format == "jsonl":
        kinds.append("malformed_json")
    return kinds


def corrupt(src: Source, rec: dict[str, str], kind: str, rng: np.random.Generator) -> tuple[dict[str, str], str]:
    """Return a corrupted copy of a formatted record and the field touched."""
    rec = dict(rec)
    key = set(src.key)
    json_fmt = src.format in ("jsonl", "open311", "json")

    def pick(cands):
        return cands[int(rng.integers(0, len(cands)))]

    if kind == "required_empty":
        f = pick([f for f in src.fields if f.required and f.name not in key and f.type != "geometry"
                  and (not json_fmt or f.type in ("string", "timestamp"))])
        rec[f.name] = ""
    elif kind == "bad_timestamp":
        f = pick([f for f in src.fields if f.type == "timestamp" and f.required])
        rec[f.name] = BAD_TIMESTAMP
    elif kind == "not_allowed":
        f = pick([f for f in src.fields if f.allowed])
        rec[f.name] = "ZZ" if "ON" in f.allowed else "INVALID_VALUE"
    elif kind == "out_of_range":
        f = pick([f for f in src.fields if f.type in ("int", "float") and (f.min is not None or f.max is not None)])
        if f.max is not None:
            v = f.max + 33.4
        else:
            v = f.min - 5.0
        rec[f.name] = str(int(round(v))) if f.type == "int" else f"{v:.1f}"
    elif kind == "bad_regex":
        f = pick([f for f in src.fields if f.regex])
        rec[f.name] = "??"
    elif kind == "malformed_json":
        f = None
    else:  # pragma: no cover
        raise ValueError(kind)
    return rec, (f.name if f else "")


# ---------------------------------------------------------------------------------------
# the delivery ledger
# ---------------------------------------------------------------------------------------
class Delivery:
    def __init__(self, out: Path, clock: Clock, seed: int, defects_per_source=None, defect_rate: float = 0.0,
                 dup_rate: float = 0.0):
        self.out = Path(out)
        self.clock = clock
        self.seed = seed
        self.defects_per_source = defects_per_source
        self.defect_rate = defect_rate
        self.dup_rate = dup_rate
        self.pending: dict[str, dict[int, list[dict]]] = {s: defaultdict(list) for s in SIMULATED_EVENT_SOURCES}
        self.carry_dups: dict[str, list] = defaultdict(list)  # (rendered row, key) for the next day's file
        self.defect_log: list[tuple] = []
        self.dup_log: list[tuple] = []
        self.stats = {s: {"rows_written": 0, "defect_rows": 0, "duplicate_rows": 0, "unique_records": 0}
                      for s in SIMULATED_EVENT_SOURCES}
        self.defect_counter: dict[str, int] = defaultdict(int)
        self.kind_cycle: dict[str, list[str]] = {}
        # fixed defect plan (ci): per source, the days that get one defect each
        self.defect_debt: dict[str, int] = defaultdict(int)
        self.defect_plan: dict[str, dict[int, int]] = {}
        if defects_per_source:
            rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 90])))
            lo, hi = defects_per_source
            for s in SIMULATED_EVENT_SOURCES:
                k = int(rng.integers(lo, hi + 1))
                days = rng.integers(0, clock.n_days, k)
                plan: dict[int, int] = defaultdict(int)
                for d in days.tolist():
                    plan[d] += 1
                self.defect_plan[s] = plan
        self.on_valid = None  # callback(source, day_idx, batch) for business totals
        for s in SIMULATED_EVENT_SOURCES:
            (self.out / "landing" / s).mkdir(parents=True, exist_ok=True)

    # -- buffering ----------------------------------------------------------------------
    def emit(self, source: str, batch: dict, day: np.ndarray | None = None) -> None:
        """Buffer records; each is delivered on its local event day unless ``day`` says otherwise."""
        n = len(batch["_t"])
        if n == 0:
            return
        if day is None:
            day = self.clock.local_day_index(batch["_t"])
        day = np.asarray(day, dtype=np.int64)
        keep = (day >= 0) & (day < self.clock.n_days)
        if not keep.all():
            idx = np.flatnonzero(keep)
            batch = {k: v[idx] for k, v in batch.items()}
            day = day[idx]
        if len(day) == 0:
            return
        uniq = np.unique(day)
        if len(uniq) == 1:
            self.pending[source][int(uniq[0])].append(batch)
            return
        order = np.argsort(day, kind="stable")
        ds = day[order]
        bounds = np.searchsorted(ds, uniq)
        bounds = np.append(bounds, len(ds))
        for i, d in enumerate(uniq.tolist()):
            idx = order[bounds[i]:bounds[i + 1]]
            self.pending[source][d].append({k: v[idx] for k, v in batch.items()})

    # -- a day's files ----------------------------------------------------------------------
    def take_day(self, k: int) -> dict[str, list[dict]]:
        """Remove and return the buffered records due on day k (per source)."""
        return {s: self.pending[s].pop(k, []) for s in SIMULATED_EVENT_SOURCES}

    def deliver_day(self, k: int, batches: dict[str, list[dict]] | None = None) -> None:
        """Write day k's files (from ``batches``, or from this object's own buffer)."""
        if batches is not None:
            for s, b in batches.items():
                if b:
                    self.pending[s][k] = b
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, 91, k])))
        for s in SIMULATED_EVENT_SOURCES:
            self._deliver(s, k, rng)

    def _deliver(self, name: str, k: int, rng: np.random.Generator) -> None:
        src = SOURCES[name]
        batches = self.pending[name].pop(k, [])
        if batches:
            batch = {key: np.concatenate([b[key] for b in batches]) for key in batches[0]}
        else:
            batch = None
        n = 0 if batch is None else len(batch["_t"])
        if n:
            keycols = [np.asarray(batch[c]).astype(str) for c in reversed(src.key)]
            order = np.lexsort(tuple(keycols) + (batch["_t"],))
            batch = {key: v[order] for key, v in batch.items()}
            cols = format_columns(src, batch, self.clock)
            if self.on_valid:
                self.on_valid(name, k, batch)
        else:
            cols = {f.name: np.array([], dtype=object) for f in src.fields}
        keys = cols[src.key[0]] if n else np.array([], dtype=object)

        # rendered valid rows
        is_json = src.format in ("jsonl", "open311", "json")
        if src.format == "jsonl":
            rendered = json_lines_bulk(src, cols)
        elif is_json:
            rendered = [json_record(src, {f.name: cell(f, cols[f.name], i) for f in src.fields}) for i in range(n)]
        else:
            rendered = csv_lines_bulk(src, cols) if n else []

        extras = []  # (rendered, kind, key, is_defect)
        # duplicates carried from yesterday (verbatim)
        for row, key in self.carry_dups.pop(name, []):
            extras.append((row, "duplicate", key))
        # defects
        n_def = self._n_defects(name, k, n, rng)
        if n_def and n:
            kinds = self.kind_cycle.setdefault(name, [])
            for _ in range(n_def):
                if not kinds:
                    base = defect_kinds(src)
                    kinds.extend([base[i] for i in rng.permutation(len(base))])
                kind = kinds.pop(0)
                i = int(rng.integers(0, n))
                rec = {f.name: cell(f, cols[f.name], i) for f in src.fields}
                self.defect_counter[name] += 1
                keyf = src.key[0]
                rec[keyf] = f"{rec[keyf]}-X{self.defect_counter[name]}"
                bad, _field = corrupt(src, rec, kind, rng)
                if src.format == "jsonl":
                    line = json_record(src, bad)
                    if kind == "malformed_json":
                        line = line[: max(10, len(line) // 2)]
                    row = line
                elif is_json:
                    row = json_record(src, bad)
                else:
                    row = csv_record(src, bad)
                extras.append((row, kind, None))
        # choose duplicates for tomorrow
        if name in DUP_SOURCES and n and k + 1 < self.clock.n_days:
            m = int(rng.binomial(n, self.dup_rate))
            if m:
                idx = np.sort(rng.choice(n, size=min(m, n), replace=False))
                self.carry_dups[name] = [(rendered[i], keys[i]) for i in idx.tolist()]

        # merge extras at random positions
        final = rendered
        positions = []
        if extras:
            total = len(rendered) + len(extras)
            pos = np.sort(rng.choice(total, size=len(extras), replace=False))
            final = []
            src_i = 0
            for p_i, (p, ex) in enumerate(zip(pos.tolist(), extras)):
                take = p - len(final)
                final.extend(rendered[src_i:src_i + take])
                src_i += take
                final.append(ex[0])
                positions.append((p + 1, ex))
            final.extend(rendered[src_i:])
        fname = file_name(name, self.clock.dates[k])
        for row_no, (row, kind, key) in positions:
            if kind == "duplicate":
                self.dup_log.append((name, fname, row_no, key))
            else:
                self.defect_log.append((name, fname, row_no, kind))
        st = self.stats[name]
        st["rows_written"] += len(final)
        st["defect_rows"] += sum(1 for _, (_, kd, _) in positions if kd != "duplicate")
        st["duplicate_rows"] += sum(1 for _, (_, kd, _) in positions if kd == "duplicate")
        st["unique_records"] += n - (int(np.count_nonzero(batch["_update"])) if n and "_update" in batch else 0)
        self._write(src, self.out / "landing" / name / fname, final)

    def _n_defects(self, name: str, k: int, n: int, rng) -> int:
        if self.defects_per_source:
            self.defect_debt[name] += self.defect_plan[name].get(k, 0)
            if n and self.defect_debt[name]:
                m = min(self.defect_debt[name], n)
                self.defect_debt[name] -= m
                return m
            return 0
        if not n or not self.defect_rate:
            return 0
        return int(rng.binomial(n, self.defect_rate))

    def _write(self, src: Source, path: Path, rows: list) -> None:
        if src.format == "csv":
            data = ",".join(src.field_names) + "\n" + "".join(r + "\n" for r in rows)
        elif src.format == "jsonl":
            data = "\n".join(rows) + ("\n" if rows else "")
        else:  # JSON array
            data = "[\n" + ",\n".join(rows) + ("\n" if rows else "") + "]\n"
        path.write_text(data, encoding="utf-8", newline="")

    # -- reference sources -------------------------------------------------------------------
    def write_reference_csv(self, name: str, batch: dict, day_idx: int = 0) -> int:
        src = SOURCES[name]
        (self.out / "landing" / name).mkdir(parents=True, exist_ok=True)
        cols = format_columns(src, batch, self.clock)
        rows = csv_lines_bulk(src, cols)
        self._write(src, self.out / "landing" / name / file_name(name, self.clock.dates[day_idx]), rows)
        return len(rows)

    def write_geojson(self, name: str, props: dict, geoms: list[dict], day_idx: int = 0) -> int:
        src = SOURCES[name]
        (self.out / "landing" / name).mkdir(parents=True, exist_ok=True)
        feats = []
        fields = [f for f in src.fields if f.type != "geometry"]
        n = len(geoms)
        for i in range(n):
            p = {}
            for f in fields:
                v = props[f.name][i]
                if f.type == "int":
                    v = "" if v is None or (isinstance(v, float) and np.isnan(v)) else int(v)
                elif f.type == "bool":
                    v = bool(v)
                elif f.type == "float":
                    v = "" if v is None or np.isnan(v) else round(float(v), 2)
                else:
                    v = "" if v is None else str(v)
                p[f.name] = v
            feats.append({"type": "Feature", "properties": p, "geometry": geoms[i]})
        lines = ",\n".join(json.dumps(f) for f in feats)
        data = '{"type": "FeatureCollection", "features": [\n' + lines + ("\n" if feats else "") + "]}\n"
        (self.out / "landing" / name / file_name(name, self.clock.dates[day_idx])).write_text(data, encoding="utf-8", newline="")
        return n


def empty_batch(src_name: str) -> dict:
    src = SOURCES[src_name]
    b = {f.name: np.array([], dtype=object) for f in src.fields}
    b["_t"] = np.array([], dtype=np.int64)
    return b


__all__ = ["Delivery", "SIMULATED_EVENT_SOURCES", "DUP_SOURCES", "NULL_TS", "file_name", "defect_kinds"]
