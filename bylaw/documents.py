"""Enforcement documents: compliance notices, orders, Part I tickets and AMP penalty notices as PDF.

    ctx = context_from_case(case_row, notice_row, officer, property)   # plain mappings in
    pdf = render_document(ctx.kind, ctx)                                # bytes out

    report = inspection_report_context(case_row, inspection_row, photos, officer, property)
    pdf = render_inspection_report(report)                              # an officer's inspection report

Each kind is a Jinja2 template in ``bylaw/templates/<kind>.j2`` written in a small line-based
markup (see ``_markup_to_flowables``) that is laid out with reportlab's platypus, so text stays
extractable and long descriptions flow onto further pages.

The wording is a TEMPLATE: plausible Ontario-style text that the municipality's legal staff must
review before any document is served. Every page says so.

Service (``deemed_service_date``):
  * personal        — served the day it is handed over.
  * registered_mail — deemed served on the 5th day after the day of mailing (Building Code Act,
                      1992 s.27; the same rule most municipal by-laws adopt).
  * digital (email / portal) — OUR RULE, to be confirmed by legal staff: deemed served on the next
                      business day after it was sent (weekends and Ontario holidays skipped).
Deadlines count from the deemed service date, first day excluded, and a deadline that falls on a
Saturday, Sunday or holiday moves to the next business day (Legislation Act, 2006 s.88-89).

Confidentiality: ``DocumentContext`` has no field for the complainant, and ``context_from_case``
reads only the keys it names, so a complainant's name, phone or email in the source rows can never
reach a document.

Configuration (environment, demo defaults):
  CIVIC_MUNICIPALITY_NAME, CIVIC_MUNICIPALITY_ADDRESS, CIVIC_MUNICIPALITY_PHONE,
  CIVIC_MUNICIPALITY_EMAIL, CIVIC_MUNICIPALITY_WEBSITE, CIVIC_MUNICIPALITY_DEPARTMENT,
  CIVIC_PS_COMMITTEE_ADDRESS (where a property standards appeal is sent),
  CIVIC_MA_ORDER_APPEAL_DAYS (default 14), CIVIC_AMP_REVIEW_DAYS (default 15),
  CIVIC_AMP_HEARING_DAYS (default 15), CIVIC_POA_COSTS (default 5.00),
  CIVIC_POA_COURT_ADDRESS (Provincial Offences court office).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
LOCAL_TZ = ZoneInfo("America/Toronto")

DOCUMENT_KINDS = ("compliance_notice", "order_to_comply", "property_standards_order", "part_i_ticket", "amp")
SERVED_METHODS = ("registered_mail", "personal", "digital")
TITLES = {
    "compliance_notice": "Notice of Violation (Compliance Notice)",
    "order_to_comply": "Order to Comply",
    "property_standards_order": "Property Standards Order",
    "part_i_ticket": "Certificate of Offence / Offence Notice",
    "amp": "Penalty Notice (Administrative Monetary Penalty)",
}
# notice types as stored in the ops database / the `notices` contract -> document kinds
NOTICE_TYPE_KIND = {"compliance_notice": "compliance_notice", "order_to_comply": "order_to_comply",
                    "part_i_ticket": "part_i_ticket", "amp": "amp", "property_standards_order": "property_standards_order"}
# bylaw types whose orders are made under the Building Code Act, 1992 s.15.2 (property standards)
BCA_BYLAW_TYPES = frozenset({"property_standards"})

REGISTERED_MAIL_DEEMED_DAYS = 5  # BCA s.27(2): deemed served on the fifth day after mailing
PS_APPEAL_DAYS = 14  # BCA s.15.3(1): appeal within 14 days after being served
POA_OPTION_DAYS = 15  # POA s.5: 15 days after service of the offence notice


class DocumentValidationError(ValueError):
    """A context that cannot be rendered: ``missing`` names the empty slots, ``problems`` the rest."""

    def __init__(self, kind: str, missing: list[str] | None = None, problems: list[str] | None = None):
        self.kind = kind
        self.missing = list(missing or [])
        self.problems = list(problems or [])
        parts = []
        if self.missing:
            parts.append("missing required slots: " + ", ".join(self.missing))
        parts.extend(self.problems)
        super().__init__(f"{kind}: " + "; ".join(parts))


# --- configuration -------------------------------------------------------------------------------

def _env(name: str, default: str) -> str:
    v = os.environ.get(name)
    return v.strip() if v and v.strip() else default


def _env_int(name: str, default: int) -> int:
    v = os.environ.get(name)
    try:
        n = int(v) if v and v.strip() else default
    except ValueError:
        n = -1
    if n < 0:
        raise ValueError(f"{name} must be a whole number of days >= 0, got {v!r}")
    return n


@dataclass(frozen=True)
class Municipality:
    name: str
    department: str
    address: str
    phone: str
    email: str
    website: str
    ps_committee_address: str
    poa_court_address: str

    @classmethod
    def from_env(cls) -> "Municipality":
        name = _env("CIVIC_MUNICIPALITY_NAME", "City of Demo Harbour")
        address = _env("CIVIC_MUNICIPALITY_ADDRESS", "100 Civic Square, Demo Harbour, ON  L0L 0A0")
        return cls(
            name=name,
            department=_env("CIVIC_MUNICIPALITY_DEPARTMENT", "Municipal Licensing and Standards - By-law Enforcement"),
            address=address,
            phone=_env("CIVIC_MUNICIPALITY_PHONE", "311 or 905-555-0100"),
            email=_env("CIVIC_MUNICIPALITY_EMAIL", "bylaw@demoharbour.example.ca"),
            website=_env("CIVIC_MUNICIPALITY_WEBSITE", "www.demoharbour.example.ca/bylaw"),
            ps_committee_address=_env("CIVIC_PS_COMMITTEE_ADDRESS",
                                      f"Property Standards Committee, c/o the City Clerk, {name}, {address}"),
            poa_court_address=_env("CIVIC_POA_COURT_ADDRESS",
                                   "Provincial Offences Court Office, 200 Court Street, Demo Harbour, ON  L0L 0B0"),
        )


# --- service dates and deadlines (pure) -----------------------------------------------------------

def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 22 * l) // 451
    month = (h + l - 7 * m + 114) // 31
    day = ((h + l - 7 * m + 114) % 31) + 1
    return dt.date(year, month, day)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    d = dt.date(year, month, 1)
    d += dt.timedelta(days=(weekday - d.weekday()) % 7)
    return d + dt.timedelta(weeks=n - 1)


@lru_cache(maxsize=64)
def ontario_holidays(year: int) -> dict[dt.date, str]:
    """Days a deadline cannot fall on besides weekends: the holidays of the Legislation Act, 2006
    s.87 as a municipal office observes them (a fixed-date holiday on a weekend is observed on the
    next weekday)."""
    easter = _easter(year)
    days: dict[dt.date, str] = {
        _nth_weekday(year, 2, 0, 3): "Family Day",
        easter - dt.timedelta(days=2): "Good Friday",
        easter + dt.timedelta(days=1): "Easter Monday",
        # Victoria Day: the Monday before May 25
        dt.date(year, 5, 24) - dt.timedelta(days=dt.date(year, 5, 24).weekday()): "Victoria Day",
        _nth_weekday(year, 8, 0, 1): "Civic Holiday",
        _nth_weekday(year, 9, 0, 1): "Labour Day",
        _nth_weekday(year, 10, 0, 2): "Thanksgiving Day",
    }
    for (m, d), name in {(1, 1): "New Year's Day", (7, 1): "Canada Day", (11, 11): "Remembrance Day",
                         (12, 25): "Christmas Day", (12, 26): "Boxing Day"}.items():
        day = dt.date(year, m, d)
        days[day] = name
        obs = day
        while obs.weekday() >= 5 or (obs != day and obs in days):
            obs += dt.timedelta(days=1)
        if obs != day:
            days.setdefault(obs, f"{name} (observed)")
    # Christmas on Saturday -> Mon 27 observed; Boxing Day (Sun) -> Tue 28 observed
    return days


def is_business_day(d: dt.date) -> bool:
    return d.weekday() < 5 and d not in ontario_holidays(d.year)


def next_business_day_on_or_after(d: dt.date) -> dt.date:
    while not is_business_day(d):
        d += dt.timedelta(days=1)
    return d


def deemed_service_date(served_method: str, served_on: dt.date) -> dt.date:
    """When a document is deemed served, from how and when it was served (sent, mailed, handed over).

    personal: the same day. registered_mail: the 5th day after the day of mailing (BCA s.27(2)).
    digital: the next business day after the day it was sent (this project's rule; see module doc).
    """
    served_on = _as_date(served_on, "served_on")
    if served_method == "personal":
        return served_on
    if served_method == "registered_mail":
        return served_on + dt.timedelta(days=REGISTERED_MAIL_DEEMED_DAYS)
    if served_method == "digital":
        return next_business_day_on_or_after(served_on + dt.timedelta(days=1))
    raise ValueError(f"served_method must be one of {', '.join(SERVED_METHODS)}, got {served_method!r}")


def deadline_after(start: dt.date, days: int) -> dt.date:
    """``days`` days after ``start`` (first day excluded, last included), moved to the next business
    day when it falls on a weekend or holiday (Legislation Act, 2006 s.89)."""
    if days < 0:
        raise ValueError("days must be >= 0")
    return next_business_day_on_or_after(_as_date(start, "start") + dt.timedelta(days=days))


def appeal_deadline(served_method: str, served_on: dt.date, days: int) -> dt.date:
    """The last day to appeal (or request a review, or choose a ticket option): ``days`` after the
    deemed service date."""
    return deadline_after(deemed_service_date(served_method, served_on), days)


def appeal_days(kind: str) -> int | None:
    """Days after deemed service allowed to appeal / request review / respond; None: no appeal."""
    if kind == "property_standards_order":
        return PS_APPEAL_DAYS
    if kind == "order_to_comply":
        return _env_int("CIVIC_MA_ORDER_APPEAL_DAYS", 14)
    if kind == "part_i_ticket":
        return POA_OPTION_DAYS
    if kind == "amp":
        return _env_int("CIVIC_AMP_REVIEW_DAYS", 15)
    if kind == "compliance_notice":
        return None
    raise ValueError(f"unknown document kind {kind!r}; one of {', '.join(DOCUMENT_KINDS)}")


# Victim fine surcharge by set fine (O. Reg. 161/00 under the POA, as this template assumes it:
# legal staff to verify against the regulation in force). Above $1,000: 25% of the fine.
_VFS_TABLE = ((50, 10), (75, 15), (100, 20), (150, 30), (200, 40), (250, 50), (300, 60), (350, 75),
              (400, 85), (450, 95), (500, 110), (1000, 125))


def victim_fine_surcharge(set_fine: Decimal | float) -> Decimal:
    fine = Decimal(str(set_fine))
    for upper, vfs in _VFS_TABLE:
        if fine <= upper:
            return Decimal(vfs)
    return (fine * Decimal("0.25")).quantize(Decimal("0.01"), ROUND_HALF_UP)


# --- the context ----------------------------------------------------------------------------------

@dataclass
class DocumentContext:
    """Everything a document may show. There is deliberately no complainant field.

    Slots left None are reported by ``validate`` when the kind needs them.
    """

    kind: str | None = None
    case_number: str | None = None
    notice_number: str | None = None
    # the property and the person served
    property_address: str | None = None
    roll_number: str | None = None
    owner_name: str | None = None  # the person served (owner on the assessment roll, or the offender)
    owner_mailing_address: str | None = None
    # the contravention
    bylaw_reference: str | None = None  # e.g. "Chapter 665, Property Standards"
    bylaw_section: str | None = None  # e.g. "s.665.3"
    bylaw_type: str | None = None
    violation_description: str | None = None
    work_required: str | None = None
    offence_date: dt.date | None = None  # tickets / AMPs: when the contravention was observed
    # dates
    issue_date: dt.date | None = None
    served_method: str | None = None
    served_on: dt.date | None = None  # mailed / sent / handed over; None: planned for the issue date
    compliance_deadline: dt.date | None = None
    appeal_by: dt.date | None = None  # an explicit last day to appeal (a longer period a by-law grants)
    # money
    fine_amount: Decimal | None = None  # set fine (Part I) or penalty amount (AMP)
    poa_costs: Decimal | None = None
    # the officer
    officer_name: str | None = None
    officer_badge: str | None = None
    municipality: Municipality = field(default_factory=Municipality.from_env)

    # derived ----------------------------------------------------------------------------------
    @property
    def service_date(self) -> dt.date | None:
        return self.served_on or self.issue_date

    @property
    def deemed_served_on(self) -> dt.date | None:
        if self.service_date is None or self.served_method not in SERVED_METHODS:
            return None
        return deemed_service_date(self.served_method, self.service_date)

    @property
    def appeal_days(self) -> int | None:
        return appeal_days(self.kind) if self.kind in DOCUMENT_KINDS else None

    @property
    def statutory_appeal_deadline(self) -> dt.date | None:
        """``appeal_days`` after the deemed service date (None: no appeal, or not enough to say)."""
        days = self.appeal_days
        if days is None or self.deemed_served_on is None:
            return None
        return deadline_after(self.deemed_served_on, days)

    @property
    def appeal_deadline(self) -> dt.date | None:
        """The last day to appeal / request a review / choose a ticket option, as printed."""
        if self.appeal_by is not None and self.appeal_days is not None:
            return self.appeal_by
        return self.statutory_appeal_deadline

    def template_vars(self) -> dict[str, Any]:
        v = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        fine = self.fine_amount
        vfs = victim_fine_surcharge(fine) if fine is not None and self.kind == "part_i_ticket" else None
        costs = self.poa_costs if self.poa_costs is not None else Decimal(_env("CIVIC_POA_COSTS", "5.00"))
        v.update(
            title=TITLES.get(self.kind or "", ""),
            service_date=self.service_date,
            deemed_served_on=self.deemed_served_on,
            appeal_days=self.appeal_days,
            appeal_deadline=self.appeal_deadline,
            served_method_text={"registered_mail": "registered mail", "personal": "personal service",
                                "digital": "electronic service (email)"}.get(self.served_method or "", ""),
            victim_fine_surcharge=vfs,
            poa_costs=costs if self.kind == "part_i_ticket" else None,
            total_payable=(fine + vfs + costs) if vfs is not None else fine,
            amp_hearing_days=_env_int("CIVIC_AMP_HEARING_DAYS", 15),
            registered_mail_days=REGISTERED_MAIL_DEEMED_DAYS,
            m=self.municipality,
        )
        return v


_REQUIRED_ALL = ("case_number", "owner_name", "property_address", "bylaw_reference", "bylaw_section",
                 "violation_description", "issue_date", "served_method", "officer_name", "officer_badge")
REQUIRED_SLOTS: dict[str, tuple[str, ...]] = {
    "compliance_notice": _REQUIRED_ALL + ("roll_number", "work_required", "compliance_deadline"),
    "order_to_comply": _REQUIRED_ALL + ("roll_number", "work_required", "compliance_deadline"),
    "property_standards_order": _REQUIRED_ALL + ("roll_number", "work_required", "compliance_deadline"),
    "part_i_ticket": _REQUIRED_ALL + ("fine_amount",),
    "amp": _REQUIRED_ALL + ("fine_amount",),
}


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def validate(ctx: DocumentContext, kind: str | None = None, *, today: dt.date | None = None) -> None:
    """Raise DocumentValidationError naming every missing slot and every impossible date."""
    kind = kind or ctx.kind
    if kind not in DOCUMENT_KINDS:
        raise DocumentValidationError(str(kind), problems=[f"unknown document kind; one of {', '.join(DOCUMENT_KINDS)}"])
    if ctx.kind is not None and ctx.kind != kind:
        raise DocumentValidationError(kind, problems=[f"context was built for {ctx.kind!r}"])
    today = today or dt.datetime.now(LOCAL_TZ).date()
    missing = [s for s in REQUIRED_SLOTS[kind] if _blank(getattr(ctx, s))]
    problems: list[str] = []
    if not _blank(ctx.served_method) and ctx.served_method not in SERVED_METHODS:
        problems.append(f"served_method {ctx.served_method!r} is not one of {', '.join(SERVED_METHODS)}")
    for name in ("issue_date", "served_on", "compliance_deadline", "offence_date", "appeal_by"):
        v = getattr(ctx, name)
        if v is not None and not isinstance(v, dt.date):
            problems.append(f"{name} must be a date, got {type(v).__name__}")
    if problems:
        raise DocumentValidationError(kind, missing, problems)
    issue, served, deadline = ctx.issue_date, ctx.served_on, ctx.compliance_deadline
    if deadline is not None:
        if deadline < today:
            problems.append(f"compliance_deadline {deadline} is in the past (today is {today})")
        if issue is not None and deadline < issue:
            problems.append(f"compliance_deadline {deadline} is before the issue date {issue}")
    if issue is not None and served is not None and served < issue:
        problems.append(f"served_on {served} is before the issue date {issue}")
    if ctx.offence_date is not None and issue is not None and ctx.offence_date > issue:
        problems.append(f"offence_date {ctx.offence_date} is after the issue date {issue}")
    if ctx.fine_amount is not None and Decimal(str(ctx.fine_amount)) <= 0:
        problems.append(f"fine_amount must be positive, got {ctx.fine_amount}")
    if kind == "part_i_ticket" and ctx.fine_amount is not None and Decimal(str(ctx.fine_amount)) > 1000:
        problems.append("a Part I set fine cannot exceed $1,000 (POA s.12)")
    if not missing:
        try:
            _check_appeal(ctx, kind, problems)
        except ValueError as e:  # a misconfigured period (CIVIC_*_DAYS)
            problems.append(str(e))
    if missing or problems:
        raise DocumentValidationError(kind, missing, problems)


def _check_appeal(ctx: DocumentContext, kind: str, problems: list[str]) -> None:
    days = appeal_days(kind)
    if ctx.appeal_by is not None and days is None:
        problems.append(f"appeal_by is set but a {kind} carries no right of appeal")
        return
    service, deemed, statutory = ctx.service_date, ctx.deemed_served_on, ctx.statutory_appeal_deadline
    if ctx.appeal_by is not None:
        if ctx.appeal_by < max(d for d in (service, deemed) if d is not None):
            problems.append(f"appeal date {ctx.appeal_by} is before service (deemed served {deemed})")
        elif statutory is not None and ctx.appeal_by < statutory:
            problems.append(f"appeal date {ctx.appeal_by} is earlier than the {days} days after service the law "
                            f"gives ({statutory})")


# --- building a context from plain rows ------------------------------------------------------------

def _as_date(v: Any, name: str = "date") -> dt.date | None:
    """A date from a date, datetime (tz-aware -> Toronto local), pandas Timestamp or ISO string."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if hasattr(v, "to_pydatetime"):  # pandas Timestamp (NaT has no valid date)
        try:
            v = v.to_pydatetime()
        except ValueError:
            return None
    if isinstance(v, float) and v != v:  # NaN
        return None
    if isinstance(v, dt.datetime):
        return (v.astimezone(LOCAL_TZ) if v.tzinfo else v).date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        s = v.strip().replace("Z", "+00:00")
        try:
            return _as_date(dt.datetime.fromisoformat(s), name)
        except ValueError:
            pass
    raise ValueError(f"{name}: cannot read {v!r} as a date")


def _money(v: Any) -> Decimal | None:
    if v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, float) and v != v):
        return None
    return Decimal(str(v)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _first(*rows_keys: tuple[Mapping | None, tuple[str, ...]]) -> Any:
    for row, keys in rows_keys:
        if not row:
            continue
        for k in keys:
            v = row.get(k)
            if not _blank(v) and not (isinstance(v, float) and v != v):
                return v
    return None


_SECTION_RE = re.compile(r"^(?P<ref>.*?)\s*(?:,\s*)?(?P<sec>(?:s|ss|section)\.?\s*[\d.()a-z]+)\s*(?:\((?P<title>[^)]*)\))?\s*$",
                         re.IGNORECASE)


def split_bylaw_section(text: str) -> tuple[str, str]:
    """'Chapter 665 s.665.3 (Property Standards)' -> ('Chapter 665, Property Standards', 's.665.3')."""
    m = _SECTION_RE.match(text.strip())
    if not m or not m.group("ref"):
        return text.strip(), ""
    ref = m.group("ref").strip().rstrip(",")
    if m.group("title"):
        ref = f"{ref}, {m.group('title').strip()}"
    return ref, m.group("sec").strip()


def document_kind(notice_type: str, bylaw_type: str | None = None, order_authority: str | None = None) -> str:
    """The document kind for a notice: an order to comply is a property standards order (BCA s.15.2)
    when ``order_authority`` says building_code_act, or, without one, for property standards cases."""
    if notice_type not in NOTICE_TYPE_KIND:
        raise ValueError(f"unknown notice_type {notice_type!r}")
    kind = NOTICE_TYPE_KIND[notice_type]
    if kind == "order_to_comply":
        auth = (order_authority or "").strip().lower()
        if auth in ("building_code_act", "bca", "bca_15_2"):
            return "property_standards_order"
        if not auth and bylaw_type in BCA_BYLAW_TYPES:
            return "property_standards_order"
    return kind


def context_from_case(case_row: Mapping, notice_row: Mapping, officer: Mapping, property: Mapping,  # noqa: A002
                      *, kind: str | None = None, municipality: Municipality | None = None,
                      violation_description: str | None = None, work_required: str | None = None) -> DocumentContext:
    """Build a DocumentContext from plain mappings (ops rows). Only the keys below are read; any
    other key (a complainant's name, phone, email, ...) is ignored.

    case_row:   case_number (or case_id), bylaw_type, bylaw_section (fallback), roll_number /
                address / owner_name (fallbacks for ``property``)
    notice_row: notice_type, notice_id (or notice_number), issued_at, served_method, served_at,
                compliance_deadline, fine_amount, bylaw_section (e.g. 'Chapter 665 s.665.3 (Property
                Standards)', split into reference and section) or bylaw_reference + bylaw_section,
                violation_description (or description), work_required, offence_at (or offence_date),
                order_authority ('municipal_act' | 'building_code_act', optional)
    officer:    name (or officer_name, or first_name + last_name), badge (or badge_number, officer_id)
    property:   address, roll_number (or roll), owner_name (or owner), owner_mailing_address (optional)

    ``violation_description`` / ``work_required`` given here win over the notice row's (the officer's
    findings from the inspection report, say). Never pass the complaint's own text: it may name the
    complainant.
    """
    bylaw_type = _first((case_row, ("bylaw_type",)), (notice_row, ("bylaw_type",)))
    notice_type = _first((notice_row, ("notice_type",)))
    if kind is None:
        if notice_type is None:
            raise DocumentValidationError("unknown", ["notice_type"])
        kind = document_kind(str(notice_type), bylaw_type, _first((notice_row, ("order_authority",))))
    ref = _first((notice_row, ("bylaw_reference",)), (case_row, ("bylaw_reference",)))
    sec = _first((notice_row, ("bylaw_section",)), (case_row, ("bylaw_section",)))
    if ref is None and sec is not None:
        ref, sec = split_bylaw_section(str(sec))
        sec = sec or None
    off_name = _first((officer, ("name", "officer_name", "display_name")))
    if off_name is None and officer and officer.get("last_name"):
        off_name = f"{officer.get('first_name') or ''} {officer['last_name']}".strip()
    return DocumentContext(
        kind=kind,
        case_number=_str(_first((case_row, ("case_number", "case_id")), (notice_row, ("case_number", "case_id")))),
        notice_number=_str(_first((notice_row, ("notice_number", "notice_id")))),
        property_address=_str(_first((property, ("address", "property_address")), (case_row, ("address", "property_address")))),
        roll_number=_str(_first((property, ("roll_number", "roll")), (case_row, ("roll_number",)))),
        owner_name=_str(_first((property, ("owner_name", "owner")), (case_row, ("owner_name",)),
                               (notice_row, ("served_to", "owner_name")))),
        owner_mailing_address=_str(_first((property, ("owner_mailing_address", "mailing_address")))),
        bylaw_reference=_str(ref),
        bylaw_section=_str(sec),
        bylaw_type=_str(bylaw_type),
        violation_description=_str(violation_description
                                   or _first((notice_row, ("violation_description", "description")))),
        work_required=_str(work_required or _first((notice_row, ("work_required",)))),
        offence_date=_as_date(_first((notice_row, ("offence_at", "offence_date"))), "offence_at"),
        issue_date=_as_date(_first((notice_row, ("issued_at", "issue_date"))), "issued_at"),
        served_method=_str(_first((notice_row, ("served_method",)))),
        served_on=_as_date(_first((notice_row, ("served_at", "served_on"))), "served_at"),
        compliance_deadline=_as_date(_first((notice_row, ("compliance_deadline",))), "compliance_deadline"),
        fine_amount=_money(_first((notice_row, ("fine_amount",)))),
        officer_name=_str(off_name),
        officer_badge=_str(_first((officer, ("badge", "badge_number", "officer_id")))),
        municipality=municipality or Municipality.from_env(),
    )


def _str(v: Any) -> str | None:
    return None if v is None else str(v).strip()


# --- rendering -------------------------------------------------------------------------------------

def _fmt_date(d: dt.date | None) -> str:
    return "" if d is None else f"{d:%B} {d.day}, {d.year}"


def _fmt_money(v: Any) -> str:
    return "" if v is None else f"${Decimal(str(v)):,.2f}"


@lru_cache(maxsize=1)
def _jinja_env():
    import jinja2
    from markupsafe import Markup, escape

    def finalize(v):
        # every value: escaped for reportlab's paragraph markup (&, <, >), "::" neutralised so a
        # value never becomes a "key :: value" row
        if isinstance(v, str):
            return Markup(str(v if isinstance(v, Markup) else escape(v)).replace("::", "&#58;&#58;"))
        return v

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,  # values become reportlab paragraph markup: &, <, > must be escaped
        finalize=finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = _fmt_date
    env.filters["money"] = _fmt_money
    # multi-line free text, alone on its markup line: one paragraph with a line break per source
    # line; the empty <b></b> in front keeps text such as "- " or "# " from reading as markup
    env.filters["lines"] = lambda s: Markup("<b></b>") + Markup("<br/>").join(
        escape(x) for x in str(s or "").splitlines() or [""])
    return env


def render_markup(kind: str, ctx: DocumentContext, *, today: dt.date | None = None) -> str:
    """The template's output for ``ctx`` (the line markup, before layout). Validates first."""
    validate(ctx, kind, today=today)
    return _jinja_env().get_template(f"{kind}.j2").render(**ctx.template_vars())


def _styles():
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    ss = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=ss["BodyText"], fontName="Helvetica", fontSize=10, leading=13, spaceAfter=5)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20,
                                spaceBefore=2, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontName="Helvetica-Oblique", fontSize=10, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=body, fontName="Helvetica-Bold", fontSize=11.5, leading=15,
                             spaceBefore=8, spaceAfter=3, textColor=colors.HexColor("#1f3a5f"),
                             keepWithNext=1),  # never a heading alone at the foot of a page
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, textColor=colors.HexColor("#333333")),
        "bullet": ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=4, spaceAfter=3),
        "box": ParagraphStyle("box", parent=body, fontName="Helvetica-Bold", fontSize=9.5, leading=12,
                              borderColor=colors.HexColor("#b00020"), borderWidth=1, borderPadding=5,
                              backColor=colors.HexColor("#fff4f4"), spaceBefore=4, spaceAfter=10),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=12, spaceAfter=0),
        "cellkey": ParagraphStyle("cellkey", parent=body, fontName="Helvetica-Bold", fontSize=9.5, leading=12,
                                  spaceAfter=0),
    }


