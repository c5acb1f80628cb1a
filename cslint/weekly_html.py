"""The weekly table as one self-contained HTML page with charts for managers.

Points per agent, the trend per period and the rules broken most, drawn as
inline SVG: no JavaScript, no CDN, no font or image to fetch, so the file can
be mailed or opened offline. Hovering a bar or point shows its figure (SVG
``<title>``). The page is also well-formed XML, which the tests rely on.

It takes plain rows, not a DataFrame, so pandas stays in :mod:`cslint.weekly`.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from cslint.reporters.common import display_width, xml_safe

PALETTE = ("#d9480f", "#1c7ed6", "#2b8a3e", "#7048e8")
_CHART_WIDTH = 520
_FONT = (
    "-apple-system, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', "
    "'Noto Sans CJK SC', 'Noto Sans SC', 'WenQuanYi Micro Hei', sans-serif"
)
_CSS = f"""
body {{ font-family: {_FONT}; margin: 24px auto; max-width: 1100px; color: #212529;
  padding: 0 16px; }}
h1 {{ font-size: 24px; margin-bottom: 4px; }}
h2 {{ font-size: 18px; margin: 28px 0 8px; }}
.sub {{ color: #868e96; margin-top: 0; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }}
.card {{ border: 1px solid #dee2e6; border-radius: 8px; padding: 10px 16px; min-width: 120px; }}
.card .v {{ font-size: 26px; font-weight: 600; }}
.card .k {{ color: #868e96; font-size: 13px; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 24px; }}
figure {{ margin: 0; }}
figcaption {{ font-weight: 600; margin-bottom: 6px; }}
svg text {{ font-family: {_FONT}; font-size: 12px; fill: #343a40; }}
table {{ border-collapse: collapse; font-size: 12px; margin-top: 8px; }}
th, td {{ border: 1px solid #dee2e6; padding: 3px 6px; white-space: nowrap; }}
th {{ background: #f1f3f5; position: sticky; top: 0; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
.wrap {{ overflow-x: auto; max-height: 70vh; }}
footer {{ color: #adb5bd; font-size: 12px; margin-top: 24px; }}
"""


def _e(value: object) -> str:
    return html.escape(xml_safe(str(value)), quote=True)


def _num(value: float) -> str:
    """A figure for a label: integers without decimals, others with two."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


def _nice_axis(low: float, high: float) -> tuple[float, float, float]:
    """Axis bounds around ``low``..``high`` on round ticks (1, 2, 5 × 10ⁿ): (min, max, step)."""
    if high <= low:
        high = low + 1
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return step * math.floor(low / step), step * math.ceil(high / step), step


def bar_chart(
    items: Sequence[tuple[str, float]], *, color: str = PALETTE[0], unit: str = ""
) -> str:
    """A horizontal bar chart, one labelled bar per item, largest scale first."""
    if not items:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="30">' + (
            '<text x="0" y="20">—</text></svg>'
        )
    row, top = 24, 8
    label_w = min(240, 12 + 7 * max(display_width(label) for label, _ in items))
    area = _CHART_WIDTH - label_w - 70
    peak = max(value for _, value in items) or 1
    height = top * 2 + row * len(items)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_CHART_WIDTH}" height="{height}"'
        f' viewBox="0 0 {_CHART_WIDTH} {height}" role="img">'
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row
        width = max(1.0, area * value / peak) if value > 0 else 0.0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{_e(label)}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{width:.1f}" height="16" rx="2"'
            f' fill="{color}"><title>{_e(label)}: {_num(value)}{_e(unit)}</title></rect>'
            f'<text x="{label_w + width + 6:.1f}" y="{y + 14}">{_num(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    from_zero: bool = True,
) -> str:
    """A line chart over ``labels`` (periods), one line per series, with a legend.

    With ``from_zero`` false the axis starts near the lowest value (scores
    between 90 and 100 would otherwise be one flat line at the top).
    """
    width, height = _CHART_WIDTH, 260
    left, right, top, bottom = 44, 36, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for vs in series.values() for v in vs if v is not None]
    low = 0.0 if from_zero or not values else max(0.0, min(values) - 1)
    floor, peak, step = _nice_axis(low, max(values, default=0.0))
    n = len(labels)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - floor) / (peak - floor))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img">'
    ]
    ticks = round((peak - floor) / step)
    for k in range(ticks + 1):
        value = floor + step * k
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(value):.1f}" y2="{y(value):.1f}"'
            ' stroke="#e9ecef"/>'
            f'<text x="{left - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{_num(value)}</text>'
        )
    every = max(1, math.ceil(n / 12))  # at most about 12 period labels
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle">'
                f"{_e(label)}</text>"
            )
    for s, (name, vs) in enumerate(series.items()):
        color = PALETTE[s % len(PALETTE)]
        points = [(x(i), y(v), v) for i, v in enumerate(vs) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>'
            )
        for (px, py, v), label in zip(
            points, [lb for lb, v in zip(labels, vs, strict=True) if v is not None], strict=True
        ):
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{color}">'
                f"<title>{_e(name)} {_e(label)}: {_num(v)}</title></circle>"
            )
        lx = left + 150 * s
        parts.append(
            f'<rect x="{lx}" y="6" width="12" height="12" fill="{color}"/>'
            f'<text x="{lx + 18}" y="16">{_e(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption>{_e(caption)}</figcaption>{svg}</figure>"


def render_html(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    period_column: str,
    codes: Sequence[str],
    rule_names: Mapping[str, str],
    title: str = "客服质检报告",
) -> str:
    """The whole page for the table given as ``columns`` and plain ``rows``."""
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    shops = {r["shop"] for r in records}

    def who(r: Mapping[str, Any]) -> str:
        agent, shop = str(r["agent"]), str(r["shop"])
        if len(shops) <= 1 or agent.startswith(f"{shop}:"):
            return agent  # a Qianniu nick 店铺:客服 already names its shop
        return f"{agent}（{shop}）"

    per_agent: defaultdict[str, float] = defaultdict(float)
    per_period: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    per_code: defaultdict[str, float] = defaultdict(float)
    for r in records:
        per_agent[who(r)] += r["points"]
        bucket = per_period[str(r[period_column])]
        bucket[0] += r["violations"]
        bucket[1] += r["points"]
        if r["avg_score"] is not None:
            bucket[2] += r["avg_score"] * r["sessions"]
            bucket[3] += r["sessions"]
        for code in codes:
            per_code[code] += r[code] or 0
    periods = sorted(per_period)
    sessions = sum(r["sessions"] for r in records)
    scored = sum(b[3] for b in per_period.values())
    avg = sum(b[2] for b in per_period.values()) / scored if scored else None
    cards = [
        ("会话 sessions", str(sessions)),
        ("违规 violations", str(sum(r["violations"] for r in records))),
        ("扣分 points", str(sum(r["points"] for r in records))),
        ("平均分 average score", "-" if avg is None else f"{avg:.2f}"),
        ("客服 agents", str(len({who(r) for r in records}))),
    ]
    agents = sorted(per_agent.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
    top_rules = sorted(
        ((f"{c} {rule_names.get(c, '')}".strip(), n) for c, n in per_code.items() if n > 0),
        key=lambda kv: (-kv[1], kv[0]),
    )[:10]
    trend = line_chart(
        periods,
        {
            "违规 violations": [per_period[p][0] for p in periods],
            "扣分 points": [per_period[p][1] for p in periods],
        },
    )
    score_trend = line_chart(
        periods,
        {
            "平均分 average score": [
                round(b[2] / b[3], 2) if b[3] else None for b in (per_period[p] for p in periods)
            ]
        },
        from_zero=False,
    )
    span = (
        "—" if not periods else periods[0] if len(periods) == 1 else f"{periods[0]} – {periods[-1]}"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8"/>',
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>',
        f"<title>{_e(title)} {_e(span)}</title><style>{_CSS}</style></head><body>",
        f'<h1>{_e(title)}</h1><p class="sub">{_e(period_column)}: {_e(span)} · cslint</p>',
        '<div class="cards">',
        *(
            f'<div class="card"><div class="v">{_e(v)}</div><div class="k">{_e(k)}</div></div>'
            for k, v in cards
        ),
        "</div>",
        '<div class="charts">',
        _figure("各客服扣分 · points per agent", bar_chart(agents, unit=" 分")),
        _figure(f"趋势 · trend per {period_column}", trend),
        _figure("平均分趋势 · average score", score_trend),
        _figure("违规最多的规则 · top rules", bar_chart(top_rules, color=PALETTE[1])),
        "</div>",
        "<h2>明细 · details</h2>",
        '<div class="wrap"><table><thead><tr>',
        *(f"<th>{_e(c)}</th>" for c in columns),
        "</tr></thead><tbody>",
    ]
    for row in rows:
        cells = []
        for value in row:
            if value is None:
                cells.append('<td class="n"></td>')
            elif isinstance(value, int | float):
                shown = f"{value:.2f}" if isinstance(value, float) else str(value)
                cells.append(f'<td class="n">{shown}</td>')
            else:
                cells.append(f"<td>{_e(value)}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts += [
        "</tbody></table></div>",
        "<footer>cslint · self-contained page: no scripts, no external resources</footer>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
