"""Scale presets of the demo municipality."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    days: int
    # street grid
    ew_streets: int  # streets running east-west (blockfaces N/S)
    ns_streets: int  # streets running north-south (blockfaces E/W)
    zones_x: int
    zones_y: int
    core: tuple[float, float, float, float]  # paid core as fractions of the grid: x0, x1, y0, y1
    n_permit_areas: int
    permit_area_blocks: tuple[int, int]
    n_school_zones: int
    # vehicles
    n_vehicles: int
    n_exempt: int
    # parking demand: arrivals per space per day by blockface kind (paid, limit, permit, free)
    turnover: tuple[float, float, float, float]
    # patrol
    alpr_units: int
    foot_officers: int
    bylaw_officers: int
    spare_officers: int
    p_ticket_alpr: float
    p_ticket_foot: float
    # bylaw
    complaints_per_day: float
    # defects/duplicates
    defects_per_source: tuple[int, int] | None  # fixed range over the run (ci)
    defect_rate: float  # per delivered row otherwise
    dup_rate: float
    misread_rate: float = 0.03
    alpr_step_s: tuple[float, float] = (25.0, 65.0)  # seconds per blockface driven


PRESETS: dict[str, Preset] = {
    "ci": Preset(
        name="ci", days=5, ew_streets=4, ns_streets=5, zones_x=2, zones_y=1,
        core=(0.0, 0.5, 0.0, 1.0), n_permit_areas=1, permit_area_blocks=(2, 3), n_school_zones=1,
        n_vehicles=2500, n_exempt=12,
        turnover=(5.5, 3.0, 2.2, 2.0),
        alpr_units=1, foot_officers=1, bylaw_officers=3, spare_officers=2,
        p_ticket_alpr=0.15, p_ticket_foot=0.35,
        complaints_per_day=20.0,
        defects_per_source=(1, 3), defect_rate=0.0, dup_rate=0.004, alpr_step_s=(60.0, 160.0),
    ),
    "city": Preset(
        name="city", days=365, ew_streets=30, ns_streets=30, zones_x=4, zones_y=3,
        core=(0.36, 0.64, 0.34, 0.66), n_permit_areas=8, permit_area_blocks=(4, 4), n_school_zones=14,
        n_vehicles=160_000, n_exempt=150,
        turnover=(2.0, 1.6, 1.0, 0.12),
        alpr_units=6, foot_officers=3, bylaw_officers=14, spare_officers=6,
        p_ticket_alpr=0.125, p_ticket_foot=0.45,
        complaints_per_day=41.0,
        defects_per_source=None, defect_rate=0.0005, dup_rate=0.001, alpr_step_s=(22.0, 58.0),
    ),
    "metro": Preset(
        name="metro", days=365, ew_streets=80, ns_streets=80, zones_x=8, zones_y=6,
        core=(0.25, 0.75, 0.25, 0.75), n_permit_areas=60, permit_area_blocks=(4, 4), n_school_zones=120,
        n_vehicles=1_500_000, n_exempt=1500,
        turnover=(2.1, 1.6, 1.0, 0.12),
        alpr_units=60, foot_officers=60, bylaw_officers=120, spare_officers=40,
        p_ticket_alpr=0.47, p_ticket_foot=0.7,
        complaints_per_day=420.0,
        defects_per_source=None, defect_rate=0.0005, dup_rate=0.001,
    ),
}
