"""`civic import toronto-tickets` on the real extract in ../shared."""

import csv
import json
import subprocess
import sys

import pytest

from helpers import REPO, SHARED

FILES = [SHARED / "data" / "toronto_parking_tickets" / f for f in ("tickets_monday.csv", "tickets_tuesday.csv")]
pytestmark = pytest.mark.skipif(not FILES[0].exists(), reason="../shared data not present")


def _expected():
    rows = [r for f in FILES for r in csv.DictReader(open(f, newline=""))]
    bad = [r for r in rows if not r["Address"].strip()]
    return len(rows), len(bad), round(sum(float(r["Fine Amount"]) for r in rows if r not in bad), 2)


def _import(data_dir, *files):
    out = subprocess.run([sys.executable, "-m", "civic.cli", "import", "toronto-tickets", *map(str, files), "--no-build"],
                         cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_import_lands_or_quarantines_every_row_and_reimport_changes_nothing(data_dir):
    rows, bad, fines = _expected()
    first = _import(data_dir, *FILES)
    assert first["rows_read"] == rows == 57004
    assert first["quarantined"] == bad == 2
    assert first["landed"] == rows - bad
    assert first["fine_total_landed"] == fines
    assert first["quarantine_reasons"] == {"Address: required value missing": 2}
    again = _import(data_dir, *FILES)
    assert all(f["already_imported"] for f in again["files"])
    assert {k: again[k] for k in ("rows_read", "landed", "quarantined", "fine_total_landed")} == \
           {k: first[k] for k in ("rows_read", "landed", "quarantined", "fine_total_landed")}
    assert len(list((data_dir / "landing" / "toronto_tickets").iterdir())) == 2
