"""CSV exports of the out_ views plus the data dictionary, safe to open in Excel/WPS.

UTF-8 with BOM by default (Excel guesses GBK without it and garbles Chinese). Text cells that begin
with ``= + - @`` (or tab / carriage return) are prefixed with ``'`` so a spreadsheet shows them as text
instead of evaluating a formula (CSV injection). Numeric columns are left alone: a change of ``-3``
must stay a number.
"""

from __future__ import annotations

import logging
import shutil
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from warehouse.db import connect_readonly, out_views
from warehouse.codes import codes, rules
from warehouse.measures import measure
from warehouse.schema import all_tables, describe, field, view_column_description

logger = logging.getLogger(__name__)

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DICTIONARY_NAME = "data_dictionary"
HEADERS = Path(__file__).with_name("data") / "headers_zh.yaml"


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


def data_dictionary(con) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per column of every table and out_ view, one row per table/view with its description).

    The long description of a table or view is given once, in the second frame, not on every column row."""
    rows, objects = [], []
    for table, spec in all_tables().items():
        objects.append({"object": table, "object_type": "table", "description": spec["description"]})
        for column in spec["columns"]:
            rows.append({"object": table, "column_name": column, "header_zh": header_zh(column),
                         "type": field(column).type, "unit": field(column).unit, "description": describe(column)})
    for view in out_views(con):
        comment = con.execute("SELECT comment FROM duckdb_views() WHERE view_name = ?", [view]).fetchall()
        objects.append({"object": view, "object_type": "view", "description": comment[0][0] if comment else None})
        for name, type_ in con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {view})").fetchall():
            rows.append({"object": view, "column_name": name, "header_zh": header_zh(name), "type": type_,
                         "unit": field_unit(name), "description": describe_column(name)})
    return pd.DataFrame(rows), pd.DataFrame(objects)


@cache
def _headers() -> dict:
    return yaml.safe_load(HEADERS.read_text(encoding="utf-8"))


def header_zh(column: str) -> str:
    """The Chinese header of a column: headers_zh.yaml, else the measure's printed label, else the code."""
    spec = _headers()
    if column in spec["columns"]:
        return spec["columns"][column]
    for suffix, text in spec["suffixes"].items():
        if column.endswith(suffix) and column != suffix:
            return header_zh(column.removesuffix(suffix)) + text
    try:
        return measure(column).label
    except StopIteration:
        return column


def headers(columns: list[str], lang: str) -> list[str]:
    """Headers for ``columns`` in ``lang`` (zh or en); a Chinese header used twice gets its code appended."""
    if lang == "en":
        return list(columns)
    names = [header_zh(c) for c in columns]
    return [f"{n}（{c}）" if names.count(n) > 1 else n for n, c in zip(names, columns)]


def readable_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts as integers, rates rounded to one decimal (the warehouse keeps full precision), money as is.

    A float column whose values are all whole numbers (a count with NULLs) becomes an integer column; a
    rate (…_pct, or the value of a …_pct measure in out_ranking) is rounded to 0.1; a mixed column prints
    whole numbers without ``.0``."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if not pd.api.types.is_float_dtype(series):
            continue
        if column.endswith("_pct"):
            series = series.round(1)
        elif column == "value" and "measure" in out.columns:
            series = series.where(~out["measure"].astype(str).str.endswith("_pct"), series.round(1))
        values = series.dropna()
        if values.empty or (values == values.round()).all():
            out[column] = series.astype("Int64")
        else:  # whole numbers without ".0", others as they are (vectorized: out_measures has millions of rows)
            out[column] = series.round(10).astype("string").str.replace(r"\.0$", "", regex=True)
    return out


def field_unit(name: str) -> str | None:
    try:
        return field(name).unit
    except KeyError:
        return None


def describe_column(name: str) -> str:
    """Description of a view column; raises KeyError for a column the schema does not declare."""
    return view_column_description(name)


def write_csv(frame: pd.DataFrame, path: Path, encoding: str, lang: str = "en") -> None:
    """Text neutralized against formulas first, then numbers made readable (so ``-3`` stays a number)."""
    out = readable_numbers(neutralize_frame(frame))
    out.columns = headers(list(frame.columns), lang)
    out.to_csv(path, index=False, encoding=encoding, lineterminator="\r\n")


def view_select_sql(con, view: str, lang: str) -> str:
    """``SELECT`` of ``view`` with the same rules as ``write_csv``, done by DuckDB (out_measures has millions
    of rows): formula-like text prefixed with ``'``, rates rounded to 0.1, whole numbers without ``.0``."""
    columns = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ? "
                          "ORDER BY column_index", [view]).fetchall()
    names = [name for name, _type in columns]
    exprs = []
    for (name, type_), header in zip(columns, headers(names, lang)):
        quoted = f'"{name}"'
        if type_ == "VARCHAR":
            expr = (f"CASE WHEN left({quoted}, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) "
                    f"THEN chr(39) || {quoted} ELSE {quoted} END")
        elif type_ == "DOUBLE":
            rounded = quoted
            if name.endswith("_pct"):
                rounded = f"round({quoted}, 1)"
            elif name == "value" and "measure" in names:
                rounded = r"CASE WHEN measure LIKE '%\_pct' ESCAPE '\' THEN round(value, 1) ELSE value END"
            expr = (f"CASE WHEN {rounded} = trunc({rounded}) AND abs({rounded}) < 1e15 "
                    f"THEN CAST(CAST({rounded} AS BIGINT) AS VARCHAR) ELSE CAST({rounded} AS VARCHAR) END")
        else:
            expr = quoted
        exprs.append(f'{expr} AS "{header.replace(chr(34), "")}"')
    return f"SELECT {', '.join(exprs)} FROM {view}"


def copy_view(con, view: str, path: Path, encoding: str, lang: str) -> None:
    """Write ``view`` as CSV with DuckDB's writer; the BOM (utf-8-sig) is put in front of what it wrote."""
    target = Path(path)
    body = target.with_suffix(".body.csv")
    con.execute(f"COPY ({view_select_sql(con, view, lang)}) TO '{body.as_posix()}' (HEADER, DELIMITER ',')")
    with target.open("wb") as out, body.open("rb") as data:
        if encoding == "utf-8-sig":
            out.write(b"\xef\xbb\xbf")
        shutil.copyfileobj(data, out, 1 << 20)
    body.unlink()


def export_csv(db_path: Path, out_dir: Path, encoding: str = "utf-8-sig", lang: str = "zh") -> list[Path]:
    """Write one CSV per out_ view, ``data_dictionary.csv`` (+ ``data_objects.csv``), ``codes.csv`` and
    ``rules.csv`` into ``out_dir``; return the paths. Headers are Chinese (``lang='zh'``) or the codes."""
    if encoding not in ("utf-8-sig", "utf-8"):
        raise ValueError("encoding must be utf-8-sig or utf-8")
    if lang not in ("zh", "en"):
        raise ValueError("lang must be zh or en")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = connect_readonly(db_path)
    written = []
    try:
        for view in out_views(con):
            path = out_dir / f"{view}.csv"
            copy_view(con, view, path, encoding, lang)
            written.append(path)
        columns, objects = data_dictionary(con)
        extras = {DICTIONARY_NAME: columns, "data_objects": objects,
                  "codes": pd.DataFrame(codes()), "rules": pd.DataFrame(rules())}
        for name, frame in extras.items():
            path = out_dir / f"{name}.csv"
            write_csv(frame, path, encoding, lang)
            written.append(path)
    finally:
        con.close()
    logger.info("exported %d files to %s", len(written), out_dir)
    return written
