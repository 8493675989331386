"""The registry of every landed source: one definition of each source system's extract.

The simulator writes files in exactly these shapes, the ingestion parses and validates
them against these fields (through the Great Expectations suites built from them), and
dbt staging reads the landed tables that carry these column names. Column names are the
source system's own (vendor B really does send camelCase); staging renames them.

Conventions every source shares:
- Files arrive under ``landing/<source name>/`` and are named ``<anything>_YYYY-MM-DD.<ext>``
  where the date is the delivery day (the Dagster partition). Reference sources are
  delivered as snapshots the same way.
- ``timestamp`` fields are ISO 8601 with a UTC offset (``2026-10-05T08:12:33-04:00``), or
  a naive local time where ``naive_tz`` says so. They land as UTC ``TIMESTAMPTZ``.
- A record's row number is 1-based: the data row of a CSV (header excluded), the line of a
  JSON-lines file, the element of a JSON array or the feature of a GeoJSON collection.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CITY_TZ = "America/Toronto"


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # string | int | float | timestamp | date | bool | geometry
    required: bool = True
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    regex: str | None = None


@dataclass(frozen=True)
class Source:
    name: str
    format: str  # csv | jsonl | json | open311 | geojson
    system: str  # the real system this extract comes from
    fields: tuple[Field, ...]
    key: tuple[str, ...]  # natural key; staging keeps the latest delivery of each key
    event_time: str | None  # field that decides the lake's day partition (None: reference data)
    # "delivery": partition by delivery day instead, for extracts that re-send long-lived
    # records as they change (a day's file of case updates spans hundreds of opening days,
    # which by event day would be hundreds of tiny Parquet files per delivery).
    lake_day: str = "event"
    naive_tz: str | None = None  # timestamps without offset are local time in this zone
    null_tokens: tuple[str, ...] = ()  # values the system writes for "unknown" (read as null)
    description: str = ""
    # "geometry_types": the GeoJSON geometry types a GeoJSON source accepts (any when absent);
    # a feature of another type is quarantined like an invalid geometry.
    extra: dict = field(default_factory=dict)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


def F(name, type="string", required=True, **kw) -> Field:
    return Field(name, type, required, **kw)


LAT = dict(min=-90.0, max=90.0)
LON = dict(min=-180.0, max=180.0)
PLATE = r"^[A-Z0-9 \-]{2,10}$"
PROVINCES = (
    "ON", "QC", "NS", "NB", "MB", "BC", "PE", "SK", "AB", "NL", "NT", "YT", "NU",
    "NY", "MI", "OH", "PA", "FL", "TX", "CA", "IL", "MA", "NJ", "XX",
)

SOURCES: dict[str, Source] = {}


def _register(src: Source) -> Source:
    SOURCES[src.name] = src
    return src


# --- Parking -------------------------------------------------------------------------

_register(Source(
    "alpr_reads", "jsonl", "ALPR back office (plate-read stream)",
    (
        F("read_id"), F("plate", regex=PLATE), F("region", allowed=PROVINCES),
        F("confidence", "float", min=0.0, max=1.0), F("captured_at", "timestamp"),
        F("lat", "float", **LAT), F("lon", "float", **LON),
        F("camera_id"), F("unit_id"), F("officer_id"), F("image_ref", required=False),
    ),
    key=("read_id",), event_time="captured_at",
    description="One JSON object per line: each plate read by a patrol car's camera.",
))

_register(Source(
    "pbp_vendor_a_sessions", "csv", "Pay-by-plate vendor A (app + web)",
    (
        F("session_id"), F("plate_number", regex=PLATE), F("province", allowed=PROVINCES),
        F("zone_code"), F("start_time_utc", "timestamp"), F("end_time_utc", "timestamp"),
        F("amount_cents", "int", min=0), F("payment_method", allowed=("app", "web", "sms")),
    ),
    key=("session_id",), event_time="start_time_utc",
    description="CSV; times in UTC with Z suffix; amount in cents.",
))

_register(Source(
    "pbp_vendor_b_sessions", "jsonl", "Pay-by-plate vendor B (phone + kiosk)",
    (
        F("transactionId"), F("licensePlate", regex=PLATE), F("jurisdiction", allowed=PROVINCES),
        F("locationNumber"), F("startDateTime", "timestamp"),
        F("durationMinutes", "int", min=1, max=1440), F("totalAmount", "float", min=0.0),
        F("channel", allowed=("phone", "ivr", "kiosk")),
    ),
    key=("transactionId",), event_time="startDateTime",
    description="JSON lines; local time with offset; duration in minutes; amount in dollars.",
))

_register(Source(
    "meters", "csv", "Meter inventory (asset register)",
    (
        F("meter_id"), F("blockface_id"), F("zone_id"), F("spaces", "int", min=1),
        F("rate_per_hour", "float", min=0.0), F("max_minutes", "int", min=1),
        F("installed_on", "date"), F("lat", "float", **LAT), F("lon", "float", **LON),
    ),
    key=("meter_id",), event_time=None,
))

_register(Source(
    "meter_events", "csv", "Meter management system (status and payment events)",
    (
        F("event_id"), F("meter_id"),
        F("event_type", allowed=("payment_coin", "payment_card", "fault", "repair", "rate_change")),
        F("occurred_at", "timestamp"), F("amount", "float", required=False, min=0.0),
        F("detail", required=False), F("plate", required=False, regex=PLATE),
    ),
    key=("event_id",), event_time="occurred_at",
    description="payment_*: amount paid (dollars) and detail = minutes bought; "
                "fault/repair: detail = fault code; rate_change: amount = new hourly rate. "
                "plate: the plate keyed in at a pay-by-plate meter (payments only).",
))

_register(Source(
    "permits", "csv", "Permit system",
    (
        F("permit_id"), F("permit_type", allowed=("residential", "commercial", "accessible", "event")),
        F("plate", regex=PLATE), F("province", allowed=PROVINCES), F("permit_area_id"),
        F("valid_from", "date"), F("valid_to", "date"),
        F("status", allowed=("approved", "pending", "revoked")),
        F("issued_at", "timestamp"), F("fee", "float", min=0.0),
    ),
    key=("permit_id",), event_time="issued_at", lake_day="delivery",
))

_register(Source(
    "exemptions", "csv", "Exemption register",
    (
        F("exemption_id"), F("plate", regex=PLATE), F("province", allowed=PROVINCES),
        F("reason", allowed=("municipal_fleet", "enforcement_officer", "contractor", "funeral", "utility")),
        F("zone_id", required=False), F("valid_from", "date"), F("valid_to", "date"),
    ),
    key=("exemption_id",), event_time=None,
))

_register(Source(
    "handheld_tickets", "csv", "Handheld ticket writer export",
    (
        F("ticket_number"), F("issued_at", "timestamp"), F("officer_id"), F("bylaw_code"),
        F("violation_type"), F("fine_amount", "float", min=0.0), F("plate", regex=PLATE),
        F("province", allowed=PROVINCES), F("make", required=False), F("model", required=False),
        F("colour", required=False), F("lat", "float", **LAT), F("lon", "float", **LON),
        F("street_address"), F("blockface_id", required=False), F("zone_id", required=False),
        F("issue_method", allowed=("windshield", "mail")),
        F("detection_source", allowed=("manual", "alpr")), F("evidence_ref", required=False),
    ),
    key=("ticket_number",), event_time="issued_at",
))

_register(Source(
    "ticket_payments", "csv", "Penalty payment processor",
    (
        F("payment_id"), F("ticket_number"), F("paid_at", "timestamp"),
        F("amount", "float", min=0.01), F("channel", allowed=("online", "in_person", "mail", "ivr")),
        F("reference", required=False),
    ),
    key=("payment_id",), event_time="paid_at",
))

_register(Source(
    "ticket_disputes", "csv", "AMPS dispute intake",
    (
        F("dispute_id"), F("ticket_number"), F("filed_at", "timestamp"),
        F("channel", allowed=("online", "in_person", "mail")), F("grounds", required=False),
    ),
    key=("dispute_id",), event_time="filed_at",
))

_register(Source(
    "dispute_decisions", "csv", "AMPS screening and hearing decisions",
    (
        F("decision_id"), F("dispute_id"), F("ticket_number"),
        F("review_level", allowed=("screening", "hearing")), F("decided_at", "timestamp"),
        F("outcome", allowed=("upheld", "reduced", "cancelled")),
        F("new_amount", "float", required=False, min=0.0), F("decided_by"),
    ),
    key=("decision_id",), event_time="decided_at",
))

_register(Source(
    "review_decisions", "csv", "Officer review queue (ops database export)",
    (
        F("read_id"), F("decision", allowed=("confirmed", "rejected")),
        F("reason", required=False,
          allowed=("misread_plate", "valid_payment_or_permit", "vehicle_not_parked", "signage_issue", "other")),
        F("reason_note", required=False), F("officer_id"), F("decided_at", "timestamp"),
        F("issue_method", required=False, allowed=("windshield", "mail")), F("ticket_number", required=False),
    ),
    key=("read_id",), event_time="decided_at",
    description="An officer's decision on one ALPR detection, exported from the ops database "
                "(warehouse/ops.py); a confirmed one's ticket arrives as a handheld ticket.",
))

# --- Bylaw ---------------------------------------------------------------------------

_register(Source(
    "open311_requests", "open311", "Online portal (Open311 GeoReport v2)",
    (
        F("service_request_id"), F("status", allowed=("open", "closed")), F("service_code"),
        F("service_name"), F("description", required=False), F("requested_datetime", "timestamp"),
        F("updated_datetime", "timestamp", required=False), F("address", required=False),
        F("lat", "float", **LAT), F("long", "float", **LON), F("media_url", required=False),
        F("first_name", required=False), F("last_name", required=False),
        F("email", required=False), F("phone", required=False),
    ),
    key=("service_request_id",), event_time="requested_datetime",
    description="A JSON array of GeoReport v2 service requests (with the POST contact fields).",
))

_register(Source(
    "calls_311", "csv", "311 contact centre",
    (
        F("call_id"), F("received_at", "timestamp"), F("request_type"),
        F("channel", allowed=("phone", "email", "walk_in", "council_referral")),
        F("address"), F("lat", "float", required=False, **LAT), F("lon", "float", required=False, **LON),
        F("description", required=False), F("anonymous", "bool"),
        F("caller_name", required=False), F("caller_phone", required=False),
    ),
    key=("call_id",), event_time="received_at", naive_tz=CITY_TZ,
    description="CSV; received_at is local time without offset (as the call system exports it).",
))

_register(Source(
    "assessment_roll", "csv", "Property assessment roll (MPAC extract)",
    (
        F("roll_number", regex=r"^\d{19}$"), F("address"), F("lat", "float", **LAT),
        F("lon", "float", **LON), F("property_class", allowed=("residential", "commercial", "industrial", "institutional", "vacant")),
        F("owner_name"), F("assessed_value", "int", min=0), F("ward"),
    ),
    key=("roll_number",), event_time=None,
))

_register(Source(
    "bylaw_cases", "csv", "Bylaw case management system",
    (
        F("case_id"), F("complaint_source", allowed=("open311", "calls_311", "proactive", "intake")),
        F("complaint_ref", required=False), F("opened_at", "timestamp"), F("bylaw_type"),
        F("roll_number", required=False), F("priority", allowed=("urgent", "standard", "low")),
        F("assigned_officer_id"), F("status", allowed=("open", "closed")),
        F("closed_at", "timestamp", required=False),
        F("outcome", required=False, allowed=("voluntary_compliance", "order_compliance", "remediation", "prosecution", "dismissed")),
    ),
    key=("case_id",), event_time="opened_at", lake_day="delivery",
    description="A current-state extract: the latest delivery of a case replaces earlier ones. "
                "complaint_source 'intake': a complaint taken in the ops database (bylaw/), complaint_ref "
                "its CMP- id; the ops export (bylaw/export.py) delivers its cases here too.",
))

_register(Source(
    "inspections", "csv", "Bylaw inspections",
    (
        F("inspection_id"), F("case_id"), F("inspected_at", "timestamp"), F("officer_id"),
        F("inspection_type", allowed=("initial", "re_inspection")),
        F("result", allowed=("violation_found", "no_violation", "complied", "not_complied")),
        F("notes", required=False),
    ),
    key=("inspection_id",), event_time="inspected_at",
))

_register(Source(
    "notices", "csv", "Notices and orders",
    (
        F("notice_id"), F("case_id"),
        F("notice_type", allowed=("compliance_notice", "order_to_comply", "part_i_ticket", "amp")),
        F("issued_at", "timestamp"), F("bylaw_section"), F("compliance_deadline", "date", required=False),
        F("served_method", allowed=("registered_mail", "personal", "digital")),
        F("served_at", "timestamp", required=False), F("fine_amount", "float", required=False, min=0.0),
    ),
    key=("notice_id",), event_time="issued_at",
))

_register(Source(
    "remediation_works", "csv", "Bylaw remediation works (contractor work orders and cost recovery)",
    (
        F("work_id"), F("case_id"), F("roll_number", required=False), F("contractor"),
        F("ordered_at", "timestamp"), F("completed_at", "timestamp", required=False),
        F("cost", "float", min=0.0), F("invoiced_at", "timestamp", required=False),
        F("added_to_tax_roll_on", "date", required=False),
        F("recovered_amount", "float", required=False, min=0.0),
        F("recovered_at", "timestamp", required=False),
    ),
    key=("work_id",), event_time="ordered_at", lake_day="delivery",
    description="Remedial work done by a contractor at the owner's cost (Municipal Act s.446): cost "
                "(contract price + administration fee, dollars) invoiced to the owner, added to the "
                "tax roll when unpaid, recovered_amount when collected. A current-state extract: "
                "the latest delivery of a work replaces earlier ones.",
))

_register(Source(
    "bylaw_fine_payments", "csv", "Bylaw fine payments (AMP and Part I ticket penalties)",
    (
        F("payment_id"), F("notice_id"), F("case_id"), F("paid_at", "timestamp"),
        F("amount", "float", min=0.01), F("channel", allowed=("online", "in_person", "mail")),
    ),
    key=("payment_id",), event_time="paid_at",
    description="One row per payment of an AMP or a Part I ticket (notices of type amp / "
                "part_i_ticket); a fine may be paid in instalments or not at all.",
))

# --- Reference data (GeoJSON in WGS84, and rosters) ----------------------------------

_register(Source(
    "zones", "geojson", "GIS: enforcement zones",
    (F("zone_id"), F("name"), F("geometry", "geometry")),
    key=("zone_id",), event_time=None,
))

_register(Source(
    "blockfaces", "geojson", "GIS: blockfaces (one side of one block)",
    (
        F("blockface_id"), F("zone_id"), F("street"), F("side", allowed=("N", "S", "E", "W")),
        F("spaces", "int", min=1), F("paid", "bool"), F("time_limit_minutes", "int", required=False, min=1),
        F("permit_area_id", required=False), F("school_zone_id", required=False),
        F("geometry", "geometry"),
        # Signed restrictions (optional: an extract without them just has none).
        F("rush_hour_route", "bool", required=False), F("snow_route", "bool", required=False),
        # Restricted stretches of kerb, in metres along the LineString from its first vertex.
        F("hydrant_at_m", "float", required=False, min=0.0),
        F("accessible_from_m", "float", required=False, min=0.0), F("accessible_to_m", "float", required=False, min=0.0),
        F("no_stopping_from_m", "float", required=False, min=0.0), F("no_stopping_to_m", "float", required=False, min=0.0),
        F("no_parking_from_m", "float", required=False, min=0.0), F("no_parking_to_m", "float", required=False, min=0.0),
    ),
    key=("blockface_id",), event_time=None,
    description="GeoJSON LineStrings (one side of one block). rush_hour_route: no stopping in the "
                "rush-hour windows; snow_route: no parking on declared snow days; *_m: where along the "
                "kerb the hydrant and the accessible, no-stopping and no-parking stretches are.",
))

_register(Source(
    "permit_areas", "geojson", "GIS: residential permit areas",
    (F("permit_area_id"), F("name"), F("geometry", "geometry")),
    key=("permit_area_id",), event_time=None,
))

_register(Source(
    "school_zones", "geojson", "GIS: school zones",
    (F("school_zone_id"), F("school_name"), F("geometry", "geometry")),
    key=("school_zone_id",), event_time=None,
))

_register(Source(
    "wards", "geojson", "GIS: municipal wards (council districts)",
    (F("ward"), F("name", required=False), F("geometry", "geometry")),
    key=("ward",), event_time=None,
    description="GeoJSON Polygons or MultiPolygons, one per ward. ward: the ward as the assessment "
                "roll names it (e.g. 'Ward 3'); name: its display name (the ward when empty). "
                "Blockfaces and their tickets take the ward their blockface's midpoint lies in.",
    extra={"geometry_types": ("Polygon", "MultiPolygon")},
))

_register(Source(
    "officers", "csv", "Enforcement staff roster",
    (
        F("officer_id"), F("badge_number"), F("unit", allowed=("parking", "bylaw")),
        F("home_zone_id", required=False), F("specialty", required=False), F("active", "bool"),
    ),
    key=("officer_id",), event_time=None,
))

_register(Source(
    "shifts", "csv", "Shift schedule",
    (
        F("shift_id"), F("officer_id"), F("shift_start", "timestamp"), F("shift_end", "timestamp"),
        F("zone_id", required=False), F("mode", allowed=("alpr", "foot", "bylaw")),
        F("unit_id", required=False),
    ),
    key=("shift_id",), event_time="shift_start",
))

# --- Legacy imports ------------------------------------------------------------------

_register(Source(
    "toronto_tickets", "csv", "City of Toronto parking ticket open data (legacy extract)",
    (
        F("Tag"), F("Issue_Date", "date"), F("Code", "int", min=1), F("Description"),
        F("Fine Amount", "float", min=0.01),
        F("Issue Time", required=False, regex=r"^([01]\d|2[0-3]):[0-5]\d$"),  # "NA" when unknown
        F("Proximity", required=False), F("Address"), F("Proximity_optional", required=False),
        F("Address_optional", required=False), F("Province", regex=r"^[A-Z]{2}$"),
        F("Month", required=False), F("Hour", required=False),
    ),
    key=("_source_file", "_row_number"), event_time="Issue_Date", null_tokens=("NA",),
    description="Imported by `civic import toronto-tickets`; the city publishes no ticket "
                "number, so a ticket is identified by its file and row.",
))


def source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(sorted(SOURCES))}") from None
