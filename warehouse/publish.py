"""Crash-safe publishing: load into a working copy, then checkpoint it and atomically replace the
published file.

Why this is safe:
 - the loader only ever opens the *working* file read-write; analysts open the *published* file
   read-only, so they never wait on the loader's lock;
 - ``os.replace`` swaps the directory entry in one step: a reader that already has the old file open
   keeps reading the old inode (a consistent snapshot), new readers get the new file;
 - the working copy is checkpointed (WAL merged) and fsynced before the swap, so the published file
   is always a complete database; a crash (even SIGKILL) before the swap leaves it untouched, and a
   leftover working copy is discarded by the next run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb

from warehouse.lock import loader_lock

logger = logging.getLogger(__name__)


def wal_path(db_path: Path) -> Path:
    return Path(str(db_path) + ".wal")


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def checkpoint(db_path: Path) -> None:
    """Merge the WAL into the database file so the file alone is the whole database."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if wal_path(db_path).exists() and wal_path(db_path).stat().st_size > 0:
        raise RuntimeError(f"{db_path}: WAL still present after CHECKPOINT")


def publish(work_db: Path, published_db: Path) -> None:
    """Checkpoint ``work_db`` and atomically move it over ``published_db``."""
    work_db, published_db = Path(work_db), Path(published_db)
    if work_db.resolve().parent != published_db.resolve().parent:
        raise ValueError("work and published databases must share a directory (atomic rename)")
    checkpoint(work_db)
    wal_path(work_db).unlink(missing_ok=True)
    _fsync_file(work_db)
    os.replace(work_db, published_db)
    _fsync_dir(published_db.parent)
    logger.info("published %s (%d bytes)", published_db, published_db.stat().st_size)


def prepare_work_db(published_db: Path, work_db: Path) -> None:
    """Start a working copy from the published database (or empty), discarding any crashed leftovers."""
    work_db.unlink(missing_ok=True)
    wal_path(work_db).unlink(missing_ok=True)
    if published_db.exists():
        tmp = work_db.with_name(work_db.name + ".copying")
        shutil.copyfile(published_db, tmp)
        os.replace(tmp, work_db)


def start_work_db(published_db: Path, work_db: Path, *, fresh: bool = False) -> None:
    """A working copy of the published database, or an empty one for a fresh build."""
    if fresh:
        work_db.unlink(missing_ok=True)
        wal_path(work_db).unlink(missing_ok=True)
    else:
        prepare_work_db(published_db, work_db)


@contextlib.contextmanager
def working_copy(published_db: Path, work_db: Path | None = None) -> Iterator[Path]:
    """``with working_copy(pub) as work: load_results(work, …)`` — publishes when the block succeeds.

    One loader at a time (an exclusive lock file beside the working copy); analysts are never locked.
    If the block raises, the working copy is removed and the published file is untouched.
    """
    published_db = Path(published_db)
    work_db = Path(work_db) if work_db else published_db.with_name(published_db.stem + ".work.duckdb")
    published_db.parent.mkdir(parents=True, exist_ok=True)
    with loader_lock(work_db):
        prepare_work_db(published_db, work_db)
        try:
            yield work_db
        except BaseException:
            work_db.unlink(missing_ok=True)
            wal_path(work_db).unlink(missing_ok=True)
            raise
        publish(work_db, published_db)
