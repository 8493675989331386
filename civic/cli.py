"""`civic`: simulate the demo city, run the pipeline, import legacy data, serve the apps."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


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


def _routes_plan(args) -> int:
    import datetime as dt

    from routing.nightly import plan_day
    from warehouse.config import paths

    p = paths()
    if not p.serving_db.exists():
        print(f"civic routes plan: no serving snapshot at {p.serving_db} (run `civic pipeline run` first)", file=sys.stderr)
        return 2
    try:
        summary = plan_day(p.data_dir, p.serving_db, dt.date.fromisoformat(args.day) if args.day else None,
                           time_limit_s=args.time_limit, progress=lambda m: print(m, file=sys.stderr, flush=True))
    except ValueError as e:
        print(f"civic routes plan: {e}", file=sys.stderr)
        return 2
    print(json.dumps(summary, default=str))
    return 0


def _report_council(args) -> int:
    from apps.reports.content import latest_month, snapshot_query
    from apps.reports.period import parse_period
    from apps.reports.publish import publish, report_dir
    from warehouse.config import paths

    p = paths()
    if not p.serving_db.exists():
        print(f"civic report council: no serving snapshot at {p.serving_db} (run `civic pipeline run` first)", file=sys.stderr)
        return 2
    query = snapshot_query(p.serving_db)  # first: it quiets Streamlit's "no runtime" warnings
    from apps.serving import SnapshotError

    try:
        period = latest_month(query) if args.period == "latest" else parse_period(args.period)
    except (ValueError, SnapshotError) as e:
        print(f"civic report council: {e}", file=sys.stderr)
        return 2
    sections = [s.strip() for s in args.sections.split(",") if s.strip()] if args.sections else None
    try:
        summary = publish(period, p.serving_db, Path(args.out) if args.out else report_dir(p.data_dir, period),
                          args.format or ["pdf"], sections, progress=lambda m: print(m, file=sys.stderr, flush=True))
    except (ValueError, SnapshotError) as e:
        print(f"civic report council: {e}", file=sys.stderr)
        return 2
    print(json.dumps(summary, default=str))
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


def _alpr_read(args) -> int:
    import time

    import cv2
    import numpy as np

    from vision.engine import PlateEngine
    from vision.formats import MIN_PLATE_CHARS

    try:
        engine = PlateEngine(formats=args.formats, **({"imgsz": args.imgsz} if args.imgsz else {}))
    except (FileNotFoundError, ValueError) as e:
        print(f"civic alpr read: {e}", file=sys.stderr)
        return 2
    # load and fuse both models before the clock, so the first photo's ms is a photo's
    blank = np.zeros((480, 640, 3), np.uint8)
    engine.detect(blank)
    engine.read_boxes(blank, [(0, 0, 128, 32)])
    status = 0
    for name in args.images:
        img = cv2.imread(name)
        if img is None:
            print(json.dumps({"image": name, "error": "not a readable image"}))
            status = 1
            continue
        t = time.perf_counter()
        plates = engine.read(img)
        ms = round((time.perf_counter() - t) * 1000, 1)
        # boxes read too short to be a plate (a sign's lettering, half a plate) are set aside, not lost
        print(json.dumps({"image": name, "plates": [p.as_dict() for p in plates if len(p.text) >= MIN_PLATE_CHARS],
                          "set_aside": [{**p.as_dict(), "reason": f"under {MIN_PLATE_CHARS} characters"}
                                        for p in plates if len(p.text) < MIN_PLATE_CHARS],
                          "ms": ms}), flush=True)
    return status


def _alpr_eval(args) -> int:
    from vision.engine import PlateEngine
    from vision.evaluate import evaluate

    try:
        engine = PlateEngine(formats=args.formats, **({"imgsz": args.imgsz} if args.imgsz else {}))
        result = evaluate(Path(args.dataset), engine, split=args.split, progress=lambda m: print(m, file=sys.stderr))
    except (FileNotFoundError, ValueError) as e:  # DatasetError is a ValueError
        print(f"civic alpr eval: {e}", file=sys.stderr)
        return 2
    if not args.misreads:
        result.pop("misreads")
    print(json.dumps(result))
    return 0


def _alpr_train_detector(args) -> int:
    from vision.train_detector import train_detector
    from warehouse.config import paths

    work = Path(args.work or paths().data_dir / "alpr_training" / "detector")
    print(json.dumps(train_detector(work, Path(args.out), scenes=args.scenes, epochs=args.epochs, imgsz=args.imgsz)))
    return 0


def _alpr_train_reader(args) -> int:
    from vision.reader import train_reader
    from warehouse.config import paths

    cache = paths().data_dir / "alpr_training" / "reader"
    print(json.dumps(train_reader(Path(args.out), samples=args.samples, epochs=args.epochs, cache=cache)))
    return 0


def _alpr_video(args) -> int:
    from vision.video import VideoOptions, process_video

    engine = None
    try:
        if args.weights:
            from vision.engine import PlateEngine

            engine = PlateEngine(args.weights)
        result = process_video(args.file, engine, track_csv=args.track, start=args.start, lat=args.lat, lon=args.lon,
                               camera_id=args.camera_id, unit_id=args.unit_id, officer_id=args.officer_id,
                               opts=VideoOptions(detect_every=args.detect_every, min_confidence=args.min_confidence),
                               progress=not args.quiet)
    except (OSError, ValueError) as e:
        print(f"civic alpr video: {e}", file=sys.stderr)
        return 2
    if not args.list_reads:
        result.pop("reads", None)
    print(json.dumps(result, default=str))
    return 0


def _alpr_render_test_video(args) -> int:
    from vision.test_video import render_test_video

    truth = render_test_video(args.out_dir, seed=args.seed, fps=args.fps, seconds=args.seconds)
    print(json.dumps({"video": truth["video"], "track": truth["track"], "frames": truth["frames"], "fps": truth["fps"],
                      "plates": [c["plate"] for c in truth["cars"]]}))
    return 0


def _bylaw_db():
    from warehouse.ops import OpsDB

    return OpsDB()


def _bylaw_import_open311(args) -> int:
    from bylaw.open311 import import_open311_requests

    db = _bylaw_db()
    try:
        result = import_open311_requests(db, args.file)
    except (OSError, ValueError) as e:
        print(f"civic bylaw import-open311: {e}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print(json.dumps(result, default=str))
    return 0


def _bylaw_import_legacy(args) -> int:
    from bylaw.legacy import create_demo_users, import_legacy_cases
    from bylaw.properties import load_reference

    db = _bylaw_db()
    try:
        reference = load_reference()
        result = {"cases": import_legacy_cases(db, reference=reference)}
        if not args.no_demo_users:
            result["demo_users_created"] = create_demo_users(db, reference)
    finally:
        db.dispose()
    print(json.dumps(result, default=str))
    return 0


def _bylaw_add_user(args) -> int:
    import getpass

    from bylaw.roles import create_user

    password = args.password or getpass.getpass(f"password for {args.user_id}: ")
    db = _bylaw_db()
    try:
        user = create_user(db, args.user_id, args.name or args.user_id, args.role, password, officer_id=args.officer_id)
    except ValueError as e:
        print(f"civic bylaw add-user: {e}", file=sys.stderr)
        return 2
    finally:
        db.dispose()
    print(json.dumps({"user_id": user.user_id, "role": user.role, "officer_id": user.officer_id}))
    return 0


def _bylaw_export(args) -> int:
    from bylaw.export import export_cases_to_landing

    print(json.dumps(export_cases_to_landing()))
    return 0


def _bylaw_mark_deadlines(args) -> int:
    from bylaw.cases import mark_deadlines_passed

    db = _bylaw_db()
    try:
        print(json.dumps({"reinspection_due": mark_deadlines_passed(db)}))
    finally:
        db.dispose()
    return 0


def _bylaw_tax_roll(args) -> int:
    from bylaw.monitoring import export_tax_roll_csv
    from bylaw.roles import SYSTEM

    db = _bylaw_db()
    try:
        print(json.dumps(export_tax_roll_csv(db, SYSTEM, args.out, on_or_after=args.since)))
    finally:
        db.dispose()
    return 0


def _serve(args) -> int:
    from civic.serve import serve

    return serve(args.host, args.dagster_port, args.app_port)


# --- civic bylaw render-notice (bylaw/documents.py) -------------------------------------------------

def _bylaw_subparsers(sub):
    """The `civic bylaw` group's subcommands: created on first use, so several modules can add to it."""
    for action in getattr(sub.choices.get("bylaw"), "_actions", []):
        if isinstance(action, argparse._SubParsersAction):
            return action
    grp = sub.add_parser("bylaw", help="bylaw enforcement: cases, notices and documents")
    return grp.add_subparsers(dest="bylaw_command", required=True)


