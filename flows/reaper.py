"""No orphans: every process a command starts dies with it, even after ``kill -9``.

A night is a tree of processes: Prefect's temporary API server (uvicorn), the multiprocessing forkserver
and resource tracker, pool workers, and the isolated parsing children. A ``kill -9`` of ``xxgk run``
runs no handler, and the kernel reparents the survivors to init, where they keep a port, the CPU and
files open. So each command, before it starts anything:

* marks itself with a fresh token in its environment (``XXGK_RUN_TOKEN``), inherited by every process it
  starts and by their children, whatever they do with process groups;
* starts a small watcher (``python -m flows.reaper PID TOKEN``) in a session of its own (a Ctrl-C at
  the terminal does not reach it) that polls its parent and, once the parent is gone, kills every process
  still carrying the token (Linux ``/proc``; elsewhere the watcher finds nothing to do).

Parsing children also ask the kernel to kill them with their parent (``PR_SET_PDEATHSIG``, see
``transform.runner``), which covers ``xxgk extract`` without a watcher.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

TOKEN_ENV = "XXGK_RUN_TOKEN"
POLL_S = 0.25


@contextmanager
def guarded() -> Iterator[str]:
    """Mark the processes started inside the block and watch them; yields the token.

    On a normal end the watcher is stopped and the environment restored (the command's own shutdown
    stops what it started); only a parent that dies without ending the block leaves the cleaning to it.
    """
    previous = os.environ.get(TOKEN_ENV)
    token = uuid.uuid4().hex
    os.environ[TOKEN_ENV] = token
    watcher = subprocess.Popen([sys.executable, "-m", "flows.reaper", str(os.getpid()), token],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, close_fds=True)
    try:
        yield token
    finally:
        watcher.kill()
        watcher.wait()
        if previous is None:
            os.environ.pop(TOKEN_ENV, None)
        else:
            os.environ[TOKEN_ENV] = previous


def marked_processes(token: str, exclude: int) -> list[int]:
    """Pids whose environment carries ``XXGK_RUN_TOKEN=token`` (Linux /proc), except ``exclude``."""
    needle = f"{TOKEN_ENV}={token}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == exclude:
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as handle:
                if needle in handle.read().split(b"\0"):
                    found.append(int(name))
        except OSError:  # gone already, or not ours to read
            continue
    return found


def kill_marked(token: str) -> int:
    """SIGKILL every process of the tree; repeated until none is left (a dying parent may fork once more)."""
    killed = 0
    for _ in range(5):
        pids = marked_processes(token, exclude=os.getpid())
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except OSError:
                pass
        time.sleep(0.1)
    return killed


def watch(parent: int, token: str) -> None:
    """Wait until ``parent`` is gone (this process is reparented), then kill what is left of its tree."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while os.getppid() == parent:
        time.sleep(POLL_S)
    kill_marked(token)


if __name__ == "__main__":
    watch(int(sys.argv[1]), sys.argv[2])
