"""A child process kept running: started again, after a growing pause, whenever it exits."""

from __future__ import annotations

import logging
import subprocess
import threading
from collections.abc import Sequence
from time import monotonic

log = logging.getLogger(__name__)

MIN_PAUSE_SECONDS = 1.0
MAX_PAUSE_SECONDS = 60.0
STABLE_SECONDS = 60.0
"""A child that ran this long before it exited is started again after the shortest pause."""
STOP_SECONDS = 15.0


class SupervisedChild:
    """Runs ``argv`` until :meth:`stop`; logs every exit and restart (``what`` names it in the log)."""

    def __init__(self, argv: Sequence[str], what: str) -> None:
        self.argv = list(argv)
        self.what = what
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(target=self._supervise, name=f"supervise {what}", daemon=True)

    @property
    def pid(self) -> int | None:
        """The running child's process id."""
        child = self._child
        return None if child is None else child.pid

    def start(self) -> None:
        self._thread.start()

    def _supervise(self) -> None:
        pause = MIN_PAUSE_SECONDS
        while True:
            with self._lock:
                if self._stopping.is_set():
                    return
                self._child = subprocess.Popen(self.argv)
                child = self._child
            started = monotonic()
            status = child.wait()
            if self._stopping.is_set():
                return
            if monotonic() - started >= STABLE_SECONDS:
                pause = MIN_PAUSE_SECONDS
            log.error(
                "%s (pid %d) exited with status %d after %.0f s; starting it again in %.0f s",
                self.what,
                child.pid,
                status,
                monotonic() - started,
                pause,
            )
            if self._stopping.wait(pause):
                return
            pause = min(pause * 2, MAX_PAUSE_SECONDS)

    def stop(self) -> None:
        """Stop supervising and end the child (SIGTERM, then SIGKILL after :data:`STOP_SECONDS`)."""
        with self._lock:
            self._stopping.set()
            child = self._child
        if child is not None and child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._thread.join(timeout=STOP_SECONDS)
