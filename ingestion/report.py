"""The data quality report: one self-contained HTML page drawn from the warehouse.

``python -m ingestion quality-report [--out PATH]`` reads ``marts.data_quality_checks`` (one row
per check, source system and dbt run), ``quality.int_quality_quarantine_counted`` and
``marts.segment_sizes_daily`` read-only and writes a single HTML file: inline CSS, inline SVG
charts drawn here, no JavaScript, nothing fetched from anywhere. One card per check of the latest
run, grouped by family, with its value against its thresholds (coloured by status) and a small
chart of the check over all runs; the segment sizes trend; a header with the run and the counts
of pass, warn and fail. A warehouse without some of these tables gets a message in their place.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

FAMILIES: list[tuple[str, str, str]] = [
    (
        "schema_validation",
        "Schema validation",
        "Records the loader rejected (missing ids, unparseable timestamps, wrong types, invalid "
        "JSON), of the records read.",
    ),
    (
        "duplicates",
        "Duplicates",
        "Re-deliveries and superseded versions dropped at load; person records merged by "
        "identity resolution.",
    ),
    (
        "completeness",
        "Completeness",
        "The fields everything downstream hangs on: an address to send to, an id to attribute "
        "an event, a customer for an order.",
    ),
    (
        "consistency",
        "Consistency",
        "The shop and the site's tracking telling the same story about orders.",
    ),
    (
        "freshness",
        "Freshness",
        "How far each source lags the as-of time, and how old its data was when it was loaded.",
    ),
    (
        "identity",
        "Identity resolution",
        "Health of the customer graph from run to run (identity_kpis).",
    ),
]

LABELS: dict[str, str] = {
    "quarantine_share": "Records quarantined",
    "deduplicated_share": "Dropped as duplicates at load",
    "records_merged_share": "Records merged into one customer",
    "contacts_with_email_share": "Contacts with an email",
    "events_with_user_or_anonymous_id_share": "Events with a user or anonymous id",
    "orders_with_customer_share": "Orders with a customer",
    "shop_orders_tracked_share": "Shop orders with an Order Completed event",
    "order_events_matched_share": "Order Completed events matching a shop order",
    "hours_behind_as_of": "Behind as-of",
    "hours_before_load": "Age of the data at load",
    "customers_change_share": "Change in customers since the last run",
    "identifiers_per_customer": "Identifiers per customer",
    "fuzzy_link_share": "Links made by fuzzy matching",
    "largest_customer_records": "Records of the largest customer",
}

STATUS_COLOURS = {"pass": "#1f8a4c", "warn": "#c98a06", "fail": "#c93030"}
SERIES_COLOURS = [
    "#2f6fdf",
    "#e0662b",
    "#1f9e89",
    "#b23ea8",
    "#7a9a01",
    "#d6324f",
    "#6b5bd6",
    "#a0672a",
    "#0f8fb8",
    "#5d6d7e",
]


@dataclass
class Check:
    """One row of ``marts.data_quality_checks``."""

    check_name: str
    check_family: str
    source_system: str
    measured_value: float | None
    sample_size: int | None
    threshold_warn: float | None
    threshold_fail: float | None
    direction: str
    status: str
    details: str | None
    measured_at: datetime
    invocation_id: str


@dataclass
class ReportSummary:
    """What the report shows: written to ``path``."""

    path: Path
    runs: int = 0
    checks: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    result = con.execute(sql)
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


# ---------------------------------------------------------------------------------------------
# formatting


def _kind(check_name: str) -> str:
    if check_name.startswith("hours_"):
        return "hours"
    if check_name.endswith("_share"):
        return "share"
    if check_name == "identifiers_per_customer":
        return "ratio"
    return "count"


def format_value(check_name: str, value: float | None, compact: bool = False) -> str:
    """A check's value for people: shares in percent, hours (and days when long), counts.

    ``compact`` drops trailing zeros (thresholds: "1%", not "1.00%").
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    kind = _kind(check_name)
    if kind == "share":
        percent = value * 100
        if compact:
            return f"{percent:.4g}%"
        if percent == 0 or abs(percent) >= 10:
            return f"{percent:.1f}%"
        return f"{percent:.2f}%"
    if kind == "hours":
        if abs(value) >= 72:
            return f"{value / 24:.4g} d" if compact else f"{value / 24:,.1f} d"
        return f"{value:.4g} h" if compact else f"{value:,.1f} h"
    if kind == "ratio":
        return f"{value:g}" if compact else f"{value:,.2f}"
    return f"{value:,.0f}"