def _bylaw_render_notice(args) -> int:
    from bylaw.documents import DocumentValidationError, context_from_case, render_document

    try:
        with open(args.case_json, encoding="utf-8") as fh:
            data = json.load(fh)
        ctx = context_from_case(data.get("case") or {}, data.get("notice") or {}, data.get("officer") or {},
                                data.get("property") or {}, kind=args.kind,
                                violation_description=data.get("violation_description"),
                                work_required=data.get("work_required"))
        pdf = render_document(ctx.kind, ctx)
    except (OSError, ValueError, DocumentValidationError) as e:
        print(f"civic bylaw render-notice: {e}", file=sys.stderr)
        return 2
    with open(args.out, "wb") as fh:
        fh.write(pdf)
    print(json.dumps({"kind": ctx.kind, "case_number": ctx.case_number, "out": args.out, "bytes": len(pdf),
                      "appeal_deadline": ctx.appeal_deadline}, default=str))
    return 0


def _add_bylaw_render_notice(sub) -> None:
    kinds = ("compliance_notice", "order_to_comply", "property_standards_order", "part_i_ticket", "amp")
    p = _bylaw_subparsers(sub).add_parser(
        "render-notice", help="render an enforcement document (notice, order, ticket, AMP) to PDF (bylaw/documents.py)")
    p.add_argument("--kind", choices=kinds,  # = bylaw.documents.DOCUMENT_KINDS
                   help="document kind (default: from the notice's notice_type and the case's bylaw_type)")
    p.add_argument("--case-json", required=True,
                   help='JSON file: {"case": {...}, "notice": {...}, "officer": {...}, "property": {...}, '
                        '"violation_description": "...", "work_required": "..."} (keys: bylaw/documents.py context_from_case)')
    p.add_argument("--out", required=True, help="the PDF file to write")
    p.set_defaults(func=_bylaw_render_notice)


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

    rts = sub.add_parser("routes", help="patrol route planning")
    rts_sub = rts.add_subparsers(dest="routes_command", required=True)
    rp = rts_sub.add_parser("plan", help="plan every patrol shift of a day (default: the day after the data) and "
                                         "write the plans under $CIVIC_DATA_DIR/routing/plans/")
    rp.add_argument("--day", help="YYYY-MM-DD")
    rp.add_argument("--time-limit", type=float, help="solver seconds per shift (default $CIVIC_ROUTING_TIME_LIMIT_S or 8)")
    rp.set_defaults(func=_routes_plan)

    rep = sub.add_parser("report", help="reports rendered from the published marts")
    rep_sub = rep.add_subparsers(dest="report_command", required=True)
    rc = rep_sub.add_parser("council", help="the monthly or quarterly council report as PDF, XLSX (a sheet per table) "
                                            "or CSV (a zip of one file per table)")
    rc.add_argument("--period", required=True, help="a month (2026-10), a quarter (2026-Q4), or latest (the last month the data covers to its end)")
    rc.add_argument("--format", action="append", choices=["pdf", "xlsx", "csv"],
                    help="repeat for several (default pdf)")
    rc.add_argument("--out", help="folder to write into (default $CIVIC_DATA_DIR/reports/council/<period>/)")
    rc.add_argument("--sections", help="comma-separated section keys, e.g. parking_revenue,bylaw_cases "
                                       "(default all; an unknown key lists the known ones)")
    rc.set_defaults(func=_report_council)

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

    alpr = sub.add_parser("alpr", help="ALPR: read plates in images and video, evaluate, train; check a read against the rules")
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
    vid = alpr_sub.add_parser(
        "video", help="read a video: one read per vehicle pass, with evidence, into landing/alpr_reads (vision/video.py)")
    vid.add_argument("file", help="the video file (anything opencv reads: mp4, avi, ...)")
    vid.add_argument("--track", help="GPS track CSV with columns time,lat,lon (ISO times; naive = city local time)")
    vid.add_argument("--start", help="ISO time of the first frame (default: the track's first fix; required without --track)")
    vid.add_argument("--lat", type=float, help="fixed camera position, without --track")
    vid.add_argument("--lon", type=float, help="fixed camera position, without --track")
    vid.add_argument("--camera-id", default="VIDEO-CAM")
    vid.add_argument("--unit-id", default="VIDEO-UNIT")
    vid.add_argument("--officer-id", default="UNASSIGNED")
    vid.add_argument("--weights", help="folder with plate_detector.pt and plate_reader.pt (default: vision/weights "
                                       "or $CIVIC_ALPR_WEIGHTS_DIR)")
    vid.add_argument("--detect-every", type=int, default=1, help="run the detector on every n-th frame (default 1)")
    vid.add_argument("--min-confidence", type=float, default=0.2, help="drop vehicle passes read less surely than this")
    vid.add_argument("--list-reads", action="store_true", help="include the reads (id, plate, confidence, time) in the JSON")
    vid.add_argument("--quiet", action="store_true", help="no progress on stderr")
    vid.set_defaults(func=_alpr_video)
    rtv = alpr_sub.add_parser("render-test-video",
                              help="render the project's test video, its GPS track and ground truth (vision/test_video.py)")
    rtv.add_argument("out_dir")
    rtv.add_argument("--seed", type=int, default=7)
    rtv.add_argument("--fps", type=float, default=15.0)
    rtv.add_argument("--seconds", type=float, default=10.0)
    rtv.set_defaults(func=_alpr_render_test_video)

    rd = alpr_sub.add_parser("read", help="find and read the plates in images: one JSON object per image")
    rd.add_argument("images", nargs="+")
    rd.add_argument("--imgsz", type=int, help="detector input size (default $CIVIC_ALPR_IMGSZ or 320)")
    rd.add_argument("--formats", help="plate layouts to fit reads to, by region: ON,US,BR,EU (default "
                                       "$CIVIC_PLATE_FORMATS or ON,US), like a camera's country setting")
    rd.set_defaults(func=_alpr_read)
    ev = alpr_sub.add_parser("eval", help="detection recall, exact read rate and speed on a labelled folder "
                                          "(IMAGE.jpg + IMAGE.txt: name x y w h plate), as one JSON object")
    ev.add_argument("--dataset", required=True)
    ev.add_argument("--split", choices=("all", "train", "holdout"), default="all",
                    help="the half of a benchmark folder the models never saw is 'holdout' (vision/dataset.py)")
    ev.add_argument("--imgsz", type=int)
    ev.add_argument("--misreads", action="store_true", help="list every plate not read exactly")
    ev.add_argument("--formats", help="plate layouts to fit reads to, by region: ON,US,BR,EU (default "
                                       "$CIVIC_PLATE_FORMATS or ON,US), like a camera's country setting")
    ev.set_defaults(func=_alpr_eval)
    td = alpr_sub.add_parser("train-detector", help="train the plate detector (YOLO from vision/models/plate_yolo11.yaml)")
    td.add_argument("--scenes", type=int, default=1000, help="rendered street scenes")
    td.add_argument("--epochs", type=int, default=30)
    td.add_argument("--imgsz", type=int, default=320)
    td.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "vision" / "weights"))
    td.add_argument("--work", help="training folder (default: <data dir>/alpr_training/detector)")
    td.set_defaults(func=_alpr_train_detector)
    tr = alpr_sub.add_parser("train-reader", help="train the plate reader (CRNN + CTC) and fit its calibration")
    tr.add_argument("--samples", type=int, default=20000, help="rendered plate crops")
    tr.add_argument("--epochs", type=int, default=10)
    tr.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "vision" / "weights"))
    tr.set_defaults(func=_alpr_train_reader)

    _add_bylaw_render_notice(sub)

    by_sub = _bylaw_subparsers(sub)  # the one `civic bylaw` group (render-notice is there too)
    bo = by_sub.add_parser("import-open311", help="turn Open311 GeoReport v2 service requests (a JSON array file) "
                                                  "into complaints and cases; idempotent on service_request_id")
    bo.add_argument("file")
    bo.set_defaults(func=_bylaw_import_open311)
    bl = by_sub.add_parser("import-legacy", help="load the legacy case system's open cases from landing (demo data) "
                                                 "and create one demo user per role (password <user>-demo)")
    bl.add_argument("--no-demo-users", action="store_true")
    bl.set_defaults(func=_bylaw_import_legacy)
    bu = by_sub.add_parser("add-user", help="create a user who signs in to the bylaw screens")
    bu.add_argument("user_id")
    bu.add_argument("--role", required=True, choices=["clerk", "officer", "supervisor", "analyst", "council_viewer"])
    bu.add_argument("--name", help="display name (default: the user id)")
    bu.add_argument("--officer-id", help="the roster officer this user is (officers)")
    bu.add_argument("--password", help="(default: asked for, not echoed)")
    bu.set_defaults(func=_bylaw_add_user)
    be = by_sub.add_parser("export", help="write new and changed cases, inspections, notices and remediation works "
                                          "to landing (civic pipeline run does this first)")
    be.set_defaults(func=_bylaw_export)
    bd = by_sub.add_parser("mark-deadlines", help="move cases whose compliance deadline passed to re-inspection due")
    bd.set_defaults(func=_bylaw_mark_deadlines)
    bt = by_sub.add_parser("tax-roll-export", help="CSV of remediation costs added to the tax roll, for finance")
    bt.add_argument("--out", required=True)
    bt.add_argument("--since", type=lambda s: __import__("datetime").date.fromisoformat(s),
                    help="only works added to the tax roll on or after YYYY-MM-DD")
    bt.set_defaults(func=_bylaw_tax_roll)

    args = parser.parse_args(argv)
    rc = args.func(args)
    if argv is None and args.func is _pipeline_run:
        _exit_without_teardown(rc)
    return rc


def _exit_without_teardown(rc: int) -> None:
    """End the `civic pipeline run` process now that its result is written: tearing down the
    interpreter (Dagster's, dbt's and DuckDB's objects) took 1-2 s of every run and saves
    nothing (every file it wrote is closed; the landing workers are stopped first)."""
    from warehouse.ingest import stop_landing_workers

    stop_landing_workers()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)


if __name__ == "__main__":
    sys.exit(main())
