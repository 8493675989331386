"""Bylaw enforcement: resident complaints (portal + 311), cases, inspections, notices,
remediation works by contractors (with their cost and its recovery) and fine payments.

The money side (remediation works, payments of AMPs and Part I tickets) draws from its own
random stream (``money_rng``), so adding it left every other extract byte-identical.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from . import names as N
from .timeutil import DAY, HOUR, MINUTE, NULL_TS
from .world import M_PER_DEG_LAT, M_PER_DEG_LON, World

SHARED_TYPES = Path(__file__).resolve().parents[2] / "shared" / "data" / "toronto_311" / "bylaw_request_types.csv"


def complaint_mix() -> tuple[list[tuple], np.ndarray]:
    """Complaint types and their relative frequency (from the 311 extract when available)."""
    counts = dict(N.DEFAULT_COUNTS)
    for cand in (SHARED_TYPES, Path("/work/shared/data/toronto_311/bylaw_request_types.csv")):
        if cand.exists():
            with open(cand, newline="") as fh:
                for row in csv.DictReader(fh):
                    if row["request_type"] in counts:
                        counts[row["request_type"]] = int(row["count"])
            break
    types = N.COMPLAINT_TYPES
    w = np.array([counts[t[0]] for t in types], dtype=np.float64)
    return types, w / w.sum()


def seasonal_factor(bylaw_type: str, month: int) -> float:
    if bylaw_type == "long_grass":
        return {5: 2.2, 6: 2.8, 7: 2.6, 8: 2.2, 9: 1.4, 4: 0.6, 10: 0.5}.get(month, 0.05)
    if bylaw_type == "adequate_heat":
        return {10: 1.5, 11: 2.0, 12: 2.4, 1: 2.6, 2: 2.2, 3: 1.6, 4: 1.0}.get(month, 0.1)
    if bylaw_type == "noise":
        return {6: 1.4, 7: 1.5, 8: 1.4, 5: 1.2, 9: 1.2, 12: 0.7, 1: 0.6, 2: 0.6}.get(month, 1.0)
    if bylaw_type in ("parks", "graffiti"):
        return {5: 1.3, 6: 1.5, 7: 1.5, 8: 1.4, 12: 0.5, 1: 0.5, 2: 0.5}.get(month, 1.0)
    return 1.0


_H = np.arange(24)
DAY_PROFILE = np.exp(-0.5 * ((_H + 0.5 - 13) / 3.5) ** 2) + 0.02
DAY_PROFILE /= DAY_PROFILE.sum()
NIGHT_PROFILE = np.exp(-0.5 * (((_H + 0.5 - 23.5 + 12) % 24 - 12) / 3.0) ** 2) + 0.05
NIGHT_PROFILE /= NIGHT_PROFILE.sum()

P_VIOLATION = {"noise": 0.5, "adequate_heat": 0.7, "long_grass": 0.75, "property_standards": 0.65, "waste": 0.7,
               "graffiti": 0.8, "signs": 0.7, "zoning": 0.5, "business_licensing": 0.5, "parks": 0.4,
               "public_spaces": 0.4, "animal_control": 0.5}
REMEDIABLE = {"long_grass", "waste", "graffiti", "property_standards"}
QUICK_AMP = {"noise", "business_licensing", "parks", "public_spaces", "animal_control"}
# Remediation by a contractor at the owner's cost (Municipal Act s.446): contractor's price
# range in dollars per bylaw type, plus the city's administration fee (a share, at least a
# minimum), invoiced to the owner and, when unpaid, added to the tax roll.
REMEDIATION_COST = {"long_grass": (180.0, 650.0), "waste": (350.0, 2800.0), "graffiti": (250.0, 1500.0),
                    "property_standards": (1200.0, 14000.0)}
ADMIN_FEE_PCT, ADMIN_FEE_MIN = 0.15, 125.0
CONTRACTORS = {
    "long_grass": ["Grand River Lawn & Property Care", "Waterloo Region Grounds Ltd.", "Conestoga Yard Services"],
    "waste": ["Bridgeport Clean-Up Inc.", "Waterloo Region Grounds Ltd.", "Twin City Junk Removal"],
    "graffiti": ["Graffiti Gone Kitchener", "Bridgeport Clean-Up Inc."],
    "property_standards": ["Victoria Park Contracting", "Doon Valley Builders Ltd.", "Conestoga Yard Services"],
}
PAY_CHANNELS = np.array(["online", "in_person", "mail"], dtype=object)
# Share of AMPs / Part I tickets eventually paid (some never are).
P_FINE_PAID = {"amp": 0.72, "part_i_ticket": 0.58}
NOTES = ["Photos taken", "Spoke with owner", "Tenant interviewed", "No access, viewed from street",
         "Condition unchanged", "Work in progress", "Left card at door", ""]


class Bylaw:
    def __init__(self, w: World):
        self.w = w
        self.types, self.base_w = complaint_mix()
        self.sr_seq = 0
        self.call_seq = 0
        self.case_seq = 0
        self.ins_seq = 0
        self.not_seq = 0
        self.work_seq = 0
        self.pay_seq = 0
        props = w.props
        cdf = np.cumsum(props["weight"])
        self.prop_cdf = cdf / cdf[-1]
        self.bylaw_officers = np.flatnonzero((w.officers["unit"] == "bylaw") & w.officers["active"])

    # -- helpers ------------------------------------------------------------------------------
    def _business(self, day: int, rng, lo=9.0, hi=16.0) -> int:
        """A random business-hour instant on the first weekday on/after local day ``day``."""
        c = self.w.clock
        wd = (day + c.dates[0].weekday()) % 7
        if wd >= 5:
            day += 7 - wd
        return c.local_to_utc1(day, int(rng.uniform(lo * HOUR, hi * HOUR)))

    def _next_business(self, t: int, rng, min_gap: int = 10 * MINUTE) -> int:
        """A business-hour instant at least ``min_gap`` after t (same day if there is time left)."""
        c = self.w.clock
        t = t + min_gap
        day = self._day_of(t)
        wd = (day + c.dates[0].weekday()) % 7
        sod = c.seconds_of_day1(t)
        if wd < 5 and 9 * HOUR <= sod < 15 * HOUR:
            return t + int(rng.integers(0, HOUR))
        if wd < 5 and sod < 9 * HOUR:
            return self._business(day, rng, 9.0, 12.0)
        return self._business(day + 1, rng, 9.0, 16.0)

    def _day_of(self, t: int) -> int:
        return self.w.clock.local_day1(t)

    # -- one day ----------------------------------------------------------------------------
    def day(self, k: int, rng, money_rng=None) -> dict[str, list[dict]]:
        w = self.w
        c = w.clock
        date = c.dates[k]
        self.money_rng = money_rng if money_rng is not None else np.random.default_rng([k, 17])
        out: dict[str, list] = {"open311_requests": [], "calls_311": [], "bylaw_cases": [], "inspections": [], "notices": [],
                                "remediation_works": [], "bylaw_fine_payments": []}
        month = date.month
        sf = np.array([seasonal_factor(t[2], month) for t in self.types])
        wts = self.base_w * sf
        wts /= wts.sum()
        dayf = {5: 0.8, 6: 0.7}.get(date.weekday(), 1.0)
        mean_sf = float((self.base_w * sf).sum())
        n = int(rng.poisson(w.preset.complaints_per_day * dayf * mean_sf))
        ti = rng.choice(len(self.types), n, p=wts)
        btype = np.array([self.types[i][2] for i in ti], dtype=object)
        noisy = btype == "noise"
        hours = np.where(noisy, rng.choice(24, n, p=NIGHT_PROFILE), rng.choice(24, n, p=DAY_PROFILE))
        secs = hours * HOUR + rng.integers(0, HOUR, n)
        t = c.local_to_utc(np.full(n, k), secs)
        prop = np.searchsorted(self.prop_cdf, rng.random(n), side="right").clip(0, len(self.prop_cdf) - 1)
        pr = w.props
        lat = pr["lat"][prop] + rng.normal(0, 8, n) / M_PER_DEG_LAT
        lon = pr["lon"][prop] + rng.normal(0, 8, n) / M_PER_DEG_LON
        portal = rng.random(n) < 0.4
        desc_all = [N.DESCRIPTIONS[b][int(rng.integers(0, len(N.DESCRIPTIONS[b])))] for b in btype.tolist()]
        fn = rng.integers(0, len(N.FIRST_NAMES), n)
        ln = rng.integers(0, len(N.LAST_NAMES), n)
        phone = rng.integers(0, 10**7, n)
        ymd = date.strftime("%Y%m%d")

        # portal requests (Open311)
        pi = np.flatnonzero(portal)
        refs = {}
        if len(pi):
            sr_ids = np.array([f"SR-{date.year % 100:02d}-{self.sr_seq + j + 1:07d}" for j in range(len(pi))], dtype=object)
            self.sr_seq += len(pi)
            contact = rng.random(len(pi)) < 0.7
            first = np.where(contact, np.array(N.FIRST_NAMES, dtype=object)[fn[pi]], "")
            last = np.where(contact, np.array(N.LAST_NAMES, dtype=object)[ln[pi]], "")
            email = np.where(contact & (rng.random(len(pi)) < 0.9),
                             np.array([f"{a.lower()}.{b.lower()}{int(x) % 100}@example.com" for a, b, x in
                                       zip(np.array(N.FIRST_NAMES)[fn[pi]], np.array(N.LAST_NAMES)[ln[pi]], phone[pi])], dtype=object), "")
            ph = np.where(contact & (rng.random(len(pi)) < 0.5),
                          np.array([f"519-{(x // 10000) % 900 + 100:03d}-{x % 10000:04d}" for x in phone[pi].tolist()], dtype=object), "")
            closed_same_day = rng.random(len(pi)) < 0.15
            upd = np.where(closed_same_day, t[pi] + rng.integers(30 * MINUTE, 4 * HOUR, len(pi)),
                           np.where(rng.random(len(pi)) < 0.5, t[pi] + rng.integers(1 * MINUTE, 20 * MINUTE, len(pi)), NULL_TS))
            end_of_day = c.mid_utc[k + 1] - 1
            upd = np.where(upd != NULL_TS, np.minimum(upd, end_of_day), NULL_TS)
            closed_same_day &= upd != NULL_TS
            media = np.where(rng.random(len(pi)) < 0.25,
                             np.array([f"https://engage.kitchener.example/media/{s}.jpg" for s in sr_ids.tolist()], dtype=object), "")
            out["open311_requests"].append({
                "service_request_id": sr_ids, "status": np.where(closed_same_day, "closed", "open").astype(object),
                "service_code": np.array([self.types[i][1] for i in ti[pi]], dtype=object),
                "service_name": np.array([self.types[i][0] for i in ti[pi]], dtype=object),
                "description": np.where(rng.random(len(pi)) < 0.85, np.array(desc_all, dtype=object)[pi], ""),
                "requested_datetime": t[pi], "updated_datetime": upd,
                "address": np.where(rng.random(len(pi)) < 0.9, pr["address"][prop[pi]], ""),
                "lat": lat[pi], "long": lon[pi], "media_url": media,
                "first_name": first, "last_name": last, "email": email, "phone": ph, "_t": t[pi],
            })
            # requests closed the same day (duplicates, referred elsewhere) never open a case
            for j, i in enumerate(pi.tolist()):
                if not closed_same_day[j]:
                    refs[i] = ("open311", sr_ids[j])
        # 311 calls
        ci = np.flatnonzero(~portal)
        if len(ci):
            tc = t[ci].copy()
            # avoid the repeated hour at the fall-back transition (naive local times would be ambiguous)
            loc = c.to_local(tc)
            amb = c.to_local(tc - HOUR) // HOUR == loc // HOUR
            amb |= c.to_local(tc + HOUR) // HOUR == loc // HOUR
            tc = np.where(amb, tc + 2 * HOUR, tc)
            call_ids = np.array([f"C{ymd}{self.call_seq + j + 1:06d}" for j in range(len(ci))], dtype=object)
            self.call_seq += len(ci)
            channel = np.array(["phone", "email", "walk_in", "council_referral"], dtype=object)[
                rng.choice(4, len(ci), p=[0.75, 0.12, 0.05, 0.08])]
            anon = (rng.random(len(ci)) < 0.3) & (channel != "council_referral")
            has_ll = np.where(channel == "phone", rng.random(len(ci)) < 0.5, rng.random(len(ci)) < 0.3)
            out["calls_311"].append({
                "call_id": call_ids, "received_at": tc,
                "request_type": np.array([self.types[i][0] for i in ti[ci]], dtype=object),
                "channel": channel, "address": pr["address"][prop[ci]],
                "lat": np.where(has_ll, lat[ci], np.nan), "lon": np.where(has_ll, lon[ci], np.nan),
                "description": np.where(rng.random(len(ci)) < 0.8, np.array(desc_all, dtype=object)[ci], ""),
                "anonymous": anon,
                "caller_name": np.where(anon, "", np.array([f"{N.FIRST_NAMES[a]} {N.LAST_NAMES[b]}" for a, b in zip(fn[ci], ln[ci])], dtype=object)),
                "caller_phone": np.where(anon | (rng.random(len(ci)) < 0.1), "",
                                         np.array([f"519-{(x // 10000) % 900 + 100:03d}-{x % 10000:04d}" for x in phone[ci].tolist()], dtype=object)),
                "_t": tc,
            })
            for j, i in enumerate(ci.tolist()):
                refs[i] = ("calls_311", call_ids[j])
                t[i] = tc[j]

        # cases from complaints, plus proactive cases
        cases = []
        for i in sorted(refs):
            typ = self.types[ti[i]]
            if rng.random() < typ[4]:
                cases.append((refs[i][0], refs[i][1], int(t[i]), typ[2], int(prop[i]), typ[3]))
        n_pro = int(rng.poisson(0.12 * max(n, 1)))
        pro_types = ["property_standards", "long_grass", "signs", "waste", "zoning"]
        for _ in range(n_pro):
            bt = pro_types[int(rng.integers(0, len(pro_types)))]
            if bt == "long_grass" and seasonal_factor(bt, month) < 0.5:
                bt = "property_standards"
            pi_ = int(rng.integers(0, len(pr["roll"])))
            cases.append(("proactive", "", self._business(k, rng) - 2 * HOUR, bt, pi_, "low" if bt in ("signs", "long_grass") else "standard"))
        for case in cases:
            self._case(k, rng, *case, out)
        return out

    def _case(self, k, rng, source, ref, t_c, btype, prop, priority, out) -> None:
        w = self.w
        c = w.clock
        r = rng.random()
        if r < 0.05:
            priority = {"urgent": "standard", "standard": "urgent", "low": "standard"}[priority]
        if priority == "urgent":
            opened = t_c + int(rng.integers(10 * MINUTE, 3 * HOUR))
        elif source == "proactive":
            opened = t_c + int(rng.integers(0, 2 * HOUR))
        else:
            lag = int(rng.integers(0, 3 if priority == "standard" else 5))
            opened = max(self._business(self._day_of(t_c) + lag, rng, 8.5, 16.5), t_c + 15 * MINUTE)
        self.case_seq += 1
        year = c.dates[min(max(self._day_of(opened), 0), c.n_days - 1)].year
        case_id = f"BL-{year}-{self.case_seq:06d}"
        officer = int(self.bylaw_officers[int(rng.integers(0, len(self.bylaw_officers)))])
        off_id = w.officers["id"][officer]
        roll = "" if btype in ("parks", "public_spaces") else w.props["roll"][prop]
        # ---- lifecycle --------------------------------------------------------------------
        insp, notices = [], []

        def inspect(t, itype, result):
            self.ins_seq += 1
            other = rng.random() < 0.1
            o = off_id if not other else w.officers["id"][int(self.bylaw_officers[int(rng.integers(0, len(self.bylaw_officers)))])]
            insp.append((f"INS-{self.ins_seq:08d}", t, o, itype, result, NOTES[int(rng.integers(0, len(NOTES)))]))

        def notice(t, ntype, deadline_days=None, fine=None):
            self.not_seq += 1
            served = ["registered_mail", "personal", "digital"][int(rng.choice(3, p=[0.45, 0.35, 0.2]))]
            if served == "registered_mail":
                s_at = self._business(self._day_of(t) + int(rng.integers(3, 7)), rng) if rng.random() < 0.9 else NULL_TS
            elif served == "personal":
                s_at = t
            else:
                s_at = t + int(rng.integers(1, 30)) * MINUTE
            dl = None
            if deadline_days is not None:
                dl = self._day_of(t) + deadline_days
            notices.append((f"NTC-{self.not_seq:08d}", t, ntype, N.BYLAW_SECTIONS[btype], dl, served, s_at, fine))
            return dl

        if priority == "urgent":
            t_i = opened + int(rng.integers(15 * MINUTE, 4 * HOUR))
        else:
            lag = int(rng.integers(1, 6 if priority == "standard" else 11))
            t_i = max(self._business(self._day_of(opened) + lag, rng), opened + HOUR)
        found = rng.random() < P_VIOLATION.get(btype, 0.5)
        closed_at, outcome = NULL_TS, ""
        remediation_from = NULL_TS
        if not found:
            inspect(t_i, "initial", "no_violation")
            closed_at = t_i + int(rng.integers(HOUR, 2 * DAY))
            outcome = "dismissed"
        else:
            inspect(t_i, "initial", "violation_found")
            t_n = self._next_business(t_i, rng) if priority != "urgent" else t_i + int(rng.integers(10 * MINUTE, HOUR))
            if btype in QUICK_AMP and rng.random() < 0.6:
                ntype = "amp" if rng.random() < 0.7 else "part_i_ticket"
                notice(t_n, ntype, None, float(rng.choice([300.0, 400.0, 500.0])))
                closed_at = t_n + int(rng.integers(HOUR, 2 * DAY))
                outcome = "prosecution"
            else:
                if btype == "adequate_heat":
                    ntype, dd = "order_to_comply", int(rng.integers(1, 3))
                else:
                    ntype = "compliance_notice" if rng.random() < 0.6 else "order_to_comply"
                    dd = int(rng.integers(7, 22)) if ntype == "compliance_notice" else int(rng.integers(14, 31))
                dl = notice(t_n, ntype, dd)
                t_r = self._business(dl + int(rng.integers(0, 4)), rng)
                if rng.random() < 0.72:
                    inspect(t_r, "re_inspection", "complied")
                    closed_at = t_r + int(rng.integers(HOUR, 2 * DAY))
                    outcome = "voluntary_compliance" if ntype == "compliance_notice" else "order_compliance"
                else:
                    inspect(t_r, "re_inspection", "not_complied")
                    if ntype == "compliance_notice":
                        t_n2 = self._next_business(t_r, rng)
                        dl2 = notice(t_n2, "order_to_comply", int(rng.integers(14, 22)))
                        t_r2 = self._business(dl2 + int(rng.integers(0, 4)), rng)
                        if rng.random() < 0.6:
                            inspect(t_r2, "re_inspection", "complied")
                            closed_at = t_r2 + int(rng.integers(HOUR, 2 * DAY))
                            outcome = "order_compliance"
                        else:
                            inspect(t_r2, "re_inspection", "not_complied")
                            t_r = t_r2
                            closed_at = NULL_TS
                    if closed_at == NULL_TS:
                        if btype in REMEDIABLE and rng.random() < 0.6:
                            closed_at = t_r + int(rng.integers(5, 21)) * DAY
                            outcome = "remediation"
                            remediation_from = t_r
                        else:
                            t_n3 = self._next_business(t_r + int(rng.integers(0, 2)) * DAY, rng)
                            notice(t_n3, "part_i_ticket", None, float(rng.choice([300.0, 500.0, 750.0, 1000.0])))
                            closed_at = t_n3 + int(rng.integers(HOUR, 3 * DAY))
                            outcome = "prosecution"
        # ---- emit ---------------------------------------------------------------------------
        d_open = self._day_of(opened)
        d_close = self._day_of(closed_at) if closed_at != NULL_TS else 10**9
        in_period = d_close < c.n_days
        base = {"case_id": case_id, "complaint_source": source, "complaint_ref": ref, "opened_at": opened,
                "bylaw_type": btype, "roll_number": roll, "priority": priority, "assigned_officer_id": off_id}
        if in_period and d_close == d_open:
            out["bylaw_cases"].append((dict(base, status="closed", closed_at=closed_at, outcome=outcome), d_open, False))
        else:
            out["bylaw_cases"].append((dict(base, status="open", closed_at=NULL_TS, outcome=""), d_open, False))
            if in_period:
                out["bylaw_cases"].append((dict(base, status="closed", closed_at=closed_at, outcome=outcome), d_close, True))
        for i_id, t_, o, itype, res, note in insp:
            out["inspections"].append({"inspection_id": i_id, "case_id": case_id, "inspected_at": t_, "officer_id": o,
                                       "inspection_type": itype, "result": res, "notes": note})
        for n_id, t_, ntype, sec, dl, served, s_at, fine in notices:
            out["notices"].append({"notice_id": n_id, "case_id": case_id, "notice_type": ntype, "issued_at": t_,
                                   "bylaw_section": sec, "compliance_deadline": dl, "served_method": served,
                                   "served_at": s_at, "fine_amount": fine})
            if fine is not None:
                self._fine_payments(n_id, case_id, ntype, t_, fine, out)
        if remediation_from != NULL_TS:
            self._remediation(case_id, roll, btype, remediation_from, closed_at, out)

    # -- money: remediation works and fine payments (own random stream) --------------------
    def _remediation(self, case_id, roll, btype, t_r, closed_at, out) -> None:
        """A contractor's work ordered after the failed re-inspection at t_r, completed before
        the case closes, invoiced to the owner; paid directly or added to the tax roll and
        recovered with the taxes (or not yet). Delivered like the case extract: once when
        ordered, and again (the current state) on the day of its last change in the period."""
        rng = self.money_rng
        c = self.w.clock
        self.work_seq += 1
        work_id = f"RW-{self.work_seq:07d}"
        ordered = self._next_business(t_r + DAY, rng)
        completed = max(ordered + 2 * HOUR, closed_at - int(rng.integers(HOUR, 20 * HOUR)))
        lo, hi = REMEDIATION_COST[btype]
        price = float(np.round(rng.uniform(lo, hi), 2))
        cost = round(price + max(ADMIN_FEE_MIN, round(price * ADMIN_FEE_PCT, 2)), 2)
        names = CONTRACTORS[btype]
        contractor = names[int(rng.integers(0, len(names)))]
        invoiced = self._business(self._day_of(completed) + int(rng.integers(3, 15)), rng)
        on_roll, rec_amt, rec_at = None, None, NULL_TS
        if rng.random() < 0.4:  # the owner pays the invoice
            rec_at = self._business(self._day_of(invoiced) + int(rng.integers(5, 45)), rng)
            rec_amt = cost
        else:  # unpaid after the demand: added to the tax roll, collected like taxes
            on_roll = self._day_of(invoiced) + int(rng.integers(45, 76))
            if rng.random() < 0.85:
                rec_at = self._business(on_roll + int(rng.integers(30, 150)), rng)
                rec_amt = cost
        events = [(self._day_of(completed), "completed_at", completed), (self._day_of(invoiced), "invoiced_at", invoiced)]
        if on_roll is not None:
            events.append((on_roll, "added_to_tax_roll_on", on_roll))
        if rec_at != NULL_TS:
            events.append((self._day_of(rec_at), "recovered_at", rec_at))
        d_order = self._day_of(ordered)

        def state(as_of_day: int) -> dict:
            rec = {"work_id": work_id, "case_id": case_id, "roll_number": roll, "contractor": contractor,
                   "ordered_at": ordered, "completed_at": NULL_TS, "cost": cost, "invoiced_at": NULL_TS,
                   "added_to_tax_roll_on": None, "recovered_amount": None, "recovered_at": NULL_TS}
            for d, name, v in events:
                if d <= as_of_day:
                    rec[name] = v
                    if name == "recovered_at":
                        rec["recovered_amount"] = rec_amt
            return rec

        out["remediation_works"].append((state(d_order), d_order, False))
        known = [d for d, _, _ in events if d_order < d < c.n_days]
        if known:
            last = max(known)
            out["remediation_works"].append((state(last), last, True))

    def _fine_payments(self, notice_id, case_id, ntype, issued, fine, out) -> None:
        """Payments of an AMP or a Part I ticket: most pay in full, some in two instalments
        (the second one sometimes never comes), the rest not at all."""
        rng = self.money_rng
        if rng.random() >= P_FINE_PAID.get(ntype, 0.6):
            return
        ch = PAY_CHANNELS[int(rng.choice(3, p=[0.62, 0.23, 0.15]))]
        first = issued + int(rng.integers(1, 35)) * DAY + int(rng.integers(0, DAY))
        if rng.random() < 0.85:
            parts = [(first, fine)]
        else:
            half = round(fine / 2, 2)
            parts = [(first, half)]
            if rng.random() < 0.7:
                parts.append((first + int(rng.integers(20, 40)) * DAY, round(fine - half, 2)))
        for t, amount in parts:
            self.pay_seq += 1
            out["bylaw_fine_payments"].append({"payment_id": f"FP-{self.pay_seq:08d}", "notice_id": notice_id,
                                               "case_id": case_id, "paid_at": int(t), "amount": float(amount),
                                               "channel": ch})
