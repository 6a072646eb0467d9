"""The catalogue: deterministic, sized by the scale knob, with the real reports' truth intact."""

from collections import Counter
from decimal import Decimal

import pytest

from demo.sites import DemoWorld
from demo.sites.real import load_real_values, real_extract_status
from transform import schema


@pytest.mark.slow  # renders every document of a second world (~5 s)
def test_world_is_deterministic_for_a_seed(world):
    again = DemoWorld(seed=7)
    a = [(e.site, e.url, e.sha256, e.state) for e in world.expected_reports(1)]
    b = [(e.site, e.url, e.sha256, e.state) for e in again.expected_reports(1)]
    assert a == b
    other = DemoWorld(seed=8)
    assert {d.path for d in other.docs} != {d.path for d in world.docs}


def test_day_one_world_size_and_mix(world):
    reports = world.expected_reports(1)
    assert 60 <= len(reports) <= 160
    sites = Counter(e.site for e in reports)
    assert set(sites) == {"trs", "gd", "hanweb", "doc", "legacy", "epoint"}
    fmts = Counter(e.fmt for e in reports)
    for fmt in ("html", "pdf", "docx", "wps", "ofd", "png", "scan-pdf", "pre2019-html", "html-octet"):
        assert fmts[fmt] >= 1, fmt
    years = Counter(e.year for e in reports)
    assert set(range(2019, 2025)) <= set(years) and 2017 in years
    versions = Counter(e.values["tables"]["t3_requests"]["version"] for e in reports if e.values)
    assert versions["gov2019"] and versions["gov2021"]
    mixed = [e for e in reports if e.values and e.values["report"]["format_version"] == "gov2021"
             and e.values["tables"]["t3_requests"]["version"] == "gov2019"]
    assert len([e for e in mixed if e.year == 2022]) >= 2  # 2022 reports still printing a gov2019 表三
    units = {e.agency for e in reports}
    assert any(a.endswith("街道办事处") for a in units) and any(a.endswith("镇人民政府") for a in units)
    assert any(a.endswith("局") or a.endswith("分局") for a in units)


def test_scale_knob_grows_the_world():
    big = DemoWorld(seed=7, scale=500)
    day1_links = sum(1 for d in big.docs if d.day_from == 1 and d.site not in ("down", "epoint"))
    assert 500 <= day1_links <= 520
    assert sum(1 for d in big.docs if d.site == "epoint") >= 125  # the Java portal keeps its own share
    # still unique URLs per site
    keys = [(d.site, d.path) for d in big.docs]
    assert len(keys) == len(set(keys))


def test_urls_unique_and_every_report_has_values_or_a_reason(world):
    keys = [(d.site, d.path) for d in world.docs]
    assert len(keys) == len(set(keys))
    for e in world.expected_reports(1):
        if e.state == "new" and e.fmt in ("html", "pdf", "docx", "html-octet"):
            assert e.values is not None and e.sha256, e.url
            assert e.values["report"]["agency"] == e.agency and e.values["report"]["year"] == e.year
        if e.fmt in ("wps", "ofd", "png", "pre2019-html"):
            assert e.extract_status == "unsupported" and e.values is None


def test_real_reports_served_with_their_truth(world):
    real = {d.real: d for d in world.docs if d.real}
    assert set(real) == {"js-huaian-city-2024", "js-huaian-hongze-2023", "js-huaian-hongze-2024",
                         "sh-city-office-2019", "fj-pingtan-2019", "fj-pingtan-2022"}
    assert {real[k].site for k in real} >= {"trs", "doc", "gd", "hanweb"}
    assert real["js-huaian-city-2024"].fmt == "pdf" and real["fj-pingtan-2019"].fmt == "html"
    assert world.doc_bytes(real["js-huaian-hongze-2023"], 1).startswith(b"%PDF")


def test_real_truth_conversion_by_hand():
    sh = load_real_values("sh-city-office-2019")
    t9 = sh["tables"]["t2_art20_9"]["cells"]["gov_central_procurement"]
    assert t9 == {"procurement_items": 6, "procurement_amount": 251000}  # printed "251000元"
    t3 = sh["tables"]["t3_requests"]["cells"]
    assert t3["new_received"]["research_institution"] is None  # printed blank, not 0
    assert t3["new_received"]["total"] == 859
    t4 = sh["tables"]["t4_review_litigation"]["cells"]
    physical = [t4[r][c] for r, c in schema.t4_physical_order()]
    assert physical == [5, None, None, 2, 7, 8, None, None, 1, 9, None, None, None, None, None]
    assert real_extract_status("sh-city-office-2019") == "warning"

    hz = load_real_values("js-huaian-hongze-2023")
    assert hz["tables"]["t3_requests"]["version"] == "gov2019"  # single （六）其他处理 row in a 2023 report
    assert hz["tables"]["t3_requests"]["cells"]["denied_state_secret"]["natural_person"] == 1
    assert hz["tables"]["t4_review_litigation"]["cells"]["review"] == {
        "maintained": 10, "corrected": 1, "other": 0, "pending": 0, "total": 0}  # printed totals kept
    assert hz["tables"]["t2_art20_8"]["cells"]["admin_fees"]["fee_amount"] == Decimal("7730.28")
    assert real_extract_status("js-huaian-hongze-2023") == "warning"

    pt = load_real_values("fj-pingtan-2022")
    assert pt["report"]["agency"] == "平潭综合实验区管委会"
    assert set(pt["tables"]["t3_requests"]["cells"]) == set(schema.layout("t3_requests", "gov2021").row_codes)
    assert real_extract_status("fj-pingtan-2022") == "ok"


def test_decoys_are_not_reports(world):
    decoys = world.decoys(1)
    whys = {d.why for d in decoys}
    assert {"website_form", "guide", "budget", "prefecture_summary", "off_site"} <= whys
    report_urls = {(e.site, e.url) for e in world.expected_reports(1)}
    assert not any((d.site, d.url) in report_urls for d in decoys)
    pre2019 = [e for e in world.expected_reports(1) if e.year < 2019]
    assert len(pre2019) == 1 and pre2019[0].extract_status == "unsupported"
