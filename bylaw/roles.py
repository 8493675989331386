"""Users, sign-in and what each role may see and do.

Passwords: ``hashlib.scrypt`` (n=2**14, r=8, p=1) with a random 16-byte salt per user,
compared in constant time. ``ROLE_CAN`` is the single table of permissions the write
functions check (``require``) and the screens consult (``can``); the complainant's
identity is visible only to the roles with ``complainant.view``: clerks (intake) and
supervisors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from bylaw.audit import audited_insert, audited_update, utc_now
from bylaw.ops_schema import ROLES, users
from warehouse.ops import OpsDB

SCRYPT = dict(n=2**14, r=8, p=1, dklen=64)
MIN_PASSWORD_LENGTH = 8

ROLE_CAN: dict[str, frozenset[str]] = {
    "clerk": frozenset({
        "case.view", "complainant.view", "complaint.create", "case.create", "case.edit", "photo.add",
        "inspection.schedule", "notice.serve", "timeline.view"}),
    "officer": frozenset({
        "case.view", "case.create", "inspection.schedule", "inspection.record", "notice.issue", "notice.serve",
        "photo.add", "status.change", "case.close", "timeline.view"}),
    "supervisor": frozenset({
        "case.view", "complainant.view", "complaint.create", "case.create", "case.edit", "case.assign", "photo.add",
        "inspection.schedule", "inspection.record", "notice.issue", "notice.serve", "status.change", "case.close",
        "remediation.manage", "finance.export", "timeline.view", "monitoring.view", "audit.view", "user.manage",
        "analytics.view"}),
    "analyst": frozenset({"case.view", "timeline.view", "monitoring.view", "analytics.view"}),
    "council_viewer": frozenset({"analytics.view"}),
}
assert set(ROLE_CAN) == set(ROLES)


@dataclass(frozen=True)
class User:
    """A signed-in person (what the screens keep in their session)."""

    user_id: str
    display_name: str
    role: str
    officer_id: str | None = None

    def can(self, action: str) -> bool:
        return can(self.role, action)


# Imports, scheduled jobs and the demo loader act as this user (their audit rows say so).
SYSTEM = User("system", "System (imports and scheduled jobs)", "supervisor")


class NotAllowed(PermissionError):
    def __init__(self, user: User, action: str):
        super().__init__(f"{user.user_id} ({user.role}) may not {action}")
        self.user, self.action = user, action


def can(role: str, action: str) -> bool:
    return action in ROLE_CAN.get(role, frozenset())


def require(user: User, action: str) -> None:
    if not can(user.role, action):
        raise NotAllowed(user, action)


def hash_password(password: str, salt: bytes | None = None) -> tuple[str, str]:
    """(hash hex, salt hex)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT).hex(), salt.hex()


def verify_password(password: str, password_hash: str, password_salt: str) -> bool:
    candidate, _ = hash_password(password, bytes.fromhex(password_salt))
    return hmac.compare_digest(candidate, password_hash)


def create_user(db: OpsDB, user_id: str, display_name: str, role: str, password: str, *,
                officer_id: str | None = None, by: User = SYSTEM, now: dt.datetime | None = None) -> User:
    """A new user (``ValueError`` when the id is taken, the role unknown or the password short)."""
    if by is not SYSTEM:
        require(by, "user.manage")
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    user_id = user_id.strip()
    if not user_id:
        raise ValueError("a user needs an id")
    digest, salt = hash_password(password)
    try:
        with db.engine.begin() as c:
            audited_insert(c, users, dict(user_id=user_id, display_name=display_name.strip() or user_id, role=role,
                                          officer_id=officer_id, password_hash=digest, password_salt=salt,
                                          active=True), by.user_id, utc_now(now))
    except sa.exc.IntegrityError as e:
        raise ValueError(f"user {user_id!r} exists already") from e
    return User(user_id, display_name.strip() or user_id, role, officer_id)


def authenticate(db: OpsDB, user_id: str, password: str) -> User | None:
    """The user, or None for a wrong id or password or an inactive user (no hint which)."""
    with db.engine.connect() as c:
        row = c.execute(sa.select(users).where(users.c.user_id == user_id.strip())).mappings().first()
    if row is None:
        hash_password(password)  # about the same time as a real check: no user enumeration by timing
        return None
    if not verify_password(password, row["password_hash"], row["password_salt"]) or not row["active"]:
        return None
    return User(row["user_id"], row["display_name"], row["role"], row["officer_id"])


def set_active(db: OpsDB, user_id: str, active: bool, by: User, now: dt.datetime | None = None) -> None:
    require(by, "user.manage")
    with db.engine.begin() as c:
        version = c.execute(sa.select(users.c.version).where(users.c.user_id == user_id)).scalar_one()
        audited_update(c, users, user_id, version, {"active": active}, by.user_id, utc_now(now))


def list_users(db: OpsDB) -> list[User]:
    with db.engine.connect() as c:
        return [User(r.user_id, r.display_name, r.role, r.officer_id)
                for r in c.execute(sa.select(users).where(users.c.active).order_by(users.c.user_id))]
