"""A ``Report`` in the formats council and analysts use.

* ``to_pdf``  — laid out for a council agenda: title page, summary, each section's charts
  (each with its text description) and tables, definitions and sources; page numbers.
* ``to_xlsx`` — one tidy sheet per table, plus "About" and "Definitions".
* ``to_csv_zip`` — one CSV per table (snake_case columns), plus definitions.csv.

Every format prints the same, already privacy-checked numbers (``apps.reports.content``).
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable
from xml.sax.saxutils import escape

import pandas as pd

from apps.reports import charts, privacy
from apps.reports.content import Report, Table, _as_date

log = logging.getLogger(__name__)
FORMATS = ("pdf", "xlsx", "csv")
EXTENSIONS = {"pdf": "pdf", "xlsx": "xlsx", "csv": "zip"}
MEDIA_TYPES = {"pdf": "application/pdf",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "csv": "application/zip"}


def file_name(report: Report, fmt: str) -> str:
    return f"council-report-{report.period.key}.{EXTENSIONS[fmt]}"


def render(report: Report, fmt: str, progress: Callable[[str], None] | None = None) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return {"pdf": to_pdf, "xlsx": to_xlsx, "csv": to_csv_zip}[fmt](report, progress=progress)


def write(report: Report, out_dir: Path, formats: Iterable[str] = FORMATS,
          progress: Callable[[str], None] | None = None) -> list[Path]:
    """Each format written to ``out_dir`` whole or not at all (``warehouse.lake.place_file``)."""
    from warehouse.lake import place_file

    paths = []
    for fmt in formats:
        path = out_dir / file_name(report, fmt)
        place_file(path, render(report, fmt, progress))
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- #
# Values
# --------------------------------------------------------------------------- #


def format_cell(value: Any, unit: str | None) -> str:
    """A cell as printed: ``$1,234.50``, ``12.5%``, ``1,234``; withheld cells as ``<5``."""
    from apps.ui import MISSING, format_value

    if privacy.is_withheld(value):
        return str(value)
    if _missing(value):
        return MISSING
    if isinstance(value, str):
        return value.replace("_", " ")

    if unit in ("$", "%", "count", "days"):
        return format_value(value, unit)
    if unit == "hours":
        return f"{float(value):,.1f}"
    return format_value(value, None)


def _missing(v: Any) -> bool:
    from apps.ui import is_missing

    return is_missing(v)


def formatted(t: Table) -> pd.DataFrame:
    """The table as printed (strings, labelled columns); in the summary each row has its own unit."""
    cols = list(t.frame.columns)
    row_unit = "unit" in cols and t.key == "summary"
    rows = []
    for rec in t.frame.to_dict("records"):
        unit_of = {c: (rec["unit"] if row_unit and c in ("value", "same_period_last_year") else t.units.get(c)) for c in cols}
        rows.append({t.label(c): ("—" if c == "change_pct" and _missing(rec[c]) else
                                  f"{float(rec[c]):+.1f}%" if c == "change_pct" and t.key == "summary" else
                                  format_cell(rec[c], unit_of[c])) for c in cols if not (row_unit and c in ("unit", "definition"))})
    return pd.DataFrame(rows, columns=[t.label(c) for c in cols if not (row_unit and c in ("unit", "definition"))])


def _local(ts: Any) -> str:
    from apps.ui import format_local  # imported late, like format_value

    return format_local(ts)


def provenance(report: Report) -> list[tuple[str, str]]:
    gaps = report.coverage_gaps()
    coverage = ("no data published" if _as_date(report.data_as_of) is None else
                "partial: " + " and ".join(gaps) if gaps else "complete")
    return [
        ("Report", report.title),
        ("Period", f"{report.period.label} ({report.period.start} to {report.period.last_day})"),
        ("Data as of", _local(report.data_as_of)),
        ("Coverage", coverage),
        ("Generated", _local(report.generated_at)),
        ("Source", "the published serving snapshot of the enforcement data warehouse (dbt marts)"),
        ("Privacy", f"aggregates only; plates masked; no complainant identity; counts of 1 to "
                    f"{max(report.min_count - 1, 1)} about complaints, cases and works withheld as "
                    f"'{privacy.withheld_marker(report.min_count)}' (CIVIC_REPORT_MIN_COUNT={report.min_count})"),
    ]


def definitions(report: Report) -> pd.DataFrame:
    rows = []
    for t in report.tables():
        for col in t.frame.columns:
            rows.append({"table": t.key, "table_title": t.title, "column": col, "label": t.label(col),
                         "unit": t.units.get(col, ""), "table_definition": t.definition,
                         "sources": ", ".join(t.sources), "rows_withheld": t.withheld})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- #
# CSV and XLSX
# --------------------------------------------------------------------------- #


def to_csv_zip(report: Report, progress: Callable[[str], None] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for t in report.tables():
            zf.writestr(f"{t.key}.csv", t.frame.to_csv(index=False))
        zf.writestr("definitions.csv", definitions(report).to_csv(index=False))
        zf.writestr("about.csv", pd.DataFrame(provenance(report), columns=["item", "value"]).to_csv(index=False))
    if progress:
        progress("csv: written")
    return buf.getvalue()


def to_xlsx(report: Report, progress: Callable[[str], None] | None = None) -> bytes:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        pd.DataFrame(provenance(report), columns=["Item", "Value"]).to_excel(xw, sheet_name="About", index=False)
        for t in report.tables():
            t.frame.rename(columns={c: t.label(c) for c in t.frame.columns}).to_excel(xw, sheet_name=t.key[:31], index=False)
        definitions(report).to_excel(xw, sheet_name="Definitions", index=False)
        for ws in xw.book.worksheets:
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for i, col in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 200)), start=1):
                width = max(len(str(c.value)) if c.value is not None else 0 for c in col)
                ws.column_dimensions[get_column_letter(i)].width = min(max(10, width + 2), 60)
        for t in report.tables():
            ws = xw.book[t.key[:31]]
            for j, col in enumerate(t.frame.columns, start=1):
                fmt = {"$": '"$"#,##0.00', "%": '0.0"%"', "count": "#,##0", "days": "0.0", "hours": "0.0"}.get(t.units.get(col, ""))
                if fmt:
                    for row in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                        for cell in row:
                            if isinstance(cell.value, (int, float)):
                                cell.number_format = fmt
    if progress:
        progress("xlsx: written")
    return buf.getvalue()


# --------------------------------------------------------------------------- #
# PDF
# --------------------------------------------------------------------------- #


def to_pdf(report: Report, progress: Callable[[str], None] | None = None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer,
                                    Table as RLTable, TableStyle)

    from bylaw.documents import Municipality

    town = Municipality.from_env()
    ss = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=ss["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12.5, spaceAfter=4)
    st = {
        "title": ParagraphStyle("title", parent=body, fontName="Helvetica-Bold", fontSize=22, leading=28, spaceAfter=14),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=13, leading=17, spaceAfter=10),
        "h1": ParagraphStyle("h1", parent=body, fontName="Helvetica-Bold", fontSize=15, leading=19, spaceBefore=6, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=body, fontName="Helvetica-Bold", fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#333333")),
        "alt": ParagraphStyle("alt", parent=body, fontName="Helvetica-Oblique", fontSize=8, leading=10,
                              textColor=colors.HexColor("#333333")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=9.5, spaceAfter=0),
        "head": ParagraphStyle("head", parent=body, fontName="Helvetica-Bold", fontSize=8, leading=9.5, spaceAfter=0,
                               textColor=colors.white),
    }
    width = letter[0] - 4 * cm
    story: list[Any] = []

    # title page
    story += [Spacer(1, 3 * cm), Paragraph(escape(town.name), st["subtitle"]),
              Paragraph(escape("Enforcement Services report to Council"), st["title"]),
              Paragraph(escape(report.period.label), st["subtitle"]), Spacer(1, 0.6 * cm)]
    story.append(_kv_table(provenance(report)[1:], width, st, colors, RLTable, TableStyle, Paragraph))
    story += [Spacer(1, 0.8 * cm), Paragraph("Contents", st["h2"]), Paragraph("Summary", body)]
    for s in report.sections:
        story.append(Paragraph(escape(f"{s.group} — {s.title}"), body))
    story.append(Paragraph("Definitions and sources", body))
    story.append(PageBreak())

    # summary
    story.append(Paragraph("Summary", st["h1"]))
    story.append(Paragraph(escape(report.summary.definition), body))
    summary = report.summary.frame
    story += _frame_tables(report.summary, width, st, colors, RLTable, TableStyle, Paragraph, [0.46, 0.2, 0.2, 0.14])
    story.append(Spacer(1, 0.3 * cm))
    for _, r in summary.iterrows():
        story.append(Paragraph(f"<b>{escape(r['figure'])}</b>: {escape(r['definition'])}", st["small"]))

    # sections: every chart drawn first, in one batch (one browser start for the report)
    figures = {t.key: charts.figure(t, report) for sec in report.sections for t in sec.tables}
    drawn = [k for k, f in figures.items() if f is not None]
    pngs: dict[str, bytes] = {}
    if drawn:
        if progress:
            progress(f"pdf: drawing {len(drawn)} chart(s)")
        try:
            pngs = dict(zip(drawn, charts.render_pngs([figures[k] for k in drawn], 900, 430)))
        except charts.ChartRenderError as exc:
            log.warning("%s — the PDF describes its charts without drawing them", exc)
            if progress:
                progress(f"pdf: charts not drawn ({exc})")
    for s in report.sections:
        story.append(PageBreak())
        story.append(Paragraph(escape(f"{s.group} — {s.title}"), st["h1"]))
        for t in s.tables:
            block: list[Any] = [Paragraph(escape(t.title), st["h2"]), Paragraph(escape(t.definition), body)]
            if figures.get(t.key) is not None:
                alt = charts.alt_text(t, report)
                if t.key in pngs:
                    img = Image(io.BytesIO(pngs[t.key]), width=width, height=width * 430 / 900)
                    img.hAlign = "CENTER"
                    block += [img, Paragraph("Chart description: " + escape(alt), st["alt"])]
                else:
                    block.append(Paragraph("Chart not drawn (no local Chromium for plotly's image export). "
                                           "Chart description: " + escape(alt), st["alt"]))
            story.append(KeepTogether(block))
            story.append(Spacer(1, 0.2 * cm))
            story += _frame_tables(t, width, st, colors, RLTable, TableStyle, Paragraph)
            note = f"Source: {', '.join(t.sources)} · data as of {_local(report.data_as_of)}"
            if t.withheld:
                note += (f" · {t.withheld} row(s) withheld: fewer than {report.min_count}, "
                         "or the next smallest so that totals cannot reveal them")
            story.append(Paragraph(escape(note), st["small"]))
            story.append(Spacer(1, 0.4 * cm))

    # definitions
    story.append(PageBreak())
    story.append(Paragraph("Definitions and sources", st["h1"]))
    for t in report.tables():
        story.append(Paragraph(f"<b>{escape(t.title)}</b> ({escape(', '.join(t.sources))}): {escape(t.definition)}", st["small"]))

    buf = io.BytesIO()
    title = report.title

    def on_page(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(2 * cm, 1.2 * cm, f"{town.name} · {title}")
        canvas.drawRightString(letter[0] - 2 * cm, 1.2 * cm, f"Page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(buf, pagesize=letter, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=title, author=f"{town.name} — {town.department}",
                            subject=f"Council report, {report.period.label}", creator="Civic Enforcement Platform")
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    if progress:
        progress(f"pdf: {len(pngs)} chart(s) drawn, {doc.page} page(s)")
    return buf.getvalue()


def _kv_table(pairs, width, st, colors, RLTable, TableStyle, Paragraph):
    data = [[Paragraph(f"<b>{escape(k)}</b>", st["cell"]), Paragraph(escape(v), st["cell"])] for k, v in pairs]
    t = RLTable(data, colWidths=[width * 0.22, width * 0.78])
    t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb"))]))
    return t


def _grid(header, rows, width, fractions, st, colors, RLTable, TableStyle, Paragraph):
    data = [[Paragraph(escape(str(h)), st["head"]) for h in header]]
    data += [[Paragraph(escape(str(v)), st["cell"]) for v in row] for row in rows]
    t = RLTable(data, colWidths=[width * f for f in fractions], repeatRows=1)
    t.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f5f8b")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f0f4f7")]),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#999999")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return t


def _frame_tables(t: Table, width, st, colors, RLTable, TableStyle, Paragraph, fractions=None) -> list[Any]:
    if t.frame.empty:
        return [Paragraph("No records in this period.", st["cell"])]
    shown = formatted(t)
    n = len(shown.columns)
    if fractions is None:
        first = 0.26 if n > 2 else 0.5
        fractions = [first] + [(1 - first) / max(n - 1, 1)] * (n - 1)
    return [_grid(list(shown.columns), shown.values.tolist(), width, fractions, st, colors, RLTable, TableStyle, Paragraph)]