def _markup_to_flowables(text: str) -> list:
    """Lay out the templates' line markup:

    ``# T`` title, ``## H`` heading, ``!! t`` boxed warning, ``> t`` small print, ``- t`` bullet,
    ``key :: value`` rows (consecutive rows form one table), ``===`` page break, ``---`` rule,
    ``+++`` signature lines; other lines join into paragraphs, a blank line ends one.
    """
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import HRFlowable, PageBreak, Paragraph, Spacer, Table, TableStyle

    st = _styles()
    out: list = []
    para: list[str] = []
    rows: list[list] = []

    def flush_para():
        if para:
            out.append(Paragraph(" ".join(para), st["body"]))
            para.clear()

    def flush_rows():
        if rows:
            t = Table([list(r) for r in rows], colWidths=[48 * mm, None], hAlign="LEFT", repeatRows=0)
            t.setStyle(TableStyle([
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef2f6")),
                ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]))
            out.append(t)
            out.append(Spacer(1, 6))
            rows.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if " :: " in line and not line.startswith(("#", "!!", ">", "- ")):
            flush_para()
            k, v = line.split(" :: ", 1)
            rows.append([Paragraph(k, st["cellkey"]), Paragraph(v, st["cell"])])
            continue
        if not line:  # a blank line ends a paragraph; rows separated only by blank lines stay one table
            flush_para()
            continue
        flush_rows()
        if line == "===":
            flush_para()
            out.append(PageBreak())
        elif line == "---":
            flush_para()
            out.append(HRFlowable(width="100%", thickness=0.6, color=colors.grey, spaceBefore=4, spaceAfter=6))
        elif line == "+++":
            flush_para()
            out.append(Spacer(1, 18))
            out.append(HRFlowable(width="45%", thickness=0.6, color=colors.black, hAlign="LEFT", spaceAfter=2))
        elif line.startswith("## "):
            flush_para()
            out.append(Paragraph(line[3:], st["h2"]))
        elif line.startswith("# "):
            flush_para()
            out.append(Paragraph(line[2:], st["title"]))
        elif line.startswith("!! "):
            flush_para()
            out.append(Paragraph(line[3:], st["box"]))
        elif line.startswith("> "):
            flush_para()
            out.append(Paragraph(line[2:], st["small"]))
        elif line.startswith("- "):
            flush_para()
            out.append(Paragraph(line[2:], st["bullet"], bulletText="\u2022"))
        elif line.startswith("~ "):
            flush_para()
            out.append(Paragraph(line[2:], st["subtitle"]))
        else:
            para.append(line)
    flush_rows()
    flush_para()
    return out


