"""The landing assets in Dagster: one asset per source, the chosen ones landed in one step."""

import dagster as dg
import pytest

from helpers import deliver
from orchestration.ingestion import land_deliveries, landing_file_sensor
from warehouse.config import paths
from warehouse.ingest import unlanded_files

PAYMENTS = ("payment_id,ticket_number,paid_at,amount,channel,reference\n"
            "P1,T1,2026-10-30T10:00:00-04:00,30.00,online,abc\n"
            "P2,T2,2026-10-30T11:00:00-04:00,bad,online,\n")
DISPUTES = ("dispute_id,ticket_number,filed_at,channel,grounds\n"
            "D1,T1,2026-10-30T09:00:00-04:00,online,not my car\n"
            "D2,T2,2026-10-30T09:30:00-04:00,carrier pigeon,\n"
            "D3,T3,2026-10-30T09:45:00-04:00,mail,\n")


def _metadata(result, name):
    [md] = [m.materialization.metadata for m in result.get_asset_materialization_events()
            if m.asset_key == dg.AssetKey(["raw", name])]
    return {k: md[k].value for k in ("files", "rows_in", "landed", "quarantined")}


def test_a_run_lands_only_the_sources_it_was_given_each_with_its_own_materialization_and_check(data_dir):
    deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-30.csv", PAYMENTS)
    deliver(data_dir, "ticket_disputes", "ticket_disputes_2026-10-30.csv", DISPUTES)
    deliver(data_dir, "permits", "permits_2026-10-30.csv", "permit_id\n")
    with dg.instance_for_test() as instance:
        result = dg.materialize([land_deliveries], instance=instance, partition_key="2026-10-30",
                                selection=[dg.AssetKey(["raw", "ticket_payments"]), dg.AssetKey(["raw", "ticket_disputes"])])
    assert result.success
    assert {m.asset_key.path[-1] for m in result.get_asset_materialization_events()} == {"ticket_payments", "ticket_disputes"}
    assert _metadata(result, "ticket_payments") == {"files": 1, "rows_in": 2, "landed": 1, "quarantined": 1}
    assert _metadata(result, "ticket_disputes") == {"files": 1, "rows_in": 3, "landed": 2, "quarantined": 1}
    checks = {e.asset_key.path[-1]: e.passed for e in result.get_asset_check_evaluations()}
    assert checks == {"ticket_payments": True, "ticket_disputes": True}
    p = paths()
    assert unlanded_files(p, "ticket_payments") == [] and unlanded_files(p, "ticket_disputes") == []
    assert [f.name for f in unlanded_files(p, "permits")] == ["permits_2026-10-30.csv"]  # not chosen: left


def test_the_sensor_asks_for_one_run_per_new_file_with_its_source_and_delivery_day(data_dir):
    deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-30.csv", PAYMENTS)
    deliver(data_dir, "ticket_disputes", "ticket_disputes_2026-10-31.csv", DISPUTES)
    with dg.instance_for_test() as instance:
        requests = landing_file_sensor(dg.build_sensor_context(instance=instance))
    got = sorted((r.asset_selection[0].path[-1], r.partition_key) for r in requests)
    assert got == [("ticket_disputes", "2026-10-31"), ("ticket_payments", "2026-10-30")]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_source_that_fails_to_land_does_not_stop_the_others(data_dir, monkeypatch, workers):
    import warehouse.ingest as ingest

    monkeypatch.setattr(ingest, "WORKERS", workers)  # in this process, or in forked workers

    real = ingest._land_group

    def land_or_fail(paths, src, group, index):
        if src.name == "ticket_disputes":
            raise OSError("disk unreadable")
        return real(paths, src, group, index)

    # inherited by the forked workers too
    monkeypatch.setattr(ingest, "_land_group", land_or_fail)
    deliver(data_dir, "ticket_payments", "ticket_payments_2026-10-30.csv", PAYMENTS)
    deliver(data_dir, "ticket_disputes", "ticket_disputes_2026-10-30.csv", DISPUTES)
    with dg.instance_for_test() as instance:
        result = dg.materialize([land_deliveries], instance=instance, partition_key="2026-10-30", raise_on_error=False,
                                selection=[dg.AssetKey(["raw", "ticket_payments"]), dg.AssetKey(["raw", "ticket_disputes"])])
    assert not result.success
    assert [m.asset_key.path[-1] for m in result.get_asset_materialization_events()] == ["ticket_payments"]
    assert _metadata(result, "ticket_payments") == {"files": 1, "rows_in": 2, "landed": 1, "quarantined": 1}
    p = paths()
    assert unlanded_files(p, "ticket_payments") == []
    assert [f.name for f in unlanded_files(p, "ticket_disputes")] == ["ticket_disputes_2026-10-30.csv"]  # lands next time
