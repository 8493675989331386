"""The temporary changes a night's plans honour: snow days, closures and events by date."""

import datetime as dt
import json

import pytest

from routing.nightly import changes_for

DAY = dt.date(2026, 11, 3)


def test_closures_and_events_apply_on_their_days_and_snow_days_come_from_the_rules_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVIC_SNOW_ROUTE_DATES", "2026-11-02, 2026-11-03")
    (tmp_path / "routing").mkdir()
    (tmp_path / "routing" / "changes.json").write_text(json.dumps({
        "closures": [{"blockface_id": "BF-1", "from": "2026-11-01", "to": "2026-11-03"},
                     {"blockface_id": "BF-2", "from": "2026-11-04"},
                     {"blockface_id": "BF-3"}],
        "events": [{"blockface_ids": ["BF-7", "BF-8"], "day": "2026-11-03", "start": "18:00", "end": "22:00",
                    "boost": 2.5, "required": True},
                   {"blockface_ids": ["BF-9"], "day": "2026-11-04", "boost": 3}]}))
    c = changes_for(tmp_path, DAY)
    assert c.snow_day and c.closures == {"BF-1", "BF-3"}
    assert c.boosts == {"BF-7": 2.5, "BF-8": 2.5}
    start, end = c.required["BF-7"]
    assert (start.hour, end.hour, start.date()) == (18, 22, DAY) and start.utcoffset() == dt.timedelta(hours=-5)
    later = changes_for(tmp_path, DAY + dt.timedelta(days=1))
    assert not later.snow_day and later.closures == {"BF-2", "BF-3"} and later.boosts == {"BF-9": 3.0}
    assert later.required == {}


def test_no_file_no_changes_and_a_malformed_file_is_an_error(tmp_path, monkeypatch):
    monkeypatch.delenv("CIVIC_SNOW_ROUTE_DATES", raising=False)
    c = changes_for(tmp_path, DAY)
    assert not c.snow_day and not c.closures and not c.boosts and not c.required
    (tmp_path / "routing").mkdir()
    (tmp_path / "routing" / "changes.json").write_text(json.dumps({"events": [{"day": "2026-11-03"}]}))
    with pytest.raises(ValueError, match="changes.json"):
        changes_for(tmp_path, DAY)
