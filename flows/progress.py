"""Progress bars for ``xxgk run``, ``rebuild`` and ``demo`` on a terminal; silent anywhere else.

The CLI opens one display (``shown``) around the flow; the stages report into it through module-level
functions (``start``, ``advance``, ``finish``) that do nothing when no display is open — in a deployment,
a test, or when stderr is a file. Counts only (sites, documents): a bar never replaces the run summary.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_display = None  # rich.progress.Progress while a terminal display is open
_tasks: dict[str, int] = {}


def wanted(stream=None) -> bool:
    """A progress display only on an interactive terminal."""
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


@contextmanager
def shown() -> Iterator[None]:
    """Show progress on stderr while the block runs (when stderr is a terminal)."""
    global _display
    if not wanted():
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    display = Progress(TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       TextColumn("{task.fields[note]}"), console=Console(stderr=True), transient=False,
                       redirect_stdout=False, redirect_stderr=False)
    with display:
        with _lock:
            _display = display
            _tasks.clear()
        try:
            yield
        finally:
            with _lock:
                _display = None


def start(stage: str, total: int | None, note: str = "") -> None:
    with _lock:
        if _display is not None:
            _tasks[stage] = _display.add_task(stage, total=total, note=note)


def advance(stage: str, steps: int = 1) -> None:
    with _lock:
        if _display is not None and stage in _tasks:
            _display.advance(_tasks[stage], steps)


def finish(stage: str, note: str = "") -> None:
    with _lock:
        if _display is not None and stage in _tasks:
            _display.update(_tasks[stage], note=note)
            _display.stop_task(_tasks[stage])
