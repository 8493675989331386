"""Render the dbt rule macros (dbt_project/macros/rules/) outside dbt.

The macros use nothing of dbt but ``var()`` (and, through macros/plates.sql, ``env_var``
and ``return``), so plain jinja2 renders them with the project's own var values. No rule is
written here: this module only turns the macro files into SQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from enforcement.config import DBT_PROJECT_DIR, _env_var, load_vars

# The macro files the rules need, in dependency order (helpers first).
MACRO_FILES = ("time.sql", "plates.sql", "rules/_rule_config.sql", "rules/locate.sql", "rules/exemptions.sql",
               "rules/paid_parking.sql", "rules/time_limits.sql", "rules/permits.sql", "rules/signed.sql",
               "rules/scofflaw.sql", "rules/evaluate.sql")


class RuleRenderer:
    """Renders calls of the project's macros with the project's vars (and overrides)."""

    def __init__(self, project_dir: Path = DBT_PROJECT_DIR, overrides: dict[str, Any] | None = None):
        macros_dir = project_dir / "macros"
        self.vars = {**load_vars(project_dir), **(overrides or {})}
        self.source = "\n".join((macros_dir / f).read_text() for f in MACRO_FILES)
        self.env = jinja2.Environment(extensions=["jinja2.ext.do"], undefined=jinja2.StrictUndefined)
        self.env.globals.update({"var": self._var, "env_var": _env_var, "return": lambda x: x})

    def _var(self, name: str, default: Any = None) -> Any:
        return self.vars.get(name, default)

    def render(self, call: str) -> str:
        """SQL of one macro call, e.g. ``evaluate_plate_reads('r', 'p', ...)``."""
        return self.env.from_string(self.source + "\n{{ " + call + " }}").render().strip()
