"""Writes with an audit trail and optimistic locking: the only way bylaw rows change.

Every insert and update writes an ``audit_log`` row ({field: [old, new]}) on the same
connection, inside the caller's transaction, so a change and its audit stand or fall
together. An update names the ``version`` the user saw: ``WHERE <key> = ? AND version = ?``;
when another user changed the row first, nothing is written and ``StaleRecord`` says who
and when, so nobody silently overwrites anybody.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any, Mapping

import sqlalchemy as sa

from bylaw.ops_schema import audit_log, id_sequences


class StaleRecord(Exception):
    """The row changed since the user read it (another user saved first)."""

    def __init__(self, table: str, key: str, expected_version: int, current: Mapping[str, Any] | None):
        if current is None:
            msg = f"{table} {key} does not exist"
        else:
            msg = (f"{table} {key} was changed by {current.get('updated_by') or current.get('created_by')} "
                   f"at {current.get('updated_at') or current.get('created_at')} (now version {current['version']}, "
                   f"you edited version {expected_version}): reload it and make your change again")
        super().__init__(msg)
        self.table, self.key, self.expected_version = table, key, expected_version
        self.current_version = None if current is None else current["version"]


# A case row is the usual stale record; the screens catch this name.
StaleCase = StaleRecord


def utc_now(now: dt.datetime | None = None) -> dt.datetime:
    t = now or dt.datetime.now(dt.timezone.utc)
    if t.tzinfo is None:
        raise ValueError("times must be timezone-aware")
    return t.astimezone(dt.timezone.utc)


def as_utc(v: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes: they were written in UTC."""
    if v is None:
        return None
    return v.replace(tzinfo=dt.timezone.utc) if v.tzinfo is None else v.astimezone(dt.timezone.utc)


def _jsonable(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return as_utc(v).isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return float(v)
    return v


def _same(a: Any, b: Any) -> bool:
    return _jsonable(a) == _jsonable(b)


# Kept out of the audit trail: that a password changed is recorded, not its hash.
SECRET_FIELDS = frozenset({"password_hash", "password_salt"})


def write_audit(c: sa.Connection, table: str, key: str, action: str, user_id: str, at: dt.datetime,
                changes: Mapping[str, tuple[Any, Any]]) -> None:
    c.execute(audit_log.insert().values(
        table_name=table, row_key=str(key), action=action, user_id=user_id, at=at,
        changes={k: (["[secret]", "[secret]"] if k in SECRET_FIELDS else [_jsonable(o), _jsonable(n)])
                 for k, (o, n) in changes.items()}))


def audited_insert(c: sa.Connection, table: sa.Table, values: Mapping[str, Any], user_id: str,
                   at: dt.datetime) -> Any:
    """Insert a row (version 1) and its audit row; returns the row's key."""
    row = dict(values)
    if "version" in table.c:
        row.update(version=1, created_at=at, created_by=user_id)
    result = c.execute(table.insert().values(**row))
    key_col = next(iter(table.primary_key.columns))
    key = row.get(key_col.name, result.inserted_primary_key[0] if result.inserted_primary_key else None)
    write_audit(c, table.name, key, "insert", user_id, at,
                {k: (None, v) for k, v in row.items() if v is not None and k not in ("created_at", "created_by")})
    return key


def audited_update(c: sa.Connection, table: sa.Table, key: Any, expected_version: int,
                   changes: Mapping[str, Any], user_id: str, at: dt.datetime) -> dict:
    """Update the row ``key`` if it is still at ``expected_version``; returns the new row.

    Fields whose value does not change are left out of the audit; the version moves on
    (and ``export_id`` is cleared: the row must be exported again) whenever anything does.
    """
    key_col = next(iter(table.primary_key.columns))
    before = c.execute(sa.select(table).where(key_col == key)).mappings().first()
    if before is None or before["version"] != expected_version:
        raise StaleRecord(table.name, str(key), expected_version, before)
    diff = {k: (before[k], v) for k, v in changes.items() if not _same(before[k], v)}
    if not diff:
        return dict(before)
    values = {k: n for k, (_, n) in diff.items()}
    values.update(version=expected_version + 1, updated_at=at, updated_by=user_id)
    if "export_id" in table.c:
        values["export_id"] = None
    done = c.execute(table.update().where(key_col == key, table.c.version == expected_version).values(**values))
    if done.rowcount != 1:  # changed between our read and our write
        raise StaleRecord(table.name, str(key), expected_version,
                          c.execute(sa.select(table).where(key_col == key)).mappings().first())
    write_audit(c, table.name, key, "update", user_id, at, diff)
    return dict(c.execute(sa.select(table).where(key_col == key)).mappings().one())


def next_number(c: sa.Connection, name: str) -> int:
    """The next value of the named counter, taken inside the caller's transaction (the row
    lock, or SQLite's write lock, keeps two transactions from taking the same value).

    PostgreSQL: one ``INSERT .. ON CONFLICT DO UPDATE .. RETURNING``, so two transactions
    that both find no row yet (the first number of a year) do not both insert one; the
    second waits for the first and counts on from its value."""
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        ins = insert(id_sequences).values(name=name, last_value=1)
        return c.execute(ins.on_conflict_do_update(
            index_elements=[id_sequences.c.name], set_={"last_value": id_sequences.c.last_value + 1})
            .returning(id_sequences.c.last_value)).scalar_one()
    done = c.execute(id_sequences.update().where(id_sequences.c.name == name)
                     .values(last_value=id_sequences.c.last_value + 1))
    if done.rowcount == 0:
        c.execute(id_sequences.insert().values(name=name, last_value=1))
        return 1
    return c.execute(sa.select(id_sequences.c.last_value).where(id_sequences.c.name == name)).scalar_one()
