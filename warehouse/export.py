"""CSV exports of the out_ views plus the data dictionary, safe to open in Excel/WPS.

UTF-8 with BOM by default (Excel guesses GBK without it and garbles Chinese). Text cells that begin
with ``= + - @`` (or tab / carriage return) are prefixed with ``'`` so a spreadsheet shows them as text
instead of evaluating a formula (CSV injection). Numeric columns are left alone: a change of ``-3``
must stay a number.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from warehouse.db import connect_readonly, out_views
from warehouse.schema import all_tables, describe, field, view_column_description

logger = logging.getLogger(__name__)

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DICTIONARY_NAME = "data_dictionary"


def neutralize_text(series: pd.Series) -> pd.Series:
    """Prefix ``'`` to text values that a spreadsheet would treat as a formula."""
    text = series.astype("string")
    risky = text.str.startswith(DANGEROUS_PREFIXES).fillna(False)
    return text.mask(risky, "'" + text)


def neutralize_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = neutralize_text(out[column])
    return out


def data_dictionary(con) -> pd.DataFrame:
    """One row per column of every table and out_ view, from the declared schema."""
    rows = []
    for table, spec in all_tables().items():
        for column in spec["columns"]:
            rows.append(
                {
                    "object": table,
                    "object_type": "table",
                    "object_description": spec["description"],
                    "column": column,
                    "type": field(column).type,
                    "unit": field(column).unit,
                    "description": describe(column),
                }
            )
    for view in out_views(con):
        comment = con.execute("SELECT comment FROM duckdb_views() WHERE view_name = ?", [view]).fetchall()
        for name, type_ in con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {view})").fetchall():
            rows.append(
                {
                    "object": view,
                    "object_type": "view",
                    "object_description": comment[0][0] if comment else None,
                    "column": name,
                    "type": type_,
                    "unit": field_unit(name),
                    "description": describe_column(name),
                }
            )
    return pd.DataFrame(rows)


def field_unit(name: str) -> str | None:
    try:
        return field(name).unit
    except KeyError:
        return None


def describe_column(name: str) -> str:
    """Description of a view column; raises KeyError for a column the schema does not declare."""
    return view_column_description(name)


def write_csv(frame: pd.DataFrame, path: Path, encoding: str) -> None:
    neutralize_frame(frame).to_csv(path, index=False, encoding=encoding, lineterminator="\r\n")


def export_csv(db_path: Path, out_dir: Path, encoding: str = "utf-8-sig") -> list[Path]:
    """Write one CSV per out_ view and ``data_dictionary.csv`` into ``out_dir``; return the paths."""
    if encoding not in ("utf-8-sig", "utf-8"):
        raise ValueError("encoding must be utf-8-sig or utf-8")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = connect_readonly(db_path)
    written = []
    try:
        for view in out_views(con):
            path = out_dir / f"{view}.csv"
            write_csv(con.execute(f"SELECT * FROM {view}").df(), path, encoding)
            written.append(path)
        path = out_dir / f"{DICTIONARY_NAME}.csv"
        write_csv(data_dictionary(con), path, encoding)
        written.append(path)
    finally:
        con.close()
    logger.info("exported %d files to %s", len(written), out_dir)
    return written
