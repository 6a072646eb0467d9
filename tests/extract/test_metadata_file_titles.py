"""Titles that are file names (issue 10): the agency is never named after the file.

Attachment pages and PDF title properties often carry only the file name: `附件1：某区2023年…年度报告.pdf`,
`Microsoft Word - ….doc`, `….ofd`, `….wps`, `….png`. The file-name parts (prefixes of ``schema.yaml``
`file_title_prefixes`, the crawler's attachment extensions) and site suffixes are stripped before title, year and
agency are read; when no agency can be read at all the report says so (`agency_unknown`).
"""

from __future__ import annotations

import pytest

from demo.render import render_report
from demo.render.document import Block, build_document
from demo.render.html_page import render_html
from demo.render.pdf_file import render_pdf
from tests.extract.variant_html import assert_exact, make_report
from transform.metadata import clean_link_title
from transform.runner import extract_bytes
from warehouse.agencies import name_and_year_from_title

AGENCY = "淮安市洪泽区教育局"
TITLE = f"{AGENCY}2023年政府信息公开工作年度报告"


@pytest.mark.parametrize(("printed", "clean"), [
    (f"附件1：{TITLE}.pdf", TITLE),
    (f"附件12.{TITLE}.PDF", TITLE),
    (f"Microsoft Word - {TITLE}.doc", TITLE),
    (f"{TITLE}.ofd - 淮安市洪泽区人民政府门户网站", TITLE),
    (f"{TITLE}.wps_政府信息公开年报_淮安市洪泽区人民政府", TITLE),
    (f"附件：{TITLE}.pdf.png", TITLE),
    ("附件2023年政府信息公开工作年度报告.pdf", "2023年政府信息公开工作年度报告"),
])
def test_file_name_parts_are_stripped(printed, clean):
    assert clean_link_title(printed) == clean


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_a_report_titled_by_its_file_name_reads_its_agency_and_year(fmt):
    rep = make_report(agency=AGENCY)
    out = extract_bytes(render_report(rep, fmt, ("file_name_title",)), f"attachment.{fmt}")
    assert_exact(out, rep)
    assert out["report"]["title"] == TITLE


def _untitled(fmt: str, file_title: str) -> bytes:
    """A report whose only title is ``file_title``: no printed title, no signature, no 发布机构."""
    rep = make_report(agency=AGENCY)
    doc = build_document(rep, frozenset(), None, None)
    doc.blocks = [b for b in doc.blocks if not (isinstance(b, Block) and b.kind in ("title", "signature"))]
    doc.title = file_title
    if fmt == "html":
        page = render_html(doc).decode("utf-8")
        page = page.replace(f">{doc.office}<", "><").replace(f'content="{doc.office}"', 'content=""')
        page = page.replace(f"来源：{doc.office}", "来源：")
        return page.encode("utf-8")
    return render_pdf(doc)


@pytest.mark.parametrize("fmt", ["html", "pdf"])
@pytest.mark.parametrize("file_title", ["2023年政府信息公开工作年度报告.pdf", "附件1：2023年度政府信息公开工作年度报告.ofd",
                                        "2023年度报告.png"])
def test_no_agency_from_a_file_name_says_agency_unknown(fmt, file_title):
    out = extract_bytes(_untitled(fmt, file_title), f"untitled.{fmt}")
    assert out["report"]["agency"] is None
    assert "agency_unknown" in {i["code"] for i in out["issues"] if i["severity"] == "warning"}
    assert out["status"] != "ok"
    assert out["report"]["year"] == 2023


def test_link_titles_that_are_file_names_in_the_warehouse_guess():
    assert name_and_year_from_title(f"附件1：{TITLE}.pdf") == name_and_year_from_title(TITLE)
    assert name_and_year_from_title("2023年政府信息公开工作年度报告.pdf")[0] is None
