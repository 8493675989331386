"""The rules' configuration: the dbt project's vars, rendered as dbt renders them.

dbt renders each top-level var value of ``dbt_project.yml`` as a Jinja template (so
``"{{ env_var('CIVIC_GRACE_MINUTES', '5') }}"`` becomes the environment's value or 5);
nested values are taken as they are. This module does the same, so the live check and the
warehouse read one configuration.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
_MISSING = object()


def _env_var(name: str, default: Any = _MISSING) -> str:
    value = os.environ.get(name)
    if value is not None:
        return value
    if default is _MISSING:
        raise KeyError(f"environment variable {name} is not set and has no default")
    return default


def render_value(value: Any) -> Any:
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return jinja2.Environment().from_string(value).render(env_var=_env_var)
    return value


def load_vars(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, Any]:
    """Every var of the dbt project, top-level values rendered (environment read now)."""
    spec = yaml.safe_load((project_dir / "dbt_project.yml").read_text())
    return {k: render_value(v) for k, v in (spec.get("vars") or {}).items()}


@lru_cache(maxsize=1)
def _raw_vars(project_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((project_dir / "dbt_project.yml").read_text()).get("vars") or {}


def var(name: str, default: Any = None, project_dir: Path = DBT_PROJECT_DIR) -> Any:
    """One var as dbt's ``var()`` would give it (with the current environment)."""
    raw = _raw_vars(project_dir)
    return render_value(raw[name]) if name in raw else default


def retention_hours() -> float:
    """Hours a non-hit plate read is kept (CIVIC_ALPR_RETENTION_HOURS, default 24)."""
    return float(var("alpr_retention_hours", "24") or 24)
