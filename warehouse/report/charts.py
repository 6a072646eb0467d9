"""Charts as inline SVG: Vega-Lite specs from altair, rendered offline by vl-convert (bundled Deno/Vega)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import vl_convert as vlc

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


def to_svg(chart: alt.Chart) -> str:
    spec = chart.configure(font=FONT).configure_view(stroke=None).to_dict()
    svg = vlc.vegalite_to_svg(spec)
    return svg[svg.index("<svg"):]  # no XML prolog inside HTML


def _height(frame: pd.DataFrame) -> int:
    return max(60, 18 * len(frame))


def count_bars(frame: pd.DataFrame, value: str, title: str) -> str:
    """Horizontal bars of a count per agency, largest first."""
    data = frame.dropna(subset=[value])
    chart = alt.Chart(data, title=title, width=360, height=_height(data)).mark_bar(color="#4c78a8").encode(
        x=alt.X(f"{value}:Q", title=None),
        y=alt.Y("agency_name:N", sort="-x", title=None),
        tooltip=["agency_name", value],
    )
    return to_svg(chart + chart.mark_text(align="left", dx=3).encode(text=f"{value}:Q"))


def rate_dots(frame: pd.DataFrame, rate: str, title: str) -> str:
    """A rate per agency with its 95 % Wilson interval; small denominators are grey and marked."""
    data = frame.dropna(subset=[f"{rate}_pct"]).copy()
    if data.empty:
        return ""
    data["denominator_note"] = data[f"{rate}_small"].map({True: "分母<5 (不排名)", False: "分母≥5"})
    base = alt.Chart(data, title=title, width=360, height=_height(data)).encode(
        y=alt.Y("agency_name:N", sort=alt.EncodingSortField(f"{rate}_pct", order="descending"), title=None))
    rule = base.mark_rule(color="#999").encode(
        x=alt.X(f"{rate}_low:Q", title="%", scale=alt.Scale(domain=[0, 100])), x2=f"{rate}_high:Q")
    dots = base.mark_circle(size=70).encode(
        x=f"{rate}_pct:Q",
        color=alt.Color("denominator_note:N", title=None,
                        scale=alt.Scale(domain=["分母≥5", "分母<5 (不排名)"], range=["#e45756", "#bbbbbb"])),
        tooltip=["agency_name", alt.Tooltip(f"{rate}_pct:Q", format=".1f"), f"{rate}_numerator",
                 f"{rate}_denominator"],
    )
    return to_svg(rule + dots)


def trend(frame: pd.DataFrame, value: str, title: str, unit: str = "") -> str:
    """One agency's measure over the years."""
    data = frame.dropna(subset=[value])
    if data.empty:
        return ""
    chart = alt.Chart(data, title=title, width=320, height=160).mark_line(point=True).encode(
        x=alt.X("report_year:O", title=None), y=alt.Y(f"{value}:Q", title=unit or None),
        tooltip=["report_year", value])
    return to_svg(chart)
