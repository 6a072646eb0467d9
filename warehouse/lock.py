"""The two locks of a data directory: one run at a time, and one loader of the working copy at a time.

Both are ``flock`` locks on files beside the warehouse, so they vanish with a crashed holder (the kernel
releases them) and analysts, who only open the published file read-only, never wait on them.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from extract.datalayout import DataLayout

RUN_LOCK_NAME = ".xxgk-run.lock"


class RunInProgress(RuntimeError):
    """Another run holds the lock on this data directory."""


@contextlib.contextmanager
def run_lock(data_dir: Path | str) -> Iterator[None]:
    """One run per data directory: two nights writing one manifest and one warehouse would interleave.

    Refuses at once (``RunInProgress``) instead of waiting: a second night started by hand or by a
    late scheduler must not queue behind the first.
    """
    layout = DataLayout(Path(data_dir))
    layout.warehouse_dir.mkdir(parents=True, exist_ok=True)
    with (layout.warehouse_dir / RUN_LOCK_NAME).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunInProgress(f"another xxgk run is using {data_dir} (wait for it to end, or use "
                                f"another --data-dir)") from None
        yield


def ensure_no_run(data_dir: Path | str) -> None:
    """Raise ``RunInProgress`` if a run holds the lock now (for a one-line refusal before anything starts).

    Only a courtesy check: the run itself takes ``run_lock``, which stays the rule if two start at once.
    """
    with run_lock(data_dir):
        pass


@contextlib.contextmanager
def loader_lock(work_db: Path) -> Iterator[None]:
    """One writer of the working copy: the nightly load and ``xxgk load`` take this same lock (waiting)."""
    work_db = Path(work_db)
    work_db.parent.mkdir(parents=True, exist_ok=True)
    with work_db.with_name(work_db.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
