"""A report as an ordered list of blocks (title, paragraphs, headings, tables), format-neutral.

The prose imitates real reports (淮安市洪泽区 2023, 平潭 2019): a preamble naming the 条例 and the
statistics period, six sections with the official headings, a few sentences quoting table numbers,
then the agency and the date at the end. Wording is picked by a generator seeded from the title, so
two agencies read differently but one report always renders the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from transform import schema

from demo.render.quirks import traditional
from demo.render.tables import Grid, t2_grid, t3_grid, t4_grid


@dataclass
class Block:
    """A run of text: ``kind`` is title, heading, para or signature."""

    kind: str
    text: str


@dataclass
class ReportDocument:
    """Everything a writer needs: printed title, page metadata and the blocks in reading order."""

    title: str
    agency: str
    published: date
    blocks: list[Block | Grid] = field(default_factory=list)

    @property
    def office(self) -> str:
        """Who compiles the report: a government's 办公室, or the department itself."""
        return f"{self.agency}办公室" if self.agency.endswith("人民政府") else self.agency


def default_published(year: int) -> date:
    """Reports on year Y appear in late January of Y+1 (条例 Art. 49 deadline 31 Jan)."""
    return date(year + 1, 1, 25)


def printed_title(meta: dict, quirks: frozenset[str]) -> str:
    if "year_only_in_body" in quirks:
        title = f"{meta['agency']}政府信息公开工作年度报告"
    else:
        title = meta.get("title") or f"{meta['agency']}{meta['year']}年政府信息公开工作年度报告"
    return f"附件1：{title}.pdf" if "file_name_title" in quirks else title


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def build_document(report: dict, quirks: frozenset[str], published: date | None, split_mode: str | None) -> ReportDocument:
    """Lay out the whole report; ``split_mode`` is how 表三's merged label crosses a page break."""
    meta, tables = report["report"], report["tables"]
    doc = ReportDocument(printed_title(meta, quirks), meta["agency"], published or default_published(meta["year"]))
    rng = random.Random(meta.get("title") or meta["agency"])
    numbers = _Numbers(tables)
    blocks: list[Block | Grid] = [Block("title", doc.title), Block("para", _preamble(doc, meta["year"]))]
    blocks.append(Block("heading", _heading("s1_overview")))
    blocks += [Block("para", p) for p in _overview(doc, meta["year"], numbers, rng)]
    blocks.append(Block("heading", _heading("s2_proactive")))
    blocks.append(t2_grid(tables, quirks))
    blocks.append(Block("heading", _heading("s3_requests")))
    blocks.append(t3_grid(tables[schema.T3], quirks, split_mode))
    blocks.append(Block("heading", _heading("s4_review_litigation")))
    blocks.append(t4_grid(tables[schema.T4], quirks))
    blocks.append(Block("heading", _heading("s5_problems")))
    blocks.append(Block("para", rng.choice(_PROBLEMS).format(year=meta["year"])))
    blocks.append(Block("heading", _heading("s6_other")))
    blocks.append(Block("para", _other_matters(meta["year"], tables)))
    blocks += [Block("signature", doc.agency), Block("signature", cn_date(doc.published))]
    doc.blocks = blocks
    return in_traditional_script(doc) if "traditional" in quirks else doc


def in_traditional_script(doc: ReportDocument) -> ReportDocument:
    """Every printed text of the report in traditional characters, as a 繁體 mirror site serves it."""
    for block in doc.blocks:
        if isinstance(block, Block):
            block.text = traditional(block.text)
        else:
            for row in block.rows:
                for cell in row:
                    cell.text = traditional(cell.text)
    doc.title, doc.agency = traditional(doc.title), traditional(doc.agency)
    return doc


def _heading(section_id: str) -> str:
    return schema.section(section_id)["label"]


class _Numbers:
    """Table totals quoted in the prose; a blank cell reads as zero, as a human writer would say."""

    def __init__(self, tables: dict) -> None:
        self.tables = tables

    def get(self, table_id: str, row: str, col: str) -> int:
        try:
            return self.tables[table_id]["cells"][row][col] or 0
        except KeyError:
            return 0


def _preamble(doc: ReportDocument, year: int) -> str:
    # The first sentence always states the year, so year_only_in_body reports stay dateable.
    return (
        f"本报告统计期限自{year}年1月1日起至{year}年12月31日止。本报告由{doc.office}根据《中华人民共和国"
        "政府信息公开条例》（国令第711号，以下简称《条例》）要求编制，全文包括总体情况、主动公开政府信息情况、"
        "收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况、"
        f"其他需要报告的事项六部分。如对本报告有疑问，请与{doc.office}联系。"
    )


def _overview(doc: ReportDocument, year: int, n: _Numbers, rng: random.Random) -> list[str]:
    t3, t4 = schema.T3, schema.T4
    received = n.get(t3, "new_received", "total")
    carried = n.get(t3, "carried_over", "total")
    done = n.get(t3, "results_total", "total")
    reviews = n.get(t4, "review", "total")
    suits = n.get(t4, "litigation_direct", "total") + n.get(t4, "litigation_after_review", "total")
    posted = rng.randint(50, 3000)
    return [
        f"{year}年，{doc.agency}坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实《条例》各项要求，"
        "不断完善政府信息公开制度，推进政府信息公开工作规范、有序、健康发展。",
        f"（一）主动公开情况。主要通过政府门户网站主动公开政府文件、通知公告等各类政府信息，全年主动公开政府信息{posted}条。",
        f"（二）依申请公开情况。全年共收到政府信息公开申请{received}件，上年结转{carried}件，办结{done}件，"
        f"均在法定期限内答复。全年发生政府信息公开行政复议{reviews}件、行政诉讼{suits}件。",
        "（三）政府信息管理情况。严格执行信息发布审核制度，落实“三审三校”要求，未经审核的信息一律不予发布。",
        "（四）政府信息公开平台建设情况。加强政府网站和政务新媒体日常监管，及时整改空白栏目、不良链接等问题。",
        "（五）监督保障情况。将政务公开工作纳入年度绩效考核，全年开展业务培训" + f"{rng.randint(1, 6)}次。",
    ]


_PROBLEMS = [
    "{year}年，政府信息公开工作取得一定成效，但对照上级要求仍有差距：依申请公开办理的规范性有待提高，"
    "政策解读的深度和广度有待提升。下一步，将健全依申请公开工作机制，加强业务培训，持续提升公开质量。",
    "本年度政府信息公开工作仍存在公开内容不够全面、更新不够及时等问题。下一步，将进一步梳理公开事项清单，"
    "强化信息发布审核，加强工作人员业务培训，推动政府信息公开工作提质增效。",
]


def _other_matters(year: int, tables: dict) -> str:
    if tables[schema.T3]["version"] == "gov2021":
        return f"{year}年，本机关严格落实《政府信息公开信息处理费管理办法》，全年未收取政府信息公开信息处理费。"
    return "无其他需要报告的事项。"
