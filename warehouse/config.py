"""Where everything lives. All state sits under one data directory (CIVIC_DATA_DIR)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Paths:
    data_dir: Path

    @property
    def landing(self) -> Path:
        return self.data_dir / "landing"

    @property
    def lake(self) -> Path:
        return self.data_dir / "lake"

    @property
    def quarantine(self) -> Path:
        return self.lake / "_quarantine"

    @property
    def batches(self) -> Path:
        return self.lake / "_batches"

    @property
    def warehouse_db(self) -> Path:
        return Path(os.environ.get("CIVIC_WAREHOUSE_PATH") or self.data_dir / "warehouse" / "civic.duckdb")

    @property
    def dbt_target(self) -> Path:
        """dbt's artifacts and parse state for this warehouse: beside it, so each run reuses the
        last run's partial parse (the parse state is only valid for the same profile, i.e.
        the same warehouse path) and runs do not pile up folders in the project."""
        return self.warehouse_db.parent / "dbt_target"

    @property
    def serving_db(self) -> Path:
        return Path(os.environ.get("CIVIC_SERVING_PATH") or self.data_dir / "serving" / "civic_serving.duckdb")

    @property
    def ground_truth(self) -> Path:
        return self.data_dir / "ground_truth"

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("DAGSTER_HOME") or self.data_dir / "dagster")


def paths(data_dir: str | os.PathLike | None = None) -> Paths:
    """The data directory: the argument, else $CIVIC_DATA_DIR, else ./data (made absolute)."""
    base = data_dir or os.environ.get("CIVIC_DATA_DIR") or "data"
    return Paths(Path(base).resolve())
