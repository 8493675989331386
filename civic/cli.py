"""`civic`: simulate the demo city, run the pipeline, import legacy data, serve the apps."""

from __future__ import annotations

import argparse
import json
import sys


def _simulate(args) -> int:
    from simulator import cli_main

    argv = ["--preset", args.preset, "--seed", str(args.seed), "--out", args.out or _data_dir()]
    if args.end_date:
        argv += ["--end-date", args.end_date]
    return cli_main(argv)


def _data_dir() -> str:
    from warehouse.config import paths

    return str(paths().data_dir)


def _pipeline_run(args) -> int:
    from orchestration.run import run_pipeline

    print(json.dumps(run_pipeline(), default=str))
    return 0


def _import_toronto(args) -> int:
    from warehouse.legacy import import_toronto_tickets

    result = import_toronto_tickets(args.files, build=not args.no_build)
    print(json.dumps(result))
    return 0


def _mto_lookup_batch(args) -> int:
    from warehouse.mto import create_lookup_batch

    try:
        result = create_lookup_batch(args.out, batch_date=args.date, authorized_user=args.authorized_user)
    except (FileExistsError, FileNotFoundError, LookupError, ValueError) as e:
        print(f"civic mto lookup-batch: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


def _mto_import_responses(args) -> int:
    from warehouse.mto_responses import import_responses

    try:
        result = import_responses(args.file)
    except (OSError, ValueError) as e:
        print(f"civic mto import-responses: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


def _alpr_check(args) -> int:
    from enforcement.live import SnapshotMissing, check_read

    try:
        result = check_read(args.plate, args.at, args.lat, args.lon, serving_path=args.snapshot)
    except (SnapshotMissing, ValueError) as e:
        print(f"civic alpr check: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2 if args.pretty else None, default=str))
    return 0


def _serve(args) -> int:
    from civic.serve import serve

    return serve(args.host, args.dagster_port, args.app_port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="civic", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sim = sub.add_parser("simulate", help="generate the demo municipality's source extracts")
    sim.add_argument("--preset", choices=["ci", "city", "metro"], default="ci")
    sim.add_argument("--seed", type=int, default=7)
    sim.add_argument("--out", help="data directory to write landing/ and ground_truth/ into (default: $CIVIC_DATA_DIR)")
    sim.add_argument("--end-date", help="last simulated day, YYYY-MM-DD (default 2026-10-31)")
    sim.set_defaults(func=_simulate)

    pipe = sub.add_parser("pipeline", help="run the data pipeline")
    pipe_sub = pipe.add_subparsers(dest="pipeline_command", required=True)
    run = pipe_sub.add_parser("run", help="land every delivered file, build the models, publish the serving snapshot")
    run.set_defaults(func=_pipeline_run)

    imp = sub.add_parser("import", help="import a legacy extract")
    imp_sub = imp.add_subparsers(dest="import_command", required=True)
    tor = imp_sub.add_parser("toronto-tickets", help="City of Toronto parking-ticket open data CSV files")
    tor.add_argument("files", nargs="+")
    tor.add_argument("--no-build", action="store_true", help="land only; do not rebuild the marts and snapshot")
    tor.set_defaults(func=_import_toronto)

    srv = sub.add_parser("serve", help="serve the Dagster UI and the Streamlit app until Ctrl-C")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--dagster-port", type=int, default=3000)
    srv.add_argument("--app-port", type=int, default=8501)
    srv.set_defaults(func=_serve)

    mto = sub.add_parser("mto", help="MTO (ARIS) owner look-ups for mailed tickets")
    mto_sub = mto.add_subparsers(dest="mto_command", required=True)
    mlb = mto_sub.add_parser(
        "lookup-batch", help="write the owner look-up request file for mailed tickets not yet requested (warehouse/mto.py)")
    mlb.add_argument("--date", help="batch date YYYY-MM-DD: tickets issued on or before it "
                                    "(default: the data's latest day in the serving snapshot)")
    mlb.add_argument("--out", required=True, help="the batch file to write (never overwritten)")
    mlb.add_argument("--authorized-user", help="MTO requester code, 4 characters (default $CIVIC_MTO_AUTHORIZED_USER or DEMO)")
    mlb.set_defaults(func=_mto_lookup_batch)
    mir = mto_sub.add_parser(
        "import-responses", help="store the owners in an MTO look-up response file in the ops database "
                                 "(warehouse/mto_responses.py)")
    mir.add_argument("file", help="the MTO response file (PKRA/PKRD records)")
    mir.set_defaults(func=_mto_import_responses)

    alpr = sub.add_parser("alpr", help="ALPR: check a plate read against the violation rules")
    alpr_sub = alpr.add_subparsers(dest="alpr_command", required=True)
    chk = alpr_sub.add_parser(
        "check", help="the verdict on one read (the rules of dbt_project/macros/rules/ against the serving snapshot), as JSON")
    chk.add_argument("--plate", required=True, help="the plate as read, e.g. 'ABCD 123'")
    chk.add_argument("--at", help="when: ISO 8601, local time unless it has an offset (default: now)")
    chk.add_argument("--lat", type=float, required=True)
    chk.add_argument("--lon", type=float, required=True)
    chk.add_argument("--snapshot", help="serving snapshot to read (default: $CIVIC_SERVING_PATH or the data directory's)")
    chk.add_argument("--pretty", action="store_true", help="indented JSON")
    chk.set_defaults(func=_alpr_check)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
