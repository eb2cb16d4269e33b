"""Set-up of the server's job worker processes."""

from __future__ import annotations

import threading


def worker_init() -> None:
    """Set up a worker process: a lower CPU priority (nice +10) than the server, so long jobs do not
    slow the answers to reads and validations on a machine with few cores; and a watch on the server,
    so a worker whose server was killed (SIGKILL leaves no time to stop the pool) exits within a
    second instead of living on (its job is re-queued by the restarted server and claimed once)."""
    import os
    import time

    try:
        os.nice(10)
    except (AttributeError, OSError):  # not on this platform, or not permitted: run at normal priority
        pass
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, name="chokepoints-parent-watch", daemon=True).start()
