"""The annual indicator pack as one self-contained HTML page: no scripts, no fonts or images to fetch,
charts drawn as inline SVG here, so it opens offline and prints as it shows."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from domain.outcomes import DecisionType
from projections.report import percent
from projections.statistics import INDICATORS, SECTIONS

FONTS = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "Heiti SC", sans-serif'
BLUE, ORANGE, GREEN, GREY = "#2f5d8a", "#d9822b", "#3a8a4f", "#8a8f98"
RATE_CHART = (
    "on_time_acceptance_rate",
    "closure_rate",
    "on_time_closure_rate",
    "resolution_rate",
    "follow_up_rate",
    "satisfaction_rate",
    "reopen_rate",
    "mediation_success_rate",
    "fulfilment_rate",
    "legality_review_coverage_rate",
    "publication_on_time_rate",
)
_LABELS = {indicator.code: indicator for indicator in INDICATORS}

STYLE = f"""
body {{ font-family: {FONTS}; color: #1f2328; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.6; }}
h1 {{ font-size: 1.6rem; margin-bottom: 0; }}
h2 {{ font-size: 1.2rem; border-bottom: 2px solid {BLUE}; padding-bottom: .2rem; margin-top: 2rem; }}
.en {{ color: #57606a; font-size: .9em; }}
p.en, li .en {{ display: block; }}
table {{ border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92rem; }}
th, td {{ border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
th {{ background: #f3f6f9; }}
figure {{ margin: 1rem 0 1.5rem; }}
figcaption {{ font-weight: bold; }}
svg text {{ font-family: {FONTS}; }}
footer {{ margin-top: 2rem; font-size: .85rem; color: #57606a; }}
@media print {{ body {{ margin: 0; }} h2 {{ break-after: avoid; }} figure, table {{ break-inside: avoid; }} }}
"""


def report_html(report: dict[str, Any]) -> str:
    """The report as a complete HTML document."""
    title = report["title"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title['zh'])} / {escape(title['en'])}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        report_body(report),
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def report_body(report: dict[str, Any]) -> str:
    """The report's content, from its heading to its footer: the document's body, or a page's part."""
    title = report["title"]
    return "\n".join(
        [
            "<header>",
            f"<h1>{escape(title['zh'])}</h1>",
            f'<p class="en">{escape(title["en"])}</p>',
            f"<p>统计时段：{escape(report['period']['start'])} 至 {escape(report['period']['end'])}；"
            f"数据截至 {escape(report['as_of'][:16].replace('T', ' '))}（北京时间）。"
            '<span class="en">'
            f"Period {escape(report['period']['start'])} to {escape(report['period']['end'])}; "
            f"figures as of {escape(report['as_of'][:16].replace('T', ' '))} (Beijing time).</span></p>",
            "</header>",
            _headline(report["headline"]),
            _charts(report),
            _tables(report["indicators"]),
            _by_kind(report["by_kind"]),
            _by_unit(report["by_unit"]),
            _footer(report),
        ]
    )


def _headline(sentences: Sequence[dict[str, str]]) -> str:
    items = "".join(f'<li>{escape(s["zh"])}<span class="en">{escape(s["en"])}</span></li>' for s in sentences)
    return f'<section><h2>主要数据 <span class="en">Headline figures</span></h2><ul>{items}</ul></section>'


def _charts(report: dict[str, Any]) -> str:
    months = report["monthly"]
    monthly = grouped_bars(
        [f"{int(m['period']['code'][-2:])}月" for m in months],
        [
            ("收件 Received", [m["received"] for m in months], BLUE),
            ("办结 Closed", [m["closed"] for m in months], GREEN),
        ],
    )
    indicators = report["indicators"]
    rates = horizontal_bars(
        [
            (f"{_LABELS[code].zh} {_LABELS[code].en}", indicators[code]["rate"], percent(indicators[code]))
            for code in RATE_CHART
        ],
        maximum=1.0,
        colour=BLUE,
    )
    decisions = horizontal_bars(
        [
            (f"{d.zh} {d.en}", float(indicators[f"decisions_{d.code}"]), str(indicators[f"decisions_{d.code}"]))
            for d in DecisionType
        ],
        maximum=max([1.0, *(float(indicators[f"decisions_{d.code}"]) for d in DecisionType)]),
        colour=ORANGE,
    )
    return (
        '<section><h2>图表 <span class="en">Charts</span></h2>'
        f'<figure><figcaption>按月收件与办结 <span class="en">Cases received and closed, by month of receipt</span>'
        f"</figcaption>{monthly}</figure>"
        f'<figure><figcaption>主要比率 <span class="en">Key rates</span></figcaption>{rates}</figure>'
        f'<figure><figcaption>执法决定类型 <span class="en">Enforcement decisions by type</span>'
        f"</figcaption>{decisions}</figure></section>"
    )


def _tables(indicators: dict[str, Any]) -> str:
    parts = ['<section><h2>指标明细 <span class="en">All indicators</span></h2>']
    for section, (zh, en) in SECTIONS.items():
        rows = []
        for indicator in INDICATORS:
            if indicator.section != section:
                continue
            value, detail = _shown(indicator.type, indicators[indicator.code])
            rows.append(
                f'<tr><td>{escape(indicator.zh)}</td><td class="en">{escape(indicator.en)}</td>'
                f'<td class="n">{escape(value)}</td><td class="n">{escape(detail)}</td></tr>'
            )
        parts.append(
            f'<h3>{escape(zh)} <span class="en">{escape(en)}</span></h3>'
            "<table><thead><tr><th>指标</th><th>Indicator</th><th>数值 Value</th>"
            "<th>分子/分母 Numerator/denominator</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
    parts.append("</section>")
    return "".join(parts)


def _by_kind(groups: Sequence[dict[str, Any]]) -> str:
    codes = ("received", "accepted", "not_accepted", "closed", "open", "overdue")
    head = "".join(
        f'<th>{escape(_LABELS[c].zh)}<br><span class="en">{escape(_LABELS[c].en)}</span></th>' for c in codes
    )
    rate_codes = ("closure_rate", "on_time_closure_rate", "satisfaction_rate")
    head += "".join(
        f'<th>{escape(_LABELS[c].zh)}<br><span class="en">{escape(_LABELS[c].en)}</span></th>' for c in rate_codes
    )
    rows = []
    for group in groups:
        values = group["indicators"]
        cells = "".join(f'<td class="n">{values[c]}</td>' for c in codes)
        cells += "".join(f'<td class="n">{escape(percent(values[c]))}</td>' for c in rate_codes)
        label = group["kind"]
        rows.append(f'<tr><td>{escape(label["zh"])}<br><span class="en">{escape(label["en"])}</span></td>{cells}</tr>')
    return (
        '<section><h2>分类统计 <span class="en">By kind of case</span></h2>'
        f"<table><thead><tr><th>类别 Kind</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _by_unit(units: Sequence[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{escape(u['unit']['zh'])}</td>"
        f'<td class="n">{u["received"]}</td><td class="n">{u["closed"]}</td>'
        f'<td class="n">{u["open"]}</td><td class="n">{u["overdue"]}</td>'
        f'<td class="n">{escape(percent(u["on_time_closure_rate"]))}</td></tr>'
        for u in units
    )
    return (
        '<section><h2>承办单位 <span class="en">By handling unit</span></h2>'
        "<table><thead><tr><th>单位 Unit</th><th>收件 Received</th><th>办结 Closed</th><th>在办 Open</th>"
        "<th>超期 Overdue</th><th>按期办结率 On-time closure</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _footer(report: dict[str, Any]) -> str:
    days = report["publication_working_days"]
    return (
        "<footer><p>统计口径：案件按登记（申请、发现线索）之日计入当期，办理结果截至数据时点；"
        "比率均列明分子与分母，分母为零时不计算；办结率以受理（执法为立案）且未并案、未转办的案件为分母；"
        "按期办结率以已办结及已超期未办结的案件为分母；满意率为最近一次回访满意与基本满意之和占已回访案件之比；"
        f"执法决定公示时限为作出决定后{days}个工作日。本报告不含任何当事人身份信息。</p>"
        '<p class="en">Cases count in the period they came in (registered, applied for, or recorded as a clue); '
        "outcomes are as of the time shown. Every rate shows its numerator and denominator and is left blank when "
        "the denominator is zero. Closure rate: closed over accepted (enforcement: filed) cases not merged or "
        "transferred out. On-time closure: over the closed cases and the open ones already late. Satisfaction: "
        "satisfied or basically satisfied at the latest visit, over the cases visited. Decisions are published "
        f"within {days} working days. This report holds no party's identity.</p></footer>"
    )


def _shown(kind: str, value: Any) -> tuple[str, str]:
    if kind == "rate":
        return percent(value), f"{value['numerator']} / {value['denominator']}"
    if kind == "days":
        mean = "—" if value["mean"] is None else f"{value['mean']:.1f}"
        median = "—" if value["median"] is None else f"{value['median']:.1f}"
        return f"平均 {mean} / 中位 {median}", f"n = {value['count']}"
    return str(value), ""


# -- charts ---------------------------------------------------------------------------------------------


def grouped_bars(categories: Sequence[str], series: Sequence[tuple[str, Sequence[int], str]]) -> str:
    """Vertical bars, one group per category and one bar per series, with a legend and a value on each bar."""
    width, height, left, bottom, top = 720, 280, 40, 40, 30
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max([1, *(v for _, values, _ in series for v in values)])
    step = plot_w / max(1, len(categories))
    bar = step * 0.8 / max(1, len(series))
    parts = [_svg_open(width, height, "按月收件与办结 Cases received and closed by month")]
    for tick in _ticks(peak):
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#e5e8eb"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>')
    for n, category in enumerate(categories):
        x0 = left + n * step + step * 0.1
        for s, (name, values, colour) in enumerate(series):
            value = values[n]
            h = plot_h * value / peak
            x, y = x0 + s * bar, top + plot_h - h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 1:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(category)} {escape(name)}: {value}</title></rect>"
            )
            if value:
                parts.append(
                    f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle">{value}</text>'
                )
        parts.append(
            f'<text x="{left + n * step + step / 2:.1f}" y="{top + plot_h + 16}" font-size="11" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="{GREY}"/>')
    for s, (name, _, colour) in enumerate(series):
        x = left + s * 150
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="18" font-size="12">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def horizontal_bars(items: Sequence[tuple[str, float | None, str]], *, maximum: float, colour: str) -> str:
    """One labelled horizontal bar per item, its text shown at the end (a dash for no value)."""
    row, label_w, width = 24, 330, 720
    height = row * len(items) + 10
    bar_w = width - label_w - 70
    parts = [_svg_open(width, height, "; ".join(label for label, _, _ in items))]
    for n, (label, value, text) in enumerate(items):
        y = 5 + n * row
        parts.append(f'<text x="{label_w - 8}" y="{y + 15}" font-size="12" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row - 8}" fill="#eef1f4"/>')
        length = 0.0 if value is None or maximum <= 0 else bar_w * min(1.0, value / maximum)
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" fill="{colour}">'
            f"<title>{escape(label)}: {escape(text)}</title></rect>"
        )
        parts.append(f'<text x="{label_w + bar_w + 6}" y="{y + 15}" font-size="12">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(label)}">'
    )


def _ticks(peak: int) -> list[int]:
    """Up to five round gridline values from 0 to ``peak``."""
    step = 1
    while peak / step > 5:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return list(range(0, peak + 1, step))
