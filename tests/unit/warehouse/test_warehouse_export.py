"""CSV exports: one file per out_ view plus the dictionary, BOM by default, formula cells neutralized,
negative numbers left as numbers."""

import csv
import io

import pandas as pd
import pytest

from warehouse.db import OUT_VIEWS
from warehouse.export import export_csv, neutralize_frame
from warehouse.load import load_results
from tests.synthetic import district_dataset, make_result


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("exp") / "w.duckdb"
    results, manifest = district_dataset()
    # a hostile agency name: would run as a formula in Excel if written as is
    hostile = make_result('=HYPERLINK("http://x")局', "北京市示例区", 2022, "gov2021", t3={"new_received": 1})
    load_results(path, [*results.values(), hostile], manifest)
    return path


def read(path, encoding="utf-8-sig"):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding=encoding))))


def test_one_csv_per_view_plus_dictionary_with_bom(db, tmp_path):
    paths = export_csv(db, tmp_path, lang="en")
    extras = ["data_dictionary.csv", "data_objects.csv", "codes.csv", "rules.csv"]
    assert sorted(p.name for p in paths) == sorted([f"{v}.csv" for v in OUT_VIEWS] + extras)
    raw = (tmp_path / "out_agency_year.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = read(tmp_path / "out_agency_year.csv")
    assert any(r["agency_name"] == "示例区财政局" for r in rows)


def test_utf8_without_bom(db, tmp_path):
    export_csv(db, tmp_path, encoding="utf-8")
    assert not (tmp_path / "out_coverage.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with pytest.raises(ValueError):
        export_csv(db, tmp_path, encoding="gbk")


def test_formula_text_neutralized_but_negative_numbers_kept(db, tmp_path):
    export_csv(db, tmp_path, lang="en")
    rows = read(tmp_path / "out_agency_year.csv")
    names = {r["agency_name"] for r in rows}
    assert '\'=HYPERLINK("http://x")局' in names
    assert not any(n.startswith("=") for n in names)
    yoy = read(tmp_path / "out_year_over_year.csv")
    fin = next(r for r in yoy if r["agency_name"] == "示例区财政局" and r["report_year"] == "2022")
    assert fin["new_received_change"] == "-7"  # numeric column: a negative number, not text
    carry = next(r for r in yoy if r["report_year"] == "2022" and r["agency_name"].endswith("示例区人民政府"))
    assert carry["carry_difference"] == "-2"


def test_neutralize_only_text_columns():
    frame = pd.DataFrame(
        {"t": ["=1+1", "+x", "-y", "@z", "\tq", "\rr", "ok", None], "n": [-3, 1, 2, 3, 4, 5, 6, 7]}
    )
    out = neutralize_frame(frame)
    assert out["t"].tolist()[:7] == ["'=1+1", "'+x", "'-y", "'@z", "'\tq", "'\rr", "ok"]
    assert pd.isna(out["t"].iloc[7])
    assert out["n"].tolist()[0] == -3


def test_dictionary_describes_every_column(db, tmp_path):
    export_csv(db, tmp_path, lang="en")
    rows = read(tmp_path / "data_dictionary.csv")
    by_object = {}
    for r in rows:
        by_object.setdefault(r["object"], []).append(r)
    assert set(OUT_VIEWS) <= set(by_object)
    assert all(r["description"] for r in rows)
    value = next(r for r in by_object["core_facts"] if r["column_name"] == "value")
    assert "never 0" in value["description"]
    pct = next(r for r in by_object["out_agency_year"] if r["column_name"] == "disclosure_pct")
    assert "denominator" in pct["description"] and pct["header_zh"] == "公开率(%)"
    state = next(r for r in by_object["core_documents"] if r["column_name"] == "document_state")
    assert "fetch_failed" in state["description"] and "failed_fetch" not in state["description"]
    # the long description of a table or view is written once, in data_objects.csv
    assert "object_description" not in rows[0]
    objects = {r["object"]: r for r in read(tmp_path / "data_objects.csv")}
    assert objects["out_coverage"]["object_type"] == "view" and "deadline" in objects["out_coverage"]["description"]


def test_chinese_headers_integer_counts_and_rates_to_one_decimal(db, tmp_path):
    export_csv(db, tmp_path)  # default: Chinese headers
    rows = read(tmp_path / "out_agency_year.csv")
    gov = next(r for r in rows if r["机关"].endswith("示例区人民政府") and r["年度"] == "2021")
    assert gov["本年新收"] == "60"  # a count: never "60.0"
    assert gov["公开率(%)"] == "77.8"  # 42 / 54, rounded to one decimal in the CSV only
    assert gov["本年收费金额（单位：万元）".join(["第二十条第（八）项 行政事业性收费 — ", ""])] == "12.5"  # money as printed
    assert not any(h.endswith("_source") or h.endswith("（来源）") for h in rows[0])  # lineage: companion view
    sources = read(tmp_path / "out_agency_year_sources.csv")
    assert "予以公开（来源）" in sources[0]
    ranking = read(tmp_path / "out_ranking.csv")
    assert {"名次", "分母", "Wilson区间下限(%)", "比较范围"} <= set(ranking[0])
    counts = [r for r in ranking if r["指标"] == "new_received"]
    assert counts and all("." not in r["数值"] for r in counts)
    rules = read(tmp_path / "rules.csv")
    balance = next(r for r in rules if r["规则"] == "t3_balance")
    assert "本年新收" in balance["规则（文字）"] and "每一列" in balance["规则（文字）"]
    codes = read(tmp_path / "codes.csv")
    assert any(r["中文名称"] == "（七）总计" and r["印刷顺序"] for r in codes)
