"""``load_archive`` reads the shared on-disk layout (data/raw/manifest.jsonl, data/extracted/*.json)."""

import json

from warehouse.db import connect_readonly
from warehouse.load import load_archive
from tests.synthetic import district_dataset


def write_archive(data_dir, results, manifest):
    (data_dir / "raw").mkdir(parents=True)
    (data_dir / "extracted").mkdir()
    with (data_dir / "raw" / "manifest.jsonl").open("w", encoding="utf-8") as handle:
        for row in manifest:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    for result in results:
        (data_dir / "extracted" / f"{result['sha256']}.json").write_text(
            json.dumps(result, ensure_ascii=False), encoding="utf-8"
        )


def test_archive_layout_loads_with_versions_in_fetch_order(tmp_path):
    results, manifest = district_dataset()
    # precondition: by file name the corrected version comes first, so only fetch order makes it current
    assert results["D2022v2"]["sha256"] < results["D2022v1"]["sha256"]
    # an older manifest row without the newer fields must still load
    manifest[0] = {k: v for k, v in manifest[0].items() if k not in ("admin_code", "etag")}
    write_archive(tmp_path, results.values(), manifest)
    db = tmp_path / "w.duckdb"
    summary = load_archive(db, tmp_path)
    assert summary["documents"] == 14 and summary["manifest_rows_added"] == 16
    con = connect_readonly(db)
    try:
        # the corrected 2022 town report was fetched later, so it is the current version whatever the
        # order of the files on disk
        current = con.execute("""SELECT r.sha256 FROM core_reports r JOIN core_agencies a USING (agency_id)
                                 WHERE a.agency_name = '岔河镇人民政府' AND r.report_year = 2022 AND r.is_current
                              """).fetchall()
        assert current == [(results["D2022v2"]["sha256"],)]
        pages = con.execute("SELECT count(*) FROM raw_fetch_manifest WHERE kind = 'page'").fetchall()
        assert pages == [(1,)]
        published = con.execute(
            "SELECT published_date::VARCHAR FROM core_reports WHERE sha256 = ?", [results["A2022"]["sha256"]]
        ).fetchall()
        assert published == [("2023-02-25",)]
    finally:
        con.close()
    again = load_archive(db, tmp_path)
    assert again["documents_unchanged"] == 14 and again["manifest_rows_added"] == 0
