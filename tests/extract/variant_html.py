"""Build real-world layout variants of a report page from the demo renderer's clean HTML.

The demo renderer (``demo.render``) prints the official template layout. Real agency pages differ:
表二 as separate tables, MS-Word export markup, missing header rows, traditional characters…
(``spec/annual-report-format.md`` §8). These helpers cut and rewrite that clean markup so a test can
state one variant in a few lines and compare the extraction with the values it was generated from.
"""

from __future__ import annotations

import re
from decimal import Decimal

import opencc

from demo.render import render_report
from demo.values import generate_report

AGENCY = "某某市某某区人民政府"
REGION = ""

# The renderer's statistics tables; the 索引号 box above them is a different <table>.
_DATA_TABLE = re.compile(r'<table border="1" cellspacing="0" cellpadding="0" width="100%"><tbody>(.*?)</tbody></table>',
                         re.S)
_ROW = re.compile(r"<tr>.*?</tr>", re.S)


def make_report(version: str = "gov2021", year: int = 2023, *, seed: int = 7, scale: int = 80, **kw) -> dict:
    """Known values (the truth) for one report; ``kw`` goes to ``generate_report`` (blanks, t3_version…)."""
    return generate_report(kw.pop("agency", AGENCY), REGION, year, version, seed, scale=scale, **kw)


def html_of(rep: dict, quirks=()) -> str:
    return render_report(rep, "html", quirks).decode("utf-8")


# ------------------------------------------------------------------ tables and rows of the clean page


def data_tables(html: str) -> list[re.Match]:
    """The statistics tables in page order: 表二, 表三, 表四."""
    return list(_DATA_TABLE.finditer(html))


def rows_of(html: str, i: int) -> list[str]:
    """The ``<tr>`` strings of the i-th statistics table."""
    return _ROW.findall(data_tables(html)[i].group(1))


def table_html(rows: list[str], attrs: str = 'border="1" cellspacing="0" cellpadding="0" width="100%"') -> str:
    return f"<table {attrs}><tbody>{''.join(rows)}</tbody></table>"


def replace_table(html: str, i: int, new: str) -> str:
    """Replace the i-th statistics table (whole ``<table>`` element) by ``new`` markup."""
    m = data_tables(html)[i]
    return html[: m.start()] + new + html[m.end():]


def row_index(rows: list[str], text: str) -> int:
    return next(k for k, r in enumerate(rows) if text in r)


def cells_of(row: str) -> list[str]:
    return re.findall(r"<t[dh][^>]*>.*?</t[dh]>", row, re.S)


def set_value(html: str, table: int, label: str, n: int, text: str) -> str:
    """Replace the text of the n-th value cell (0-based, after the label cells) of the row holding ``label``."""
    rows = rows_of(html, table)
    k = row_index(rows, f">{label}</td>")
    row = rows[k]
    cells = cells_of(row)
    label_at = next(j for j, c in enumerate(cells) if f">{label}</td>" in c)
    target = cells[label_at + 1 + n]
    new_cell = re.sub(r">(.*)</td>$", lambda m: f">{text}</td>", target, flags=re.S)
    rows[k] = row.replace(target, new_cell, 1)
    return replace_table(html, table, table_html(rows))


# ------------------------------------------------------------------ MS-Word HTML export markup

_WORD_TD = ("<td width={w} valign=top style='width:{w}.0pt;border:solid windowtext 1.0pt;border-top:none;"
            "mso-border-top-alt:solid windowtext .5pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm "
            "5.4pt'{span}><p class=MsoNormal align=center style='text-align:center;mso-pagination:widow-orphan'>"
            "<span lang=EN-US style='font-size:10.5pt;font-family:仿宋_GB2312;mso-hansi-font-family:\"Times New Roman\"'>"
            "{text}<o:p></o:p></span></p></td>")