def _threshold_text(check: Check) -> str:
    sign = "&gt;" if check.direction == "max" else "&lt;"
    parts = []
    for level, value in (("warn", check.threshold_warn), ("fail", check.threshold_fail)):
        if value is not None:
            parts.append(
                f'<span class="th th-{level}">{level} {sign} '
                f"{html.escape(format_value(check.check_name, value, compact=True))}</span>"
            )
    if not parts:
        return '<span class="th">tracked, no threshold</span>'
    return " ".join(parts)


def _fmt_time(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


# ---------------------------------------------------------------------------------------------
# SVG charts


def _scale(domain: tuple[float, float], span: tuple[float, float]):
    lo, hi = domain
    a, b = span
    if hi == lo:
        return lambda _v: (a + b) / 2
    return lambda v: a + (v - lo) / (hi - lo) * (b - a)


def _padded(values: list[float], floor: float | None = None) -> tuple[float, float]:
    """A value range around ``values``: at least 40% of their size tall, so run-to-run noise
    does not fill the chart; not below ``floor`` when the values are not."""
    lo, hi = min(values), max(values)
    widen = max(abs(hi) * 0.4 - (hi - lo), 0.0) / 2
    pad = max((hi - lo) * 0.08, 1e-9)
    lo, hi = lo - widen - pad, hi + widen + pad
    if hi - lo < 1e-6:
        lo, hi = lo - 1.0, hi + 1.0
    if floor is not None and lo < floor <= min(values):
        lo = floor
    return lo, hi


def check_chart(history: list[Check], width: int = 300, height: int = 96) -> str:
    """A small line chart of one check over runs: threshold zones, a point per run by status."""
    left, right, top, bottom = 44, 8, 8, 18
    points = [c for c in history if c.measured_value is not None]
    latest = history[-1]
    values: list[float] = [c.measured_value for c in points]  # type: ignore[misc]
    thresholds = [
        (level, value)
        for level, value in (("warn", latest.threshold_warn), ("fail", latest.threshold_fail))
        if value is not None
    ]
    # thresholds far from the values would flatten the line: they are named, not drawn
    if values:
        lo, hi = min(values), max(values)
        reach = max(hi - lo, abs(hi) * 0.5, 1e-9)
        near = [(lv, t) for lv, t in thresholds if lo - 2 * reach <= t <= hi + 2 * reach]
    else:
        near = thresholds
    off = [(lv, t) for lv, t in thresholds if (lv, t) not in near]
    bounds = values + [t for _, t in near]
    parts = [
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{_e(LABELS.get(latest.check_name, latest.check_name))} '
        f'over {len(history)} run{"s" if len(history) != 1 else ""}">'
    ]
    if not bounds:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" class="axis" text-anchor="middle">'
            "nothing measured yet</text></svg>"
        )
        return "".join(parts)
    floor = 0.0 if _kind(latest.check_name) in ("share", "count", "ratio") else None
    domain = _padded(bounds, floor)
    y = _scale(domain, (height - bottom, top))
    times = [c.measured_at.timestamp() for c in history]
    x = _scale((min(times), max(times)), (left + 6, width - right - 6))
    plot_w = width - left - right
    # zones beyond the thresholds, then the threshold lines
    for level, value in near:
        yv = min(max(y(value), top), height - bottom)
        if latest.direction == "max":
            y0, y1 = top, yv
        else:
            y0, y1 = yv, height - bottom
        parts.append(
            f'<rect x="{left}" y="{y0:.1f}" width="{plot_w}" height="{max(y1 - y0, 0):.1f}" '
            f'class="zone zone-{level}"/>'
        )
    for level, value in near:
        yv = y(value)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yv:.1f}" y2="{yv:.1f}" '
            f'class="tline tline-{level}"/>'
        )
    # axes: value range on the left, first and last run below
    parts.append(
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{height - bottom}" class="axisline"/>'
    )
    for value in domain:
        parts.append(
            f'<text x="{left - 4}" y="{y(value) + 3:.1f}" class="axis" text-anchor="end">'
            f"{_e(format_value(latest.check_name, value))}</text>"
        )
    first, last = history[0].measured_at, history[-1].measured_at
    parts.append(f'<text x="{left}" y="{height - 4}" class="axis">{first:%d %b %H:%M}</text>')
    if len(history) > 1:
        parts.append(
            f'<text x="{width - right}" y="{height - 4}" class="axis" text-anchor="end">'
            f"{last:%d %b %H:%M}</text>"
        )
    if len(points) > 1:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{x(c.measured_at.timestamp()):.1f},{y(c.measured_value):.1f}"  # type: ignore[arg-type]
            for i, c in enumerate(points)
        )
        parts.append(f'<path d="{path}" class="series"/>')
    for c in points:
        parts.append(
            f'<circle cx="{x(c.measured_at.timestamp()):.1f}" '
            f'cy="{y(c.measured_value):.1f}" r="{4 if c is latest else 2.6}" '  # type: ignore[arg-type]
            f'fill="{STATUS_COLOURS.get(c.status, "#555")}"><title>'
            f"{_e(_fmt_time(c.measured_at))}: {_e(format_value(c.check_name, c.measured_value))}"
            f" ({_e(c.status)})</title></circle>"
        )
    if off:
        sign, arrow = (">", "\u2191") if latest.direction == "max" else ("<", "\u2193")
        label = " \u00b7 ".join(
            f"{lv} {sign} {format_value(latest.check_name, t, compact=True)}" for lv, t in off
        )
        y_text = top + 9 if latest.direction == "max" else height - bottom - 4
        parts.append(
            f'<text x="{width - right - 2}" y="{y_text}" class="axis offchart th-{off[0][0]}" '
            f'text-anchor="end">{_e(label)} {arrow}</text>'
        )
    if not points:
        parts.append(
            f'<text x="{left + plot_w / 2:.1f}" y="{(top + height - bottom) / 2 + 4:.1f}" '
            'class="axis" text-anchor="middle">no value yet</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def gauge(check: Check, width: int = 300, height: int = 16) -> str:
    """A bullet bar: the pass, warn and fail ranges of a check and a marker at its value."""
    warn, fail = check.threshold_warn, check.threshold_fail
    if warn is None and fail is None:
        return ""
    value = check.measured_value
    marks = [t for t in (warn, fail) if t is not None] + ([value] if value is not None else [])
    start = min(0.0, *marks)
    end = max(marks) * 1.15 if max(marks) > 0 else 1.0
    if _kind(check.check_name) == "share" and check.direction == "min":
        end = max(end, 1.0)
    if end <= start:
        end = start + 1.0
    x = _scale((start, end), (1, width - 1))
    if check.direction == "max":
        cuts = [(start, "pass"), (warn if warn is not None else fail, "warn")]
        if fail is not None:
            cuts.append((fail, "fail"))
    else:
        cuts = [(start, "fail" if fail is not None else "warn")]
        if fail is not None and warn is not None:
            cuts.append((fail, "warn"))
        cuts.append((warn if warn is not None else fail, "pass"))
    parts = [
        f'<svg class="gauge" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="value against thresholds">'
    ]
    for i, (at, status) in enumerate(cuts):
        until = cuts[i + 1][0] if i + 1 < len(cuts) else end
        parts.append(
            f'<rect x="{x(at):.1f}" y="5" width="{max(x(until) - x(at), 0):.1f}" height="6" '
            f'class="band band-{status}"/>'
        )
    if value is not None:
        xv = x(value)
        parts.append(
            f'<rect x="{xv - 1.5:.1f}" y="1" width="3" height="14" rx="1" '
            f'fill="{STATUS_COLOURS.get(check.status, "#333")}"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def runs_chart(
    runs: list[tuple[datetime, dict[str, int]]], width: int = 360, height: int = 70
) -> str:
    """Stacked bars: checks passed, warned and failed per run (the latest on the right)."""
    runs = runs[-30:]
    total = max((sum(c.values()) for _, c in runs), default=1) or 1
    bar_w = min(22.0, (width - 10) / max(len(runs), 1) - 3)
    parts = [
        f'<svg class="runs" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="checks by status over the last {len(runs)} runs">'
    ]
    for i, (when, counts) in enumerate(runs):
        x0 = 5 + i * (bar_w + 3)
        y0 = height - 14
        for status in ("pass", "warn", "fail"):
            h = counts.get(status, 0) / total * (height - 20)
            if h <= 0:
                continue
            y0 -= h
            parts.append(
                f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{STATUS_COLOURS[status]}"><title>{_e(_fmt_time(when))}: '
                f"{counts.get(status, 0)} {status}</title></rect>"
            )
    parts.append(
        f'<text x="5" y="{height - 2}" class="axis">{_e(f"{runs[0][0]:%d %b %H:%M}")}</text>'
        if runs
        else ""
    )
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(
    series: dict[str, list[tuple[date, float]]], width: int = 420, height: int = 190
) -> str:
    """A line chart with one line per series (segment sizes per day), legend beside it."""
    left, right, top, bottom = 46, 10, 10, 22
    all_points = [p for points in series.values() for p in points]
    parts = [
        f'<svg class="trend" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="segment sizes per day">'
    ]
    if not all_points:
        parts.append("</svg>")
        return "".join(parts)
    days = [p[0].toordinal() for p in all_points]
    values = [p[1] for p in all_points]
    y = _scale((0, max(values) * 1.1 or 1), (height - bottom, top))
    x = _scale((min(days), max(days)), (left + 8, width - right - 8))
    for frac in (0, 0.5, 1):
        v = max(values) * 1.1 * frac
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
            f'class="gridline"/><text x="{left - 4}" y="{y(v) + 3:.1f}" class="axis" '
            f'text-anchor="end">{v:,.0f}</text>'
        )
    first, last = min(p[0] for p in all_points), max(p[0] for p in all_points)
    parts.append(f'<text x="{left}" y="{height - 5}" class="axis">{first:%d %b %Y}</text>')
    if last != first:
        parts.append(
            f'<text x="{width - right}" y="{height - 5}" class="axis" text-anchor="end">'
            f"{last:%d %b %Y}</text>"
        )
    for i, (name, points) in enumerate(series.items()):
        colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
        points = sorted(points)
        if len(points) > 1:
            path = " ".join(
                f"{'M' if j == 0 else 'L'}{x(d.toordinal()):.1f},{y(v):.1f}"
                for j, (d, v) in enumerate(points)
            )
            parts.append(f'<path d="{path}" class="series" stroke="{colour}"/>')
        d, v = points[-1]
        parts.append(
            f'<circle cx="{x(d.toordinal()):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}">'
            f"<title>{_e(name)}: {v:,.0f} on {d:%d %b %Y}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# page


CSS = """
:root { --ink:#1d2430; --muted:#667085; --line:#e4e7ec; --bg:#f5f6f8; --card:#fff;
  --pass:#1f8a4c; --warn:#c98a06; --fail:#c93030; }
* { box-sizing:border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  color:var(--ink); background:var(--bg); }
header.top { background:#17202e; color:#fff; padding:28px 36px 24px; display:flex;
  flex-wrap:wrap; gap:28px; align-items:flex-end; justify-content:space-between; }
header.top h1 { margin:0 0 4px; font-size:24px; font-weight:650; letter-spacing:-.01em; }
header.top .meta { color:#b7c0cd; font-size:13px; }
.tally { display:flex; gap:12px; }
.pill { border-radius:10px; padding:10px 16px; min-width:92px; background:#243044; }
.pill b { display:block; font-size:26px; line-height:1.1; }
.pill span { font-size:12px; text-transform:uppercase; letter-spacing:.06em; color:#b7c0cd; }
.pill.pass b { color:#5fd68f; } .pill.warn b { color:#f5c542; } .pill.fail b { color:#ff7b7b; }
header.top svg.runs .axis { fill:#b7c0cd; }
main { padding:8px 36px 48px; max-width:1500px; }
section { margin-top:28px; }
section > h2 { font-size:18px; margin:0 0 2px; }
section > p.lead { margin:0 0 12px; color:var(--muted); }
.grid { display:grid; grid-template-columns:repeat(auto-fill,minmax(330px,1fr)); gap:14px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:12px;
  padding:14px 16px 12px; border-top:5px solid var(--pass);
  box-shadow:0 1px 2px rgba(16,24,40,.05); }
.card.warn { border-top-color:var(--warn); } .card.fail { border-top-color:var(--fail); }
.card header { display:flex; gap:8px; align-items:baseline; }
.card .name { font-weight:600; flex:1; }
.card .src { font:12px ui-monospace,SFMono-Regular,Menlo,monospace; color:var(--muted);
  background:#f0f2f5; border-radius:5px; padding:1px 6px; }
.badge { font-size:11px; font-weight:700; text-transform:uppercase; letter-spacing:.05em;
  color:#fff; border-radius:5px; padding:2px 7px; background:var(--pass); }
.badge.warn { background:var(--warn); } .badge.fail { background:var(--fail); }
.value { font-size:30px; font-weight:650; letter-spacing:-.02em; margin:4px 0 0; }
.card.warn .value { color:#a06d00; } .card.fail .value { color:var(--fail); }
.ths { color:var(--muted); font-size:12px; margin-bottom:6px; }
.th { margin-right:8px; } .th-warn { color:#a06d00; } .th-fail { color:var(--fail); }
.details { color:var(--muted); font-size:12px; margin:6px 0 0; overflow-wrap:anywhere; }
.sample { color:var(--muted); font-size:11px; }
svg { display:block; max-width:100%; height:auto; }
svg .axis { font-size:10px; fill:#8a94a6; }
svg .axisline { stroke:#d0d5dd; }
svg .gridline { stroke:#eef0f3; }
svg .series { fill:none; stroke:#3b4a61; stroke-width:1.8; stroke-linejoin:round; }
svg.trend .series { stroke-width:2; }
svg .zone-warn { fill:#fbf1d9; } svg .zone-fail { fill:#fbe2e2; }
svg .band-pass { fill:#cfe9d8; } svg .band-warn { fill:#f6e2ae; } svg .band-fail { fill:#f3c4c4; }
svg.gauge { margin:2px 0 6px; }
svg .tline { stroke-dasharray:4 3; stroke-width:1; }
svg .offchart.th-warn { fill:#a06d00; } svg .offchart.th-fail { fill:var(--fail); }
svg .tline-warn { stroke:var(--warn); } svg .tline-fail { stroke:var(--fail); }
.notice { background:#fff8e6; border:1px solid #f2d28b; border-radius:10px; padding:12px 16px; }
table.reasons { border-collapse:collapse; background:#fff; border:1px solid var(--line);
  border-radius:10px; margin-top:14px; font-size:13px; }
table.reasons th, table.reasons td { padding:5px 12px; border-bottom:1px solid var(--line);
  text-align:left; }
table.reasons td.n { text-align:right; font-variant-numeric:tabular-nums; }
.families { display:grid; grid-template-columns:repeat(auto-fill,minmax(440px,1fr)); gap:14px; }
.family { background:#fff; border:1px solid var(--line); border-radius:12px; padding:14px 16px; }
.family h3 { margin:0 0 6px; font-size:15px; }
.legend { display:flex; flex-wrap:wrap; gap:4px 14px; font-size:12px; margin-top:6px; }
.legend i { display:inline-block; width:10px; height:10px; border-radius:3px; margin-right:5px;
  vertical-align:-1px; }
.legend b { font-weight:600; font-variant-numeric:tabular-nums; }
footer { color:var(--muted); font-size:12px; padding:0 36px 30px; }
"""


def _card(history: list[Check]) -> str:
    latest = history[-1]
    label = LABELS.get(latest.check_name, latest.check_name.replace("_", " "))
    value = "" if latest.measured_value is None else f"{latest.measured_value:.6g}"
    sample = (
        f'<div class="sample">measured on {latest.sample_size:,} records</div>'
        if latest.sample_size is not None
        else ""
    )
    return (
        f'<article class="card {_e(latest.status)}" '
        f'data-check="{_e(latest.check_name)}:{_e(latest.source_system)}" '
        f'data-status="{_e(latest.status)}" data-value="{_e(value)}">'
        f'<header><span class="name">{_e(label)}</span>'
        f'<span class="src">{_e(latest.source_system)}</span>'
        f'<span class="badge {_e(latest.status)}">{_e(latest.status)}</span></header>'
        f'<div class="value">{_e(format_value(latest.check_name, latest.measured_value))}</div>'
        f'<div class="ths">{_threshold_text(latest)}</div>'
        f"{gauge(latest)}{check_chart(history)}"
        f'<p class="details">{_e(latest.details or "")}</p>{sample}'
        "</article>"
    )


def _load_checks(con: duckdb.DuckDBPyConnection) -> list[Check]:
    rows = _rows(
        con,
        """
        select check_name, check_family, source_system, measured_value, sample_size,
            threshold_warn, threshold_fail, direction, status, details, measured_at, invocation_id
        from marts.data_quality_checks
        order by measured_at, check_family, check_name, source_system
        """,
    )
    for row in rows:
        for key in ("measured_value", "threshold_warn", "threshold_fail"):
            if row[key] is not None:
                row[key] = float(row[key])
    return [Check(**row) for row in rows]


def _quality_section(con: duckdb.DuckDBPyConnection, summary: ReportSummary) -> tuple[str, str]:
    """The header tally and the check sections."""
    if not _table_exists(con, "marts", "data_quality_checks"):
        summary.messages.append("marts.data_quality_checks not found")
        return "", (
            '<section><div class="notice">No data quality checks in this warehouse yet '
            "(<code>marts.data_quality_checks</code> is missing): run <code>dbt build</code>, "
            "then this command again.</div></section>"
        )
    checks = _load_checks(con)
    if not checks:
        summary.messages.append("marts.data_quality_checks is empty")
        return "", (
            '<section><div class="notice"><code>marts.data_quality_checks</code> has no rows '
            "yet: run <code>dbt build</code>.</div></section>"
        )
    runs: dict[datetime, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    history: dict[tuple[str, str], list[Check]] = defaultdict(list)
    for check in checks:
        runs[check.measured_at][check.status] += 1
        history[(check.check_name, check.source_system)].append(check)
    latest_at = max(runs)
    current = [h for h in history.values() if h[-1].measured_at == latest_at]
    tally = dict(runs[latest_at])
    summary.runs, summary.checks = len(runs), len(current)
    summary.statuses = {s: tally.get(s, 0) for s in ("pass", "warn", "fail")}

    head = (
        '<div class="tally">'
        + "".join(
            f'<div class="pill {s}"><b>{tally.get(s, 0)}</b><span>{s}</span></div>'
            for s in ("pass", "warn", "fail")
        )
        + f"</div><div>{runs_chart(sorted(runs.items()))}</div>"
    )
    body = []
    known = {f for f, _, _ in FAMILIES}
    families = FAMILIES + [
        (f, f.replace("_", " ").capitalize(), "")
        for f in sorted({h[-1].check_family for h in current} - known)
    ]
    order = {"fail": 0, "warn": 1, "pass": 2}
    for family, title, lead in families:
        cards = [h for h in current if h[-1].check_family == family]
        if not cards:
            continue
        cards.sort(
            key=lambda h: (h[-1].check_name, order.get(h[-1].status, 3), h[-1].source_system)
        )
        bad = sum(1 for h in cards if h[-1].status != "pass")
        note = f" · {bad} to look at" if bad else " · all pass"
        extra = _reasons_table(con) if family == "schema_validation" else ""
        body.append(
            f'<section id="{_e(family)}"><h2>{_e(title)}</h2>'
            f'<p class="lead">{_e(lead)}{_e(note)}</p>'
            f'<div class="grid">{"".join(_card(h) for h in cards)}</div>{extra}</section>'
        )
    return head, "".join(body)


def _reasons_table(con: duckdb.DuckDBPyConnection) -> str:
    if not _table_exists(con, "quality", "int_quality_quarantine_counted"):
        return ""
    rows = _rows(
        con,
        """
        select source_system, target_table, reason, quarantined_records, landing_files
        from quality.int_quality_quarantine_counted
        order by quarantined_records desc, source_system, target_table, reason
        limit 25
        """,
    )
    if not rows:
        return ""
    body = "".join(
        f"<tr><td>{_e(r['source_system'])}</td><td>{_e(r['target_table'])}</td>"
        f"<td>{_e(r['reason'])}</td><td class=n>{r['quarantined_records']:,}</td>"
        f"<td class=n>{r['landing_files']:,}</td></tr>"
        for r in rows
    )
    return (
        '<table class="reasons"><thead><tr><th>source</th><th>table</th><th>reason</th>'
        "<th>records</th><th>files</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _segments_section(con: duckdb.DuckDBPyConnection, summary: ReportSummary) -> str:
    title = "<h2>Segment sizes</h2>"
    if not _table_exists(con, "marts", "segment_sizes_daily"):
        summary.messages.append("marts.segment_sizes_daily not found")
        return (
            f'<section id="segments">{title}<div class="notice">No segment history yet '
            "(<code>marts.segment_sizes_daily</code> is missing).</div></section>"
        )
    rows = _rows(con, "select segment_name, size_date, customers from marts.segment_sizes_daily")
    if not rows:
        return (
            f'<section id="segments">{title}<div class="notice">Segment history is empty.'
            "</div></section>"
        )
    families: dict[str, str] = {}
    if _table_exists(con, "marts", "segment_memberships"):
        families.update(
            (r["segment_name"], r["segment_family"])
            for r in _rows(
                con,
                "select distinct segment_name, segment_family from marts.segment_memberships",
            )
            if r["segment_family"]
        )
    grouped: dict[str, dict[str, list[tuple[date, float]]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        name = r["segment_name"]
        family = families.get(name) or (name.split(":", 1)[0] if ":" in name else "other")
        grouped[family][name].append((r["size_date"], float(r["customers"])))
    days = {r["size_date"] for r in rows}
    lead = (
        f"Customers in each segment at the end of each day (data time), "
        f"{len(days)} day{'s' if len(days) != 1 else ''} of history, one chart per segment "
        "family; the history grows with every run (segment_sizes_daily)."
    )
    charts = []
    for family in sorted(grouped, key=lambda f: -sum(s[-1][1] for s in grouped[f].values())):
        series = dict(
            sorted(grouped[family].items(), key=lambda kv: -sorted(kv[1])[-1][1])[
                : len(SERIES_COLOURS)
            ]
        )
        hidden = len(grouped[family]) - len(series)
        legend = "".join(
            f'<span><i style="background:{SERIES_COLOURS[i % len(SERIES_COLOURS)]}"></i>'
            f"{_e(name)} <b>{sorted(points)[-1][1]:,.0f}</b></span>"
            for i, (name, points) in enumerate(series.items())
        )
        if hidden:
            legend += f"<span>and {hidden} smaller</span>"
        charts.append(
            f'<div class="family"><h3>{_e(family.replace("_", " "))}</h3>'
            f'{trend_chart(series)}<div class="legend">{legend}</div></div>'
        )
    return (
        f'<section id="segments">{title}<p class="lead">{_e(lead)}</p>'
        f'<div class="families">{"".join(charts)}</div></section>'
    )


def render(warehouse: Path) -> tuple[str, ReportSummary]:
    """The report page for ``warehouse`` (opened read-only) and what it shows."""
    summary = ReportSummary(path=Path())
    generated = datetime.now(UTC)
    if not warehouse.exists():
        summary.messages.append(f"warehouse {warehouse} not found")
        head, checks_html, segments_html, run_line = (
            "",
            f'<section><div class="notice">Warehouse <code>{_e(warehouse)}</code> not found: '
            "run <code>./scripts/run.sh</code> first.</div></section>",
            "",
            "no warehouse",
        )
    else:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            head, checks_html = _quality_section(con, summary)
            segments_html = _segments_section(con, summary)
            latest = None
            if _table_exists(con, "marts", "data_quality_checks"):
                found = con.execute(
                    "select max(measured_at) from marts.data_quality_checks"
                ).fetchone()
                latest = found[0] if found else None
            run_line = f"latest run {_fmt_time(latest)} · {summary.runs} run" + (
                "s" if summary.runs != 1 else ""
            )
        finally:
            con.close()
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mailmart · data quality</title>
<style>{CSS}</style></head>
<body>
<header class="top"><div><h1>Data quality</h1>
<div class="meta">{_e(run_line)} · {summary.checks} checks · warehouse {_e(warehouse.name)}</div>
</div>{head}</header>
<main>{checks_html}{segments_html}</main>
<footer>Generated {_e(_fmt_time(generated))} by <code>python -m ingestion quality-report</code>
from <code>marts.data_quality_checks</code>; thresholds are the <code>mailmart_quality_*</code>
vars in dbt_project.yml.</footer>
</body></html>
"""
    return page, summary


def write_report(warehouse: Path, out: Path) -> ReportSummary:
    """Render the report for ``warehouse`` into ``out`` (folders created) and say what it shows."""
    page, summary = render(warehouse)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    summary.path = out
    return summary