def _page_decorator(ctx: DocumentContext):
    footer_left = f"{TITLES[ctx.kind]} - Case {ctx.case_number}" + (f" - Notice {ctx.notice_number}" if ctx.notice_number else "")
    return _page_drawer(ctx.municipality, footer_left, "TEMPLATE - REQUIRES REVIEW BY LEGAL STAFF")


def _page_drawer(m: Municipality, footer_left: str, banner: str | None):
    """Every page: the municipality's letterhead, ``banner`` in red at the top right, and
    ``footer_left`` with the page number at the foot."""
    from reportlab.lib import colors

    def draw(canvas, doc):
        w, h = doc.pagesize
        canvas.saveState()
        canvas.setFillColor(colors.HexColor("#1f3a5f"))
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(doc.leftMargin, h - 36, m.name)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(doc.leftMargin, h - 47, f"{m.department} | {m.address}")
        canvas.drawString(doc.leftMargin, h - 57, f"Tel. {m.phone} | {m.email} | {m.website}")
        canvas.setStrokeColor(colors.HexColor("#1f3a5f"))
        canvas.line(doc.leftMargin, h - 62, w - doc.rightMargin, h - 62)
        if banner:
            canvas.setFillColor(colors.HexColor("#b00020"))
            canvas.setFont("Helvetica-Bold", 7.5)
            canvas.drawRightString(w - doc.rightMargin, h - 36, banner)
        canvas.setFillColor(colors.black)
        canvas.setFont("Helvetica", 7.5)
        canvas.line(doc.leftMargin, 40, w - doc.rightMargin, 40)
        canvas.drawString(doc.leftMargin, 30, footer_left)
        canvas.drawRightString(w - doc.rightMargin, 30, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def _build_pdf(markup: str, *, title: str, author: str, subject: str, draw) -> bytes:
    """Lay out template markup on Letter pages, ``draw`` decorating each page."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=LETTER, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=28 * mm, bottomMargin=20 * mm,
        title=title, author=author, subject=subject, creator="civic-enforcement-platform",
        invariant=1,  # same input -> same bytes
    )
    doc.build(_markup_to_flowables(markup), onFirstPage=draw, onLaterPages=draw)
    return buf.getvalue()


def render_document(kind: str, context: DocumentContext, *, today: dt.date | None = None) -> bytes:
    """Render one enforcement document to PDF bytes. Raises DocumentValidationError when a required
    slot is empty or a date is impossible (deadline in the past, service before issue, ...)."""
    validate(context, kind, today=today)
    markup = _jinja_env().get_template(f"{kind}.j2").render(**context.template_vars())
    return _build_pdf(markup, title=f"{TITLES[kind]} - {context.case_number}", author=context.municipality.name,
                      subject=f"{TITLES[kind]} (template - requires legal review)",
                      draw=_page_decorator(dataclasses.replace(context, kind=kind)))


# --- inspection reports ----------------------------------------------------------------------------
#
# An officer's record of one inspection: not served on anyone, so no service or appeal slots; the
# same letterhead, markup and layout as the enforcement documents (template inspection_report.j2).

INSPECTION_REPORT_TITLE = "Inspection Report"
INSPECTION_TYPE_TEXT = {"initial": "Initial inspection", "re_inspection": "Re-inspection"}
INSPECTION_RESULT_TEXT = {"violation_found": "Violation found", "no_violation": "No violation",
                          "complied": "Complied", "not_complied": "Not complied"}
INSPECTION_REPORT_REQUIRED = ("case_number", "inspection_id", "inspection_type", "inspected_at", "result",
                              "officer_name")


@dataclass
class InspectionReportContext:
    """Everything an inspection report may show. There is deliberately no complainant field, and
    photos carry only their file name, kind, EXIF time and GPS position (no caption)."""

    case_number: str | None = None
    inspection_id: str | None = None
    inspection_type: str | None = None
    inspected_at: dt.datetime | None = None
    officer_name: str | None = None
    officer_badge: str | None = None
    property_address: str | None = None
    roll_number: str | None = None
    owner_name: str | None = None
    bylaw_type: str | None = None
    bylaw_reference: str | None = None
    bylaw_section: str | None = None
    checklist: list[tuple[str, str]] = field(default_factory=list)
    result: str | None = None
    notes: str | None = None
    lat: float | None = None
    lon: float | None = None
    photos: list[dict] = field(default_factory=list)  # file_name, kind, taken_at, gps_lat, gps_lon
    municipality: Municipality = field(default_factory=Municipality.from_env)


def _fmt_local_time(t: dt.datetime | None) -> str:
    if t is None:
        return ""
    t = (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).astimezone(LOCAL_TZ)
    return f"{_fmt_date(t.date())}, {t:%H:%M} {t.tzname()}"


def _as_datetime(v: Any) -> dt.datetime | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
    if not isinstance(v, dt.datetime):
        raise ValueError(f"cannot read {v!r} as a date and time")
    return v if v.tzinfo else v.replace(tzinfo=dt.timezone.utc)  # naive from the ops database means UTC


def _float(v: Any) -> float | None:
    return None if v is None or (isinstance(v, float) and v != v) else float(v)


def inspection_report_context(case_row: Mapping, inspection_row: Mapping, photos: list[Mapping] | None = None,
                              officer: Mapping | None = None, property: Mapping | None = None,  # noqa: A002
                              *, municipality: Municipality | None = None) -> InspectionReportContext:
    """Build an InspectionReportContext from plain mappings (ops rows). Only the keys below are read;
    a complainant's name, phone or email anywhere in them is ignored.

    case_row:       case_id, bylaw_type, bylaw_section, address, roll_number, owner_name (fallbacks)
    inspection_row: inspection_id, inspection_type, inspected_at, result, checklist ({item: answer}),
                    notes, lat, lon, officer_id (badge fallback)
    photos:         photo rows; only those of this inspection (``inspection_id``) are listed, with
                    file_path (its file name), kind, taken_at, gps_lat, gps_lon
    officer:        name (or display_name), badge (or badge_number, officer_id)
    property:       address, roll_number, owner_name (the assessment roll's)
    """
    officer, property = officer or {}, property or {}
    sec = _first((case_row, ("bylaw_section",)))
    ref = None
    if sec is not None:
        ref, sec = split_bylaw_section(str(sec))
    checklist = inspection_row.get("checklist") or {}
    if isinstance(checklist, str):
        import json

        checklist = json.loads(checklist)
    listed = [p for p in (photos or []) if p.get("inspection_id") == inspection_row.get("inspection_id")]
    return InspectionReportContext(
        case_number=_str(_first((case_row, ("case_number", "case_id")), (inspection_row, ("case_id",)))),
        inspection_id=_str(inspection_row.get("inspection_id")),
        inspection_type=_str(inspection_row.get("inspection_type")),
        inspected_at=_as_datetime(inspection_row.get("inspected_at")),
        officer_name=_str(_first((officer, ("name", "officer_name", "display_name")))),
        officer_badge=_str(_first((officer, ("badge", "badge_number", "officer_id")),
                                  (inspection_row, ("officer_id",)))),
        property_address=_str(_first((property, ("address",)), (case_row, ("address",)))),
        roll_number=_str(_first((property, ("roll_number",)), (case_row, ("roll_number",)))),
        owner_name=_str(_first((property, ("owner_name",)), (case_row, ("owner_name",)))),
        bylaw_type=_str(case_row.get("bylaw_type")),
        bylaw_reference=_str(ref),
        bylaw_section=_str(sec or None),
        checklist=[(str(k), "not checked" if v is None else str(v)) for k, v in dict(checklist).items()],
        result=_str(inspection_row.get("result")),
        notes=_str(inspection_row.get("notes")),
        lat=_float(inspection_row.get("lat")),
        lon=_float(inspection_row.get("lon")),
        photos=[{"file_name": Path(str(p.get("file_path") or "")).name, "kind": p.get("kind"),
                 "taken_at": _as_datetime(p.get("taken_at")), "gps_lat": _float(p.get("gps_lat")),
                 "gps_lon": _float(p.get("gps_lon"))} for p in listed],
        municipality=municipality or Municipality.from_env(),
    )


def render_inspection_report(ctx: InspectionReportContext) -> bytes:
    """Render an inspection report to PDF bytes (DocumentValidationError when a required slot is
    empty: case, inspection, type, date and time, result, officer)."""
    missing = [s for s in INSPECTION_REPORT_REQUIRED if _blank(getattr(ctx, s))]
    if missing:
        raise DocumentValidationError("inspection_report", missing)
    v = {f.name: getattr(ctx, f.name) for f in dataclasses.fields(ctx)}
    v.update(
        title=INSPECTION_REPORT_TITLE, m=ctx.municipality,
        inspection_type_text=INSPECTION_TYPE_TEXT.get(ctx.inspection_type, ctx.inspection_type),
        result_text=INSPECTION_RESULT_TEXT.get(ctx.result, ctx.result),
        inspected_at_text=_fmt_local_time(ctx.inspected_at),
        position=(f"{ctx.lat:.6f}, {ctx.lon:.6f}" if ctx.lat is not None and ctx.lon is not None else None),
        photo_rows=[{"file_name": p["file_name"], "kind": p.get("kind") or "",
                     "taken": _fmt_local_time(p["taken_at"]) if p.get("taken_at") else "time not in the image",
                     "gps": (f"{p['gps_lat']:.6f}, {p['gps_lon']:.6f}" if p.get("gps_lat") is not None
                             and p.get("gps_lon") is not None else "no GPS in the image")} for p in ctx.photos],
    )
    markup = _jinja_env().get_template("inspection_report.j2").render(**v)
    footer = f"{INSPECTION_REPORT_TITLE} - Case {ctx.case_number} - Inspection {ctx.inspection_id}"
    return _build_pdf(markup, title=f"{INSPECTION_REPORT_TITLE} - {ctx.case_number} - {ctx.inspection_id}",
                      author=ctx.municipality.name, subject=INSPECTION_REPORT_TITLE,
                      draw=_page_drawer(ctx.municipality, footer, "INTERNAL RECORD - NOT A NOTICE"))
