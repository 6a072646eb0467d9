from pathlib import Path

import pytest

from extract.crawl.registry import check_registry, load_registry

REPO = Path(__file__).resolve().parents[3]

GOOD = """
- id: demo-trs
  name: 示例区
  admin_code: "420190"
  hosts: ["127.0.0.1:18001"]
  family_hint: trs
  status: demo
  entries:
    - {kind: mixed, url: "http://127.0.0.1:18001/xxgk/zfxxgknb/"}
  crawl: {max_list_pages: 10}
"""


def write(tmp_path, text):
    path = tmp_path / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_registry_is_valid():
    sites = load_registry(REPO / "data/registry/sites.yaml")
    ids = [s.id for s in sites]
    assert len(ids) == len(set(ids))
    assert {"gd-gz-huadu", "hb-wh-qiaokou", "zj-hz-shangcheng", "js-wx-xishan"} <= set(ids)
    real = [s for s in sites if not s.demo]
    assert real and all(s.status == "unverified" for s in real)  # unreachable from here: never claimed verified
    demo = {s.id: s for s in sites if s.demo}
    assert set(demo) == {"demo-trs", "demo-gd", "demo-hanweb", "demo-doc", "demo-legacy", "demo-down", "demo-epoint"}
    ports = {s.id: s.hosts[0] for s in demo.values()}
    assert ports["demo-trs"] == "127.0.0.1:18001" and ports["demo-down"] == "127.0.0.1:18007"
    assert ports["demo-epoint"] == "127.0.0.1:18008" and demo["demo-epoint"].family is None  # detection decides


def test_a_good_entry_loads_with_defaults(tmp_path):
    (site,) = load_registry(write(tmp_path, GOOD))
    assert site.family == "trs" and site.crawl.max_list_pages == 10 and site.crawl.max_depth == 2
    assert site.entries[0].kind == "mixed" and not site.crawl.insecure_tls


@pytest.mark.parametrize("mutation,expected", [
    (('admin_code: "420190"', 'admin_code: "4201"'), "sites[0] (id=demo-trs): admin_code: Value error, admin_code must be 6 digits"),
    (("family_hint: trs", "family_hint: wordpress"), "sites[0] (id=demo-trs): family_hint: Value error, unknown family 'wordpress'"),
    (('url: "http://127.0.0.1:18001/', 'url: "http://evil.example/'), "is not in hosts"),
    (("crawl: {max_list_pages: 10}", "crawl: {max_pages: 10}"), "sites[0] (id=demo-trs): crawl.max_pages: Extra inputs are not permitted"),
    (('url: "http://127.0.0.1:18001/xxgk/zfxxgknb/"', 'url: "xxgk/zfxxgknb/"'), "entries.0.url: Value error, not an absolute http(s) URL"),
    (("  name: 示例区\n", ""), "sites[0] (id=demo-trs): name: Field required"),
])
def test_errors_name_the_entry_and_the_field(tmp_path, mutation, expected):
    errors = check_registry(write(tmp_path, GOOD.replace(*mutation)))
    assert len(errors) == 1 and expected in errors[0], errors


def test_duplicate_ids_and_broken_yaml_are_reported(tmp_path):
    errors = check_registry(write(tmp_path, GOOD + GOOD))
    assert errors == ["sites[1] (id=demo-trs): id: duplicate of sites[0]"]
    assert "sites.yaml" in check_registry(write(tmp_path, "- id: [unclosed"))[0]
    with pytest.raises(ValueError, match="invalid site registry"):
        load_registry(write(tmp_path, GOOD.replace("hosts:", "hostz:")))


def test_sites_check_cli_exit_codes(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["sites", "check", "--sites", str(write(tmp_path, GOOD))])
    assert ok.exit_code == 0 and "OK: 1 sites" in ok.output
    bad = runner.invoke(app, ["sites", "check", "--sites", str(write(tmp_path, GOOD.replace("420190", "42")))])
    assert bad.exit_code == 1 and "admin_code" in bad.output
