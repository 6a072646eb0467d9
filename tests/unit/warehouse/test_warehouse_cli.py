"""``xxgk load --from-json``, ``xxgk query`` (read-only) and ``xxgk export`` end to end."""

import json

from typer.testing import CliRunner

from flows.cli import app
from tests.synthetic import district_dataset

runner = CliRunner()


def test_load_query_export(tmp_path):
    results, _manifest = district_dataset()
    jsonl = tmp_path / "extract.jsonl"
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in results.values()), encoding="utf-8")
    db = tmp_path / "warehouse" / "xxgk.duckdb"

    loaded = runner.invoke(app, ["load", "--from-json", str(jsonl), "--db", str(db)])
    assert loaded.exit_code == 0, loaded.output
    assert json.loads(loaded.stdout[loaded.stdout.index("{") :])["reports_current"] == 11
    assert db.exists() and not (tmp_path / "warehouse" / "xxgk.work.duckdb").exists()

    q = runner.invoke(
        app,
        [
            "query",
            "SELECT agency_name, new_received FROM out_agency_year "
            "WHERE report_year = 2021 ORDER BY new_received DESC",
            "--csv",
            "--db",
            str(db),
        ],
    )
    assert q.exit_code == 0, q.output
    assert q.stdout.splitlines()[:2] == ["agency_name,new_received", "北京市示例区人民政府,60"]

    table = runner.invoke(app, ["query", "SELECT count(*) AS n FROM out_agency_year", "--db", str(db)])
    assert table.exit_code == 0 and "11" in table.stdout

    write = runner.invoke(app, ["query", "CREATE TABLE x AS SELECT 1", "--db", str(db)])
    assert write.exit_code != 0  # read-only: analysts cannot modify the published warehouse

    out = tmp_path / "exports"
    exported = runner.invoke(app, ["export", "--out", str(out), "--db", str(db), "--encoding", "utf-8"])
    assert exported.exit_code == 0, exported.output
    assert (out / "out_ranking.csv").exists() and (out / "data_dictionary.csv").exists()
