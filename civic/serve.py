"""`civic serve`: the Dagster UI and the Streamlit app together, until Ctrl-C.

Both run in their own process groups and are stopped by group, so `dagster dev`'s
children (webserver, daemon, code server) do not outlive us as orphans.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _stop(procs: list[subprocess.Popen], grace: float = 15.0) -> None:
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.time() + grace
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            pass
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGKILL)  # anything left in the group
        except ProcessLookupError:
            pass


def serve(host: str = "127.0.0.1", dagster_port: int = 3000, app_port: int = 8501) -> int:
    from orchestration.run import prepare_dagster_home

    prepare_dagster_home()
    bindir = Path(sys.executable).parent
    env = dict(os.environ, DO_NOT_TRACK="1", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    commands = [
        [str(bindir / "dagster"), "dev", "-m", "orchestration.definitions", "-h", host, "-p", str(dagster_port)],
        [str(bindir / "streamlit"), "run", str(REPO / "apps" / "streamlit_app.py"), "--server.address", host,
         "--server.port", str(app_port), "--server.headless", "true"],
    ]
    procs = [subprocess.Popen(c, cwd=REPO, env=env, start_new_session=True) for c in commands]
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    print(f"Dagster UI:    http://{host}:{dagster_port}\nStreamlit app: http://{host}:{app_port}\n"
          f"Ctrl-C stops both.", file=sys.stderr, flush=True)
    code = 0
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        code = next(p.returncode for p in procs if p.poll() is not None) or 1
        print("one of the servers exited; stopping the other", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nstopping…", file=sys.stderr)
    finally:
        _stop(procs)
    return code