def word_markup(html: str) -> str:
    """Rewrite every statistics-table cell the way Word's "save as web page" writes it.

    Blank cells become ``<o:p>&nbsp;</o:p>``; labels are split over nested spans as Word does at font changes.
    """
    def cell(m: re.Match) -> str:
        attrs, text = m.group(1), m.group(2)
        span = "".join(f" {a}={v}" for a, v in re.findall(r'(rowspan|colspan)="(\d+)"', attrs))
        if text in ("", "&nbsp;"):
            text = "<o:p>&nbsp;</o:p>"
        elif not re.fullmatch(r"[\d.,]+", text) and len(text) > 4:
            # Word splits runs at font/language changes: digits and CJK in separate spans.
            text = re.sub(r"^([（(]?[一二三四五六七八\d]+[）)、.]?)", r"\1</span><span style='font-family:仿宋_GB2312'>",
                          text, count=1)
        return _WORD_TD.format(w=60, span=span, text=text)

    def table(m: re.Match) -> str:
        body = re.sub(r"<td([^>]*)>(.*?)</td>", cell, m.group(1), flags=re.S)
        body = body.replace("<tr>", "<tr style='mso-yfti-irow:0;height:20.0pt'>")
        return ("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
                f"border:none;mso-border-alt:solid windowtext .5pt;mso-yfti-tbllook:1184'><tbody>{body}</tbody></table>")

    return _DATA_TABLE.sub(table, html)


# ------------------------------------------------------------------ traditional characters (mirror sites)

def traditional(text: str) -> str:
    """The text as a 繁體 mirror site serves it: the whole page through OpenCC's s2t, as such sites do."""
    return opencc.OpenCC("s2t").convert(text)


# ------------------------------------------------------------------ comparing the extraction with the truth


def _same(expected, got) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    if isinstance(expected, Decimal):
        return Decimal(str(got)) == expected
    return isinstance(got, int) and not isinstance(got, bool) and got == expected


def cell_diffs(expected: dict, got: dict, only: tuple[str, ...] | None = None) -> list[str]:
    """Differences between the generated tables and the extracted ones (missing tables, versions, cells)."""
    diffs = []
    want_ids = [t for t in expected if only is None or t in only]
    missing = sorted(set(want_ids) - set(got))
    if missing:
        diffs.append(f"tables missing {missing}")
    for table_id in want_ids:
        if table_id not in got:
            continue
        want, have = expected[table_id], got[table_id]
        if want["version"] != have["version"]:
            diffs.append(f"{table_id}: version {have['version']} != {want['version']}")
            continue
        for row, cols in want["cells"].items():
            for col, value in cols.items():
                printed = have["cells"].get(row, {}).get(col, "<absent>")
                if not _same(value, printed):
                    diffs.append(f"{table_id}.{row}.{col}: got {printed!r}, want {value!r}")
    return diffs


def serious_issues(out: dict, allowed: tuple[str, ...] = ()) -> list[str]:
    return [f"{i['severity']}:{i['code']}:{i.get('table')}.{i.get('row')}.{i.get('col')}: {i.get('message', '')[:100]}"
            for i in out["issues"] if i["severity"] in ("warning", "error") and i["code"] not in allowed]


def explain(out: dict, diffs: list[str], extra: list[str] = ()) -> str:
    """A failure message that shows what came back: status, wrong cells, issues, failed checks."""
    failed = [f"{c['rule']}@{c['where']}: {c.get('detail', '')}" for c in out["checks"] if not c["ok"]]
    return "\n".join([f"status={out['status']} year={out['report']['year']} agency={out['report']['agency']}",
                      *diffs[:25], *(["..."] if len(diffs) > 25 else []), *list(extra)[:15],
                      *[f"check {f}" for f in failed[:10]]])


def assert_exact(out: dict, rep: dict, *, allowed: tuple[str, ...] = (), only: tuple[str, ...] | None = None) -> None:
    """Every cell as generated, year and agency right, status ok (warning only for ``allowed`` issue codes)."""
    diffs = cell_diffs(rep["tables"], out["tables"], only)
    meta, want = out["report"], rep["report"]
    if (meta["year"], meta["agency"]) != (want["year"], want["agency"]):
        diffs.append(f"meta {meta['year']}/{meta['agency']} != {want['year']}/{want['agency']}")
    unexpected = serious_issues(out, allowed)
    failed_checks = [c for c in out["checks"] if not c["ok"]]
    status_ok = out["status"] == "ok" or (out["status"] == "warning" and allowed and not unexpected
                                          and not failed_checks)
    assert not diffs and not unexpected and status_ok, explain(out, diffs, unexpected)


def issue_codes(out: dict, severity: tuple[str, ...] = ("warning", "error")) -> set[str]:
    return {i["code"] for i in out["issues"] if i["severity"] in severity}
