"""``xxgk query`` only reads the published warehouse: every probe of a hostile analyst is refused in one line.

The probes are the ones a hostile tester used (issue 15): reading other files, writing files, attaching a
database for writing, downloading an extension, raising the memory limit, a query that never ends.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.synthetic import district_dataset

runner = CliRunner()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("query")
    results, _manifest = district_dataset()
    jsonl = tmp / "extract.jsonl"
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in results.values()), encoding="utf-8")
    db = tmp / "warehouse" / "xxgk.duckdb"
    loaded = runner.invoke(app, ["load", "--from-json", str(jsonl), "--db", str(db)])
    assert loaded.exit_code == 0, loaded.output
    return db


def query(db: Path, sql: str, *extra: str):
    return runner.invoke(app, ["query", sql, "--db", str(db), *extra])


def assert_refused(result, *words: str) -> str:
    """Exit ≠ 0, one line on stderr naming the problem, no traceback."""
    assert result.exit_code != 0, result.output
    err = result.stderr.strip()
    assert err and len(err.splitlines()) == 1, err
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    for word in words:
        assert word.lower() in err.lower(), err
    return err


def test_an_ordinary_query_still_works(warehouse):
    ok = query(warehouse, "SELECT count(*) AS n FROM out_agency_year WHERE report_year = 2021", "--csv")
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[0] == "n" and int(ok.stdout.splitlines()[1]) > 0


@pytest.mark.parametrize("sql", [
    "SELECT * FROM read_text('/etc/shadow')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM glob('/root/**')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_parquet('/tmp/*.parquet')",
])
def test_other_files_cannot_be_read(warehouse, sql):
    assert_refused(query(warehouse, sql), "read")


def test_files_cannot_be_written(warehouse, tmp_path):
    target = tmp_path / "out.csv"
    assert_refused(query(warehouse, f"COPY (SELECT * FROM out_agency_year) TO '{target}'"))
    assert not target.exists()
    exported = tmp_path / "dump"
    assert_refused(query(warehouse, f"EXPORT DATABASE '{exported}'"))
    assert not exported.exists()


def test_no_database_can_be_attached_for_writing(warehouse, tmp_path):
    other = tmp_path / "other.duckdb"
    assert_refused(query(warehouse, f"ATTACH '{other}' AS other (READ_WRITE)"))
    assert not other.exists()
    # nor the warehouse itself, a second time, writable
    assert_refused(query(warehouse, f"ATTACH '{warehouse}' AS again (READ_WRITE)"))


def test_the_warehouse_itself_cannot_be_changed(warehouse):
    before = warehouse.stat().st_mtime_ns, warehouse.stat().st_size
    assert_refused(query(warehouse, "CREATE TABLE x AS SELECT 1"))
    assert_refused(query(warehouse, "DELETE FROM core_reports"))
    assert (warehouse.stat().st_mtime_ns, warehouse.stat().st_size) == before


@pytest.mark.parametrize("sql", ["INSTALL httpfs", "LOAD httpfs", "FORCE INSTALL httpfs FROM core"])
def test_no_extension_is_installed_or_loaded(warehouse, sql):
    assert_refused(query(warehouse, sql))


@pytest.mark.parametrize("sql", [
    "SET memory_limit = '100GB'",
    "PRAGMA memory_limit = '100GB'",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "RESET lock_configuration",
    "SET autoinstall_known_extensions = true",
])
def test_the_configuration_is_locked(warehouse, sql):
    assert_refused(query(warehouse, sql), "configuration")


def test_the_memory_limit_is_set(warehouse):
    shown = query(warehouse, "SELECT current_setting('memory_limit') AS m", "--csv", "--memory-limit", "512MB")
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.splitlines()[1].startswith(("488", "512"))  # DuckDB prints MiB


def test_a_long_query_is_stopped_at_the_timeout(warehouse):
    started = time.monotonic()
    slow = query(warehouse, "SELECT sum(hash(a.range * b.range)) FROM range(200000) a, range(200000) b",
                 "--timeout", "1")
    assert time.monotonic() - started < 15
    assert_refused(slow, "1 s")


def test_bad_sql_is_one_line(warehouse):
    err = assert_refused(query(warehouse, "SELEC agency_name FRM out_agency_year"))
    assert "syntax" in err.lower()
    assert_refused(query(warehouse, "SELECT no_such_column FROM out_agency_year"), "no_such_column")


@pytest.mark.parametrize("value", ["0", "-5"])
def test_a_timeout_of_zero_or_less_is_refused(warehouse, value):
    result = query(warehouse, "SELECT 1", "--timeout", value)
    assert result.exit_code != 0 and "Traceback" not in result.output


def test_a_missing_warehouse_is_one_line(tmp_path):
    assert_refused(query(tmp_path / "nope.duckdb", "SELECT 1"), "xxgk load")


def test_a_wide_result_stays_readable(warehouse):
    """SELECT * of the widest view: a terminal table of 60+ columns is an empty grid; say what to do."""
    wide = runner.invoke(app, ["query", "SELECT * FROM out_agency_year LIMIT 3", "--db", str(warehouse)],
                         env={"COLUMNS": "100"})
    assert wide.exit_code == 0, wide.output
    lines = wide.stdout.splitlines()
    # every value printed somewhere, no column squeezed to nothing
    assert any("agency_name" in line for line in lines)
    assert "--csv" in wide.output
    assert max(len(line) for line in lines) <= 100


def test_a_huge_result_is_not_materialised_for_the_terminal(warehouse):
    """Table mode fetches --limit + 1 rows: a billion-row result prints its first rows at once."""
    started = time.monotonic()
    huge = query(warehouse, "SELECT range AS n FROM range(1000000000)", "--limit", "5", "--timeout", "30")
    assert huge.exit_code == 0, huge.output
    assert time.monotonic() - started < 10
    assert "more rows than the 5 shown" in huge.stdout
