"""Failed authentication is rate limited per client address, without locking out valid tokens.

An office often sits behind one NAT address: a misconfigured client there must not lock out
every clerk. So only requests that fail to authenticate are counted, and once an address
exceeds the limit its failing requests get 429 instead of 401; valid tokens still pass.
The count is per process (stateless workers each keep their own).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class FailureThrottle:
    """A sliding window of failed attempts per address."""

    def __init__(self, limit: int, window_seconds: float = 60.0) -> None:
        self.limit = limit
        self.window = window_seconds
        self._failures: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def fail(self, address: str) -> bool:
        """Record a failure; True when the address has now exceeded its limit."""
        now = time.monotonic()
        with self._lock:
            recent = self._failures[address]
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            recent.append(now)
            if len(self._failures) > 10_000:
                self._forget_idle(now)
            return len(recent) > self.limit

    def exceeded(self, address: str) -> bool:
        """Whether the address is over its limit now (without counting an attempt)."""
        now = time.monotonic()
        with self._lock:
            recent = self._failures.get(address)
            return recent is not None and sum(1 for t in recent if t > now - self.window) > self.limit

    def retry_after(self, address: str) -> int:
        with self._lock:
            recent = self._failures.get(address)
            oldest = recent[0] if recent else time.monotonic()
        return max(1, int(oldest + self.window - time.monotonic()) + 1)

    def _forget_idle(self, now: float) -> None:
        for address in [a for a, r in self._failures.items() if not r or r[-1] <= now - self.window]:
            del self._failures[address]
