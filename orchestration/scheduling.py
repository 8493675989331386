"""Scheduled asset jobs: one asset, a cron in the city's time zone, running from the start."""

import dagster as dg

from data_contracts.sources import CITY_TZ


def scheduled_asset_job(asset, job_name: str, schedule_name: str, cron: str, job_description: str,
                        schedule_description: str) -> tuple:
    """(job, schedule): a job materializing ``asset``, and its schedule (``cron`` in local time, running by default)."""
    job = dg.define_asset_job(job_name, selection=[asset], description=job_description)
    schedule = dg.ScheduleDefinition(name=schedule_name, job=job, cron_schedule=cron, execution_timezone=CITY_TZ,
                                     default_status=dg.DefaultScheduleStatus.RUNNING, description=schedule_description)
    return job, schedule
