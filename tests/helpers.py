"""Helpers shared by tests (importable as `helpers`: tests/ is on pytest's pythonpath)."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def deliver(data_dir: Path, source: str, name: str, text: str) -> Path:
    folder = data_dir / "landing" / source
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / name
    f.write_text(text)
    return f


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def settle(page, timeout_ms: int = 90_000) -> None:
    """Wait until the Streamlit app's script run is over. Until then the page still holds the
    last run's elements (``data-stale``) beside the new run's first ones, so a check that sees
    the new run's message can pass while a click lands on an old element the run is about to
    replace: a tab that resets, a button still disabled. Call it after the new run's first
    sign, before the next action."""
    page.wait_for_function(
        """() => !document.querySelector('[data-stale="true"], [data-testid="stStatusWidget"]')""",
        timeout=timeout_ms)


@contextlib.contextmanager
def streamlit_app(env: dict):
    """`streamlit run apps/streamlit_app.py` on a free local port with ``env`` added to the
    environment; yields its base URL once healthy, stops it afterwards."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "apps" / "streamlit_app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise RuntimeError("streamlit did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def civic(data_dir: Path, *args: str, timeout: int = 1200) -> str:
    """Run the `civic` command line on a data directory, as a user would; its stdout."""
    return civic_run(data_dir, *args, timeout=timeout).stdout


def civic_run(data_dir: Path, *args: str, timeout: int = 1200) -> subprocess.CompletedProcess:
    """:func:`civic`, with what it printed to stderr too (it must succeed)."""
    env = dict(os.environ, CIVIC_DATA_DIR=str(data_dir), DO_NOT_TRACK="1")
    for var in ("CIVIC_WAREHOUSE_PATH", "CIVIC_SERVING_PATH", "DAGSTER_HOME", "CIVIC_MTO_LEDGER_PATH", "CIVIC_OPS_DB_URL"):
        env.pop(var, None)
    out = subprocess.run([sys.executable, "-m", "civic.cli", *args], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=timeout)
    assert out.returncode == 0, out.stderr[-5000:]
    return out


def run_dbt(warehouse: Path, work: Path, *args: str, salt: str | None = None, timeout: int = 1200) -> str:
    """Run dbt on a warehouse file, as the pipeline's dbt would (its profile), with private
    target and log folders; dbt's output. ``salt``: CIVIC_PLATE_SALT for the run."""
    env = {**os.environ, "DO_NOT_TRACK": "1", "CIVIC_WAREHOUSE_PATH": str(warehouse)}
    if salt is not None:
        env["CIVIC_PLATE_SALT"] = salt
    project = REPO / "dbt_project"
    cmd = [sys.executable, "-c", "from dbt.cli.main import cli; cli()", *args,
           "--project-dir", str(project), "--profiles-dir", str(project),
           "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    proc = subprocess.run(cmd, env=env, cwd=project, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    return proc.stdout


def copy_data_dir(src: Path, dest: Path) -> Path:
    """A private copy of a whole data directory (for tests that change it), its warehouse's
    raw views pointed at the copy's lake."""
    from warehouse.config import Paths
    from warehouse.duck import connect_warehouse, refresh_raw_relations

    shutil.copytree(src, dest, symlinks=True)
    p = Paths(dest)
    if p.warehouse_db.exists():
        con = connect_warehouse(p)
        try:
            refresh_raw_relations(con, p)
        finally:
            con.close()
    return dest


def write_labelled_folder(folder: Path, n: int, seed: int, size=(480, 360), min_plate_width: int = 0) -> Path:
    """``n`` rendered street scenes with one plate each, labelled as alpr_benchmark is."""
    import cv2
    import numpy as np

    from vision.render import render_scene

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    k = 0
    while k < n:
        img, plates = render_scene(rng, size, max_plates=1)
        if not plates or plates[0][0][2] < min_plate_width:
            continue
        (x, y, w, h), text = plates[0]
        cv2.imwrite(str(folder / f"img{k}.jpg"), img)
        (folder / f"img{k}.txt").write_text(f"img{k}.jpg\t{x}\t{y}\t{w}\t{h}\t{text}\n")
        k += 1
    return folder
