"""Connections and DDL: create the layers from ``warehouse.schema`` and the views from ``sql/``.

Analysts open the *published* file read-only (``connect_readonly``); only the loader opens the
*working* copy read-write (``connect``). DuckDB lets any number of read-only processes share a file,
and since the loader never opens the published file for writing, a load can never lock analysts out.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse import measures
from warehouse.codes import codes
from warehouse.codes import rules as code_rules
from warehouse.agencies import legal_deadlines, publisher_deadlines
from warehouse.schema import (
    all_tables,
    comment_sql,
    create_table_sql,
    describe,
    enforce_schema,
    field,
    view_column_description,
)

logger = logging.getLogger(__name__)

SQL_DIR = Path(__file__).with_name("sql")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
# Views in dependency order (later views read earlier ones).
OUT_VIEWS = [
    "out_agency_year", "out_agency_year_sources", "out_measures", "out_year_over_year", "out_ranking",
    "out_coverage", "out_validation",
]


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) a warehouse read-write and make sure every table and view exists."""
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    ensure_schema(con)
    return con


def connect_readonly(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse for querying; never takes a write lock."""
    if not Path(db_path).exists():
        raise FileNotFoundError(f"no warehouse at {db_path} (run `xxgk load` first)")
    return duckdb.connect(str(db_path), read_only=True)


def sql_text(name: str) -> str:
    """The SQL file ``name``, its ``{{placeholder}}`` parts generated from the measure catalog."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    return _PLACEHOLDER.sub(lambda m: measures.GENERATED_SQL[m.group(1)](), text)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, rolled back on any exception (a half-done load never becomes visible)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables (with comments), refresh the catalog tables and (re)create the views."""
    with transaction(con):
        _ensure_schema(con)


def _ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    existing = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    for table in all_tables():
        if table not in existing:
            con.execute(create_table_sql(table))
            for statement in comment_sql(table):
                con.execute(statement)
        else:
            add_missing_columns(con, table)
    refresh_catalog_tables(con)
    create_views(con)


def add_missing_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Bring a warehouse built by an older version up to date: columns added since are added (NULL for
    the rows already loaded). Inserts go BY NAME, so column order does not matter. A changed type or a
    removed column needs a rebuild (``xxgk rebuild``)."""
    have = {
        r[0]
        for r in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]
        ).fetchall()
    }
    for column in all_tables()[table]["columns"]:
        if column not in have:
            logger.info("%s: adding column %s", table, column)
            con.execute(f'ALTER TABLE {table} ADD COLUMN "{column}" {field(column).type}')
            con.execute(
                f"COMMENT ON COLUMN {table}.\"{column}\" IS '{describe(column).replace(chr(39), chr(39) * 2)}'"
            )


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    """Replace the whole content of a small table (catalog data) with ``rows``."""
    data = enforce_schema(pa.Table.from_pylist(rows), table) if rows else None
    con.execute(f"DELETE FROM {table}")
    if data is not None:
        con.register("_rows", data)
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _rows")
        con.unregister("_rows")


def refresh_catalog_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The measure catalog and deadlines are generated from schema.yaml; keep them in step with the code."""
    catalog_rows = [
        {
            "measure_code": m.code,
            "table_id": m.table_id,
            "label": m.label,
            "unit": m.unit,
            "versions": ",".join(m.versions),
            "is_comparable_across_versions": m.comparable,
            "description": m.description,
        }
        for m in measures.catalog()
    ]
    replace_rows(con, "core_measure_catalog", catalog_rows)
    replace_rows(con, "core_measure_sources", measures.source_rows())
    replace_rows(con, "core_measure_parts", measures.part_rows())
    deadlines = [
        {"publisher_type": p, "deadline_month": m, "deadline_day": d}
        for p, (m, d) in publisher_deadlines().items()
    ]
    replace_rows(con, "core_publication_deadlines", deadlines)
    legal = [
        {"level": level, "deadline_month": m, "deadline_day": d, "basis": basis}
        for level, (m, d, basis) in legal_deadlines().items()
    ]
    replace_rows(con, "core_legal_deadlines", legal)
    replace_rows(con, "core_codes", list(codes()))
    replace_rows(con, "core_rules", list(code_rules()))


def create_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create the out_ views; the header comment of each SQL file becomes the view's comment."""
    for view in OUT_VIEWS:
        text = sql_text(view)
        con.execute(text)
        header = " ".join(
            line.removeprefix("--").strip() for line in text.splitlines() if line.startswith("--")
        )
        con.execute(f"COMMENT ON VIEW {view} IS '{header.replace(chr(39), chr(39) * 2)}'")
        comment_view_columns(con, view)


def comment_view_columns(con: duckdb.DuckDBPyConnection, view: str) -> None:
    """A DuckDB comment on every column of ``view``, from the declared fields (KeyError when undeclared)."""
    for (name,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [view]
    ).fetchall():
        text = view_column_description(name).replace("'", "''")
        con.execute(f"COMMENT ON COLUMN {view}.\"{name}\" IS '{text}'")


def out_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the out_ views present in a database, in dependency order."""
    present = {
        r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    }
    return [v for v in OUT_VIEWS if v in present]
