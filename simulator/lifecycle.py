"""What happens to a ticket after it is issued: payments, AMPS disputes, screening and hearing."""

from __future__ import annotations

import numpy as np

from .names import DISPUTE_GROUNDS
from .timeutil import DAY, HOUR, MINUTE

PAY_CHANNELS = np.array(["online", "in_person", "mail", "ivr"], dtype=object)


def _at_hours(clock, utc, rng, lo_h, hi_h, weekdays_only=False):
    """Move instants to a random local time between lo_h and hi_h, never earlier than given.

    The time is taken on the same local day when that is still ahead, else on the next
    (week)day.
    """
    utc = np.asarray(utc, dtype=np.int64)
    secs = rng.integers(int(lo_h * HOUR), int(hi_h * HOUR), len(utc))
    day = clock.local_day_index(utc)

    def on(day):
        if weekdays_only:
            wd = (np.asarray(day) + clock.dates[0].weekday()) % 7
            day = day + np.where(wd == 5, 2, np.where(wd == 6, 1, 0))
        return clock.local_to_utc(day, secs)

    t = on(day)
    return np.where(t >= utc, t, on(day + 1))


class TicketLifecycle:
    def __init__(self, seed: int, dispute_rate: float = 0.06, dispute_lag_days: float = 4.0, screening_lag_days: float = 5.0):
        self.pay_seq = 0
        self.dsp_seq = 0
        self.dec_seq = 0
        self.dispute_rate = dispute_rate
        self.dispute_lag = dispute_lag_days
        self.screening_lag = screening_lag_days

    def generate(self, clock, rng, tickets: dict) -> dict[str, dict]:
        """Payments, disputes and decisions for a day's tickets (any future date; delivery clips)."""
        n = len(tickets["ticket_number"])
        tn = tickets["ticket_number"]
        t0 = tickets["issued_at"].astype(np.int64)
        fine = tickets["fine_amount"].astype(np.float64)
        pays_t, pays_amt, pays_tn = [], [], []
        disputed = rng.random(n) < self.dispute_rate
        # ---- disputes --------------------------------------------------------------------
        di = np.flatnonzero(disputed)
        nd = len(di)
        filed = t0[di] + HOUR + (rng.exponential(self.dispute_lag, nd) * DAY).astype(np.int64)
        filed = np.minimum(filed, t0[di] + 15 * DAY)
        filed = _at_hours(clock, filed, rng, 7, 23)
        dsp_ids = np.array([f"DSP-{self.dsp_seq + i + 1:07d}" for i in range(nd)], dtype=object)
        self.dsp_seq += nd
        disputes = {
            "dispute_id": dsp_ids, "ticket_number": tn[di], "filed_at": filed,
            "channel": np.array(["online", "in_person", "mail"], dtype=object)[rng.choice(3, nd, p=[0.7, 0.15, 0.15])],
            "grounds": np.array(DISPUTE_GROUNDS, dtype=object)[rng.integers(0, len(DISPUTE_GROUNDS), nd)],
            "_t": filed,
        }
        # screening
        scr_t = filed + 2 * HOUR + (rng.exponential(self.screening_lag, nd) * DAY).astype(np.int64)
        scr_t = _at_hours(clock, np.maximum(scr_t, filed + HOUR), rng, 9, 17, weekdays_only=True)
        scr_t = np.maximum(scr_t, filed + HOUR)
        scr_out = rng.choice(3, nd, p=[0.5, 0.3, 0.2])  # upheld, reduced, cancelled
        amt = fine[di].copy()
        scr_new = np.where(scr_out == 1, np.round(amt * rng.uniform(0.5, 0.8, nd)), np.where(scr_out == 2, 0.0, np.nan))
        amt_after = np.where(scr_out == 1, scr_new, np.where(scr_out == 2, 0.0, amt))
        hearing = (scr_out < 2) & (rng.random(nd) < 0.25)
        hi = np.flatnonzero(hearing)
        hr_t = scr_t[hi] + rng.integers(45, 100, len(hi)) * DAY
        hr_t = _at_hours(clock, hr_t, rng, 9.5, 16, weekdays_only=True)
        hr_out = rng.choice(3, len(hi), p=[0.5, 0.3, 0.2])
        hr_new = np.where(hr_out == 1, np.round(amt_after[hi] * rng.uniform(0.5, 0.8, len(hi))),
                          np.where(hr_out == 2, 0.0, np.nan))
        final_amt = amt_after.copy()
        final_amt[hi] = np.where(hr_out == 1, hr_new, np.where(hr_out == 2, 0.0, amt_after[hi]))
        final_t = scr_t.copy()
        final_t[hi] = hr_t
        outcomes = np.array(["upheld", "reduced", "cancelled"], dtype=object)
        n_dec = nd + len(hi)
        dec_ids = np.array([f"DEC-{self.dec_seq + i + 1:07d}" for i in range(n_dec)], dtype=object)
        self.dec_seq += n_dec
        decisions = {
            "decision_id": dec_ids,
            "dispute_id": np.concatenate([dsp_ids, dsp_ids[hi]]),
            "ticket_number": np.concatenate([tn[di], tn[di][hi]]),
            "review_level": np.array(["screening"] * nd + ["hearing"] * len(hi), dtype=object),
            "decided_at": np.concatenate([scr_t, hr_t]),
            "outcome": np.concatenate([outcomes[scr_out], outcomes[hr_out]]),
            "new_amount": np.concatenate([scr_new, hr_new]),
            "decided_by": np.concatenate([
                np.array([f"SO-{i:02d}" for i in rng.integers(1, 7, nd)], dtype=object),
                np.array([f"HO-{i:02d}" for i in rng.integers(1, 4, len(hi))], dtype=object)]),
        }
        decisions["_t"] = decisions["decided_at"]
        # disputed tickets still owing pay after the final decision (most do)
        owe = (final_amt > 0) & (rng.random(nd) < 0.85)
        oi = np.flatnonzero(owe)
        pays_tn.append(tn[di][oi])
        pays_t.append(final_t[oi] + HOUR + (rng.exponential(7, len(oi)) * DAY).astype(np.int64))
        pays_amt.append(final_amt[oi])

        # ---- undisputed tickets ------------------------------------------------------------
        ui = np.flatnonzero(~disputed)
        nu = len(ui)
        cat = rng.choice(4, nu, p=[0.47, 0.22, 0.06, 0.25])  # early, late, partial, never
        early = ui[cat == 0]
        pays_tn.append(tn[early])
        pays_t.append(t0[early] + 20 * MINUTE + (np.minimum(rng.exponential(3, len(early)), 14) * DAY).astype(np.int64))
        pays_amt.append(fine[early])
        late = ui[cat == 1]
        pays_tn.append(tn[late])
        pays_t.append(t0[late] + rng.integers(15, 76, len(late)) * DAY)
        pays_amt.append(fine[late])
        part = ui[cat == 2]
        share = np.round(rng.uniform(0.3, 0.6, len(part)) * fine[part])
        first_t = t0[part] + rng.integers(5, 41, len(part)) * DAY
        pays_tn.append(tn[part])
        pays_t.append(first_t)
        pays_amt.append(share)
        rest = rng.random(len(part)) < 0.5
        pays_tn.append(tn[part][rest])
        pays_t.append(first_t[rest] + rng.integers(10, 61, rest.sum()) * DAY)
        pays_amt.append(fine[part][rest] - share[rest])

        p_tn = np.concatenate(pays_tn)
        p_t = np.concatenate(pays_t).astype(np.int64)
        p_amt = np.round(np.concatenate(pays_amt), 2)
        m = len(p_tn)
        ch = PAY_CHANNELS[rng.choice(4, m, p=[0.62, 0.12, 0.08, 0.18])]
        inperson = ch == "in_person"
        p_t = np.where(inperson, _at_hours(clock, p_t, rng, 9, 16.5, weekdays_only=True), p_t)
        mail = ch == "mail"
        p_t = np.where(mail, _at_hours(clock, p_t, rng, 10, 15, weekdays_only=True), p_t)
        ok = p_amt >= 0.01
        p_tn, p_t, p_amt, ch = p_tn[ok], p_t[ok], p_amt[ok], ch[ok]
        m = len(p_tn)
        o = np.lexsort((p_tn, p_t))
        p_tn, p_t, p_amt, ch = p_tn[o], p_t[o], p_amt[o], ch[o]
        pids = np.array([f"PAY-{self.pay_seq + i + 1:09d}" for i in range(m)], dtype=object)
        self.pay_seq += m
        refs = rng.integers(0, 16**8, m)
        ref = np.where(ch == "online", np.array([f"WEB-{r:08X}" for r in refs.tolist()], dtype=object),
                       np.where(ch == "ivr", np.array([f"IVR-{r % 10**7:07d}" for r in refs.tolist()], dtype=object),
                                np.where(ch == "mail", np.where(refs % 3 == 0, "", np.array([f"CHQ-{r % 10**4:04d}" for r in refs.tolist()], dtype=object)),
                                         np.array([f"RCPT-{r % 10**6:06d}" for r in refs.tolist()], dtype=object))))
        payments = {"payment_id": pids, "ticket_number": p_tn, "paid_at": p_t, "amount": p_amt, "channel": ch,
                    "reference": ref.astype(object), "_t": p_t}
        return {"ticket_payments": payments, "ticket_disputes": disputes, "dispute_decisions": decisions}
