"""Sign-in for the bylaw screens, against the ops database's users (``bylaw.roles``).

The signed-in ``bylaw.roles.User`` lives in ``st.session_state[USER_KEY]`` (its role also in
``st.session_state[ROLE_KEY]``), shared by every page of the session. Each bylaw page calls
``require(action, ...)`` first: it shows the sign-in form (and stops) when nobody is signed in,
and stops with a message when the user's role may not do ``action`` (``bylaw.roles.ROLE_CAN``
is the one table of permissions; pages never list roles themselves).

Also here: the cached ops database and reference data (assessment roll, zones, officers) the
bylaw pages share, and their header ("where the data comes from and as of when"): the bylaw
pages read the ops database live, not the serving snapshot, so they do not use
``ui.page_header`` (which stops when no snapshot is published).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import sqlalchemy as sa
import streamlit as st

from apps import ui
from bylaw import roles
from bylaw.properties import Reference, load_reference
from warehouse import ops
from warehouse.config import paths

USER_KEY = "bylaw_user"
ROLE_KEY = "bylaw_role"
REFERENCE_TTL_S = 600  # the roll and roster change rarely: reload them every 10 minutes

ROLE_LABELS = {"clerk": "Clerk (intake)", "officer": "Bylaw officer", "supervisor": "Supervisor",
               "analyst": "Analyst", "council_viewer": "Council viewer"}


@st.cache_resource(show_spinner=False)
def ops_db(url: str) -> ops.OpsDB:
    return ops.OpsDB(url)


def current_db() -> ops.OpsDB:
    return ops_db(ops.ops_db_url())


@st.cache_resource(show_spinner=False, ttl=REFERENCE_TTL_S)
def _reference(data_dir: str, _token: int) -> tuple[Reference, float]:
    return load_reference(data_dir), time.time()


def reference() -> tuple[Reference, dt.datetime]:
    """The assessment roll, zones and bylaw officers of the data directory, and when loaded."""
    ref, loaded = _reference(str(paths().data_dir), 0)
    return ref, dt.datetime.fromtimestamp(loaded, dt.timezone.utc)


def safe_url(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def current_user() -> roles.User | None:
    return st.session_state.get(USER_KEY)


def sign_out() -> None:
    for k in (USER_KEY, ROLE_KEY):
        st.session_state.pop(k, None)


def _sign_in(db: ops.OpsDB) -> None:
    s = st.session_state
    user = roles.authenticate(db, s.get("auth_user_id") or "", s.get("auth_password") or "")
    if user is None:
        s["auth_error"] = "Wrong user id or password (or the account is inactive)."
        return
    s[USER_KEY], s[ROLE_KEY] = user, user.role
    s.pop("auth_error", None)


def sign_in_form(db: ops.OpsDB) -> None:
    st.subheader("Sign in", anchor=False)
    st.caption("Bylaw screens are for staff: sign in with your ops-database account "
               f"(`{safe_url(db.url)}`).")
    error = st.session_state.pop("auth_error", None)
    if error:
        st.error(error)
    with st.form("auth_form", clear_on_submit=True):
        st.text_input("User id", key="auth_user_id")
        st.text_input("Password", type="password", key="auth_password")
        st.form_submit_button("Sign in", type="primary", key="auth_submit", on_click=_sign_in, args=(db,))


def sidebar_user(user: roles.User) -> None:
    st.sidebar.caption(f"Signed in as **{ui.md_escape(user.display_name)}** ({ROLE_LABELS.get(user.role, user.role)})")
    st.sidebar.button("Sign out", key="auth_sign_out", on_click=sign_out)


def require(action: str, what: str) -> roles.User:
    """The signed-in user, if their role may ``action``; else the sign-in form or a refusal, and a stop."""
    db = current_db()
    user = current_user()
    if user is None:
        sign_in_form(db)
        st.stop()
    sidebar_user(user)
    if not user.can(action):
        allowed = [ROLE_LABELS[r] for r, acts in roles.ROLE_CAN.items() if action in acts]
        st.warning(f"{what} is not available to the {ROLE_LABELS.get(user.role, user.role)} role "
                   f"(it is for: {', '.join(allowed)}).", icon=":material/lock:")
        st.stop()
    return user


def ops_header(title: str, *, reference_loaded: dt.datetime | None = None, note: str | None = None) -> None:
    """The page title and where its data comes from, as of when (the ops database is live)."""
    st.header(title, anchor=False)
    url = ops.ops_db_url()
    text = (f"Source: ops database `{safe_url(url)}` (live) · read at "
            f"{ui.format_local(dt.datetime.now(dt.timezone.utc))}")
    if reference_loaded is not None:
        text += (f" · assessment roll, zones and officers from `{Path(paths().data_dir)}` "
                 f"(lake, else landing) loaded at {ui.format_local(reference_loaded)}")
    st.caption(text + (f" · {note}" if note else "") + " · times in Toronto local time")


def flash(kind: str, message: str, key: str) -> None:
    st.session_state[key] = (kind, message)


def show_flash(key: str) -> None:
    f = st.session_state.pop(key, None)
    if f:
        {"success": st.success, "warning": st.warning, "error": st.error, "info": st.info}[f[0]](f[1])
