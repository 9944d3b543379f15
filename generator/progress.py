"""A progress line on stderr for runs that last: only on a terminal, and
only once the run has taken a second (a no-op or a small edit prints none).

The stages count in shared memory (`multiprocessing.RawArray`, one slot
per worker process, each written by its owner alone), so workers report
without messages; a daemon thread draws the line ten times a second while
the main thread works or waits on the workers.  It writes with `os.write`,
holding no lock of Python's I/O stack: a process forked meanwhile (a
worker) would find such a lock held forever.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from typing import Any, Callable, Optional

__all__ = ["Counter", "Progress", "NO_PROGRESS"]

_WIDTH = 24  # of the bar, in cells


class Counter:
    """Done so far in one stage, summed over the slots (one per process);
    in memory that forked workers share when `shared`."""

    def __init__(self, slots: int, shared: bool):
        self.slots: Any = multiprocessing.RawArray("q", max(slots, 1)) if shared else [0] * max(slots, 1)

    def add(self, n: int = 1, slot: int = 0) -> None:
        self.slots[slot] += n

    @property
    def done(self) -> int:
        return sum(self.slots)


class Progress:
    """Draws `label done/total [bar] pct` for the stage in progress."""

    def __init__(self, write: Optional[Callable[[str], object]] = None, *, delay: float = 1.0,
                 interval: float = 0.1):
        self.write = write if write is not None else _to_stderr
        self.delay, self.interval = delay, interval
        self.started = time.monotonic()
        self.stage: Optional[tuple[str, int, Counter]] = None
        self.drawn = False
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.ticker = threading.Thread(target=self._tick, name="md2models-progress", daemon=True)
        self.ticker.start()

    def counter(self, slots: int = 1) -> Counter:
        """A counter for a stage, with a slot for each of `slots` processes."""
        return Counter(slots, shared=True)

    def show(self, label: str, total: int, counter: Counter) -> None:
        """From now on draw the stage `label` of `total` steps, as `counter` counts them."""
        with self.lock:
            self.stage = (label, total, counter)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop drawing and erase the line."""
        self.stopped.set()
        self.ticker.join()
        with self.lock:
            if self.drawn:
                self.write("\r\033[K")
                self.drawn = False

    def _tick(self) -> None:
        while not self.stopped.wait(self.interval):
            if time.monotonic() - self.started >= self.delay:
                self._draw()

    def _draw(self) -> None:
        with self.lock:
            if self.stage is None or self.stopped.is_set():
                return
            label, total, counter = self.stage
            done = min(counter.done, total)
            filled = _WIDTH * done // total if total else _WIDTH
            bar = "#" * filled + "." * (_WIDTH - filled)
            percent = 100 * done // total if total else 100
            self.write(f"\r\033[Kmd2models: {label} {done}/{total} [{bar}] {percent}%")
            self.drawn = True


def _to_stderr(text: str) -> None:
    data = text.encode()
    while data:
        data = data[os.write(2, data):]


class _NoProgress(Progress):
    """For runs not on a terminal: draws nothing, runs no thread."""

    def __init__(self) -> None:
        pass

    def counter(self, slots: int = 1) -> Counter:
        return Counter(slots, shared=False)

    def show(self, label: str, total: int, counter: Counter) -> None:
        pass

    def close(self) -> None:
        pass


NO_PROGRESS: Progress = _NoProgress()
