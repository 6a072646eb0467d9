"""``xxgk query``: an analyst's SQL against the published warehouse, and nothing else.

The published file is opened read-only, and the connection is closed to the rest of the machine before
the first statement runs: no file other than the warehouse can be read (``read_text('/etc/shadow')``,
``read_csv``, ``glob``), none written (``COPY … TO``, ``EXPORT DATABASE``), no database attached,
no extension installed or loaded, and the configuration is locked so a statement cannot undo any of
this (``SET enable_external_access``, ``SET memory_limit``). Exports go through ``xxgk export``, which
writes only where it is told.

DuckDB has no statement timeout of its own in every version we support, so a timer thread calls
``interrupt()`` on the connection when the time is up.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_LIMIT = "2GB"
DEFAULT_THREADS = 2

# Applied when the database is opened, before any statement: what a query may not do.
SANDBOX = {
    "enable_external_access": False,  # no file but the warehouse: no read_*, glob, COPY, EXPORT, ATTACH
    "autoinstall_known_extensions": False,  # never download an extension
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
}


class QueryRefused(Exception):
    """The query could not run or was stopped; the message is one line for the user."""


@dataclass(frozen=True)
class QueryLimits:
    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    threads: int = DEFAULT_THREADS


def open_sandboxed(db_path: Path, limits: QueryLimits) -> duckdb.DuckDBPyConnection:
    """The published warehouse, read-only, closed to the file system, with a locked configuration."""
    if not Path(db_path).is_file():
        raise QueryRefused(f"no warehouse at {db_path} (run `xxgk load` or `xxgk run` first, or pass --db)")
    config = dict(SANDBOX, memory_limit=limits.memory_limit, threads=limits.threads)
    try:
        con = duckdb.connect(str(db_path), read_only=True, config=config)
    except duckdb.Error as exc:
        raise QueryRefused(f"cannot open {db_path}: {first_line(exc)}") from None
    con.execute("SET lock_configuration = true")
    return con


def run_query(con: duckdb.DuckDBPyConnection, sql: str, timeout_s: float, max_rows: int | None = None):
    """The result of ``sql`` as a DataFrame, interrupted after ``timeout_s`` seconds.

    With ``max_rows``, at most ``max_rows + 1`` rows are fetched (one more tells that there are more), so
    a table on the terminal never materialises a billion-row result in this process.
    """
    if timeout_s <= 0:
        raise QueryRefused("--timeout must be more than 0 seconds")
    timer = threading.Timer(timeout_s, con.interrupt)
    timer.daemon = True
    timer.start()
    try:
        cursor = con.execute(sql)
        if max_rows is None:
            return cursor.df()
        return _frame(cursor.fetchmany(max_rows + 1), cursor.description)
    except duckdb.InterruptException:
        raise QueryRefused(f"query stopped after the {timeout_s:g} s time limit (--timeout)") from None
    except duckdb.Error as exc:
        raise QueryRefused(_explain(exc)) from None
    finally:
        timer.cancel()


def _frame(rows: list[tuple], description) -> pd.DataFrame:
    columns = [d[0] for d in description or ()]
    return pd.DataFrame.from_records(rows, columns=columns) if columns else pd.DataFrame()


def _explain(exc: duckdb.Error) -> str:
    """One line: DuckDB's own message, and what to do instead for what the sandbox refuses."""
    text = first_line(exc)
    if isinstance(exc, duckdb.PermissionException):
        return f"refused: {text} — xxgk query only reads the warehouse; write CSVs with `xxgk export`"
    if "configuration has been locked" in text:
        return f"refused: {text} — the configuration of xxgk query is fixed (see --memory-limit, --timeout)"
    if "read-only mode" in text:
        return f"refused: {text} — the published warehouse is read-only"
    return text  # DuckDB's messages name their kind: "Parser Error: syntax error at or near …"


def first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
