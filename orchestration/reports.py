"""Council reports (thin wiring around apps/reports/): one asset partitioned by month and
one by quarter, each rendered from the serving snapshot into
$CIVIC_DATA_DIR/reports/council/<period>/ and scheduled after its period ends."""

import datetime as dt
import os

import dagster as dg

from data_contracts.sources import CITY_TZ
from warehouse.config import paths

FORMATS_ENV = "CIVIC_REPORT_FORMATS"
START_ENV = "CIVIC_REPORTS_START"
DEFAULT_START = "2025-01-01"

monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=os.environ.get(START_ENV, DEFAULT_START), timezone=CITY_TZ)
quarterly_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *", start=os.environ.get(START_ENV, DEFAULT_START), fmt="%Y-%m-%d", timezone=CITY_TZ)


def report_formats() -> list[str]:
    raw = os.environ.get(FORMATS_ENV, "pdf,xlsx,csv")
    return [f.strip() for f in raw.split(",") if f.strip()]


def _publish(context: dg.AssetExecutionContext, quarterly: bool) -> dg.MaterializeResult:
    from apps.reports.period import month_period, quarter_period
    from apps.reports.publish import publish, report_dir

    first_day = dt.date.fromisoformat(context.partition_key[:10] if quarterly else context.partition_key)
    period = quarter_period(first_day) if quarterly else month_period(first_day)
    p = paths()
    summary = publish(period, p.serving_db, report_dir(p.data_dir, period), report_formats(), progress=context.log.info)
    return dg.MaterializeResult(metadata={
        "period": summary["label"], "files": dg.MetadataValue.json(summary["files"]),
        "data_as_of": summary["data_as_of"], "partial": summary["partial"], "tables": summary["tables"],
        "rows_withheld": summary["rows_withheld"], "min_count": summary["min_count"], "seconds": summary["seconds"],
    })


_DESCRIPTION = ("Council report for the {what}: parking (revenue, tickets by type and ward, disputes, collections and "
                "plate denials, ALPR versus manual, school zones) and bylaw (complaints by type, channel and ward, "
                "outcomes, service levels, order compliance, remediation, cost per case), each figure with its "
                "definition and the same period a year before; privacy rules applied. PDF, XLSX and CSV "
                "($CIVIC_REPORT_FORMATS) in $CIVIC_DATA_DIR/reports/council/<period>/.")


@dg.asset(key="council_report_monthly", group_name="reports", deps=[dg.AssetKey("serving_snapshot")],
          partitions_def=monthly_partitions, kinds={"python", "pdf"}, description=_DESCRIPTION.format(what="month"))
def council_report_monthly(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return _publish(context, quarterly=False)


@dg.asset(key="council_report_quarterly", group_name="reports", deps=[dg.AssetKey("serving_snapshot")],
          partitions_def=quarterly_partitions, kinds={"python", "pdf"}, description=_DESCRIPTION.format(what="quarter"))
def council_report_quarterly(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return _publish(context, quarterly=True)


council_report_monthly_job = dg.define_asset_job(
    "council_report_monthly_job", selection=[council_report_monthly], partitions_def=monthly_partitions,
    description="The council report of one month.")
council_report_quarterly_job = dg.define_asset_job(
    "council_report_quarterly_job", selection=[council_report_quarterly], partitions_def=quarterly_partitions,
    description="The council report of one quarter.")
# The night's pipeline has landed the period's last day by the morning of the 2nd.
council_report_monthly_schedule = dg.build_schedule_from_partitioned_job(
    council_report_monthly_job, name="council_report_monthly_schedule", day_of_month=2, hour_of_day=6,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="On the 2nd of each month at 06:00 local time: the month just ended.")


@dg.schedule(name="council_report_quarterly_schedule", job=council_report_quarterly_job,
             cron_schedule="0 6 2 1,4,7,10 *", execution_timezone=CITY_TZ,
             default_status=dg.DefaultScheduleStatus.RUNNING,
             description="On the 2nd of January, April, July and October at 06:00 local time: the quarter just ended.")
def council_report_quarterly_schedule(context: dg.ScheduleEvaluationContext):
    # Dagster builds schedules with offsets only for standard cadences, so the partition is picked here.
    from apps.reports.period import add_months

    now = context.scheduled_execution_time.date()
    this_quarter = dt.date(now.year, (now.month - 1) // 3 * 3 + 1, 1)
    key = add_months(this_quarter, -3).isoformat()
    return dg.RunRequest(run_key=key, partition_key=key)
