"""Pages written out of the total, on one terminal line, for long builds (when it is wanted is decided at
the edge: :func:`claimledger.settings.progress_wanted`)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, *, enabled: bool, stream: TextIO | None = None, interval: float = 0.25) -> None:
        self.total = total
        self.enabled = enabled and total > 0
        self.stream = sys.stderr if stream is None else stream
        self.interval = interval
        self.done_count = 0
        self._last = 0.0
        self._shown = False

    def step(self) -> None:
        self.done_count += 1
        now = time.monotonic()
        if self.enabled and (now - self._last >= self.interval or self.done_count == self.total):
            self._last = now
            self._shown = True
            self.stream.write(f"\rclaimledger: {self.done_count}/{self.total} pages written")
            self.stream.flush()

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
