"""The progress line: drawn only after the delay, erased at the end, counted
by forked workers through shared memory, and shown for each stage of a real
run (parse and render in workers, then the writes)."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from generator import api
from generator.progress import NO_PROGRESS, Counter, Progress

from .specgen import object_doc, row, write_spec


def wait_for(lines: list[str], text: str) -> None:
    deadline = time.monotonic() + 10
    while not any(text in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert any(text in line for line in lines), lines


def test_a_stage_is_drawn_then_erased() -> None:
    lines: list[str] = []
    progress = Progress(lines.append, delay=0, interval=0.01)
    counter = progress.counter(2)
    progress.show("parsing", 10, counter)
    counter.add(3, slot=0)
    counter.add(4, slot=1)
    wait_for(lines, "parsing 7/10 [################........] 70%")
    progress.close()
    assert lines[-1] == "\r\033[K"
    assert all(line.startswith("\r\033[K") for line in lines)


def test_nothing_is_drawn_before_the_delay() -> None:
    lines: list[str] = []
    progress = Progress(lines.append, delay=60, interval=0.01)
    counter = progress.counter()
    progress.show("writing", 5, counter)
    counter.add(5)
    time.sleep(0.1)
    progress.close()
    assert lines == []


def test_forked_workers_count_in_shared_slots() -> None:
    counter = Progress(lambda text: None, delay=60).counter(2)

    def work(slot: int) -> None:
        for _ in range(100):
            counter.add(1, slot)

    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=work, args=(slot,)) for slot in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert counter.done == 200


def test_no_progress_counts_in_process_and_draws_nothing() -> None:
    counter = NO_PROGRESS.counter(3)
    counter.add(2, slot=2)
    assert counter.done == 2
    NO_PROGRESS.show("parsing", 2, counter)
    NO_PROGRESS.close()


class Recorder(Progress):
    """Keeps every stage shown, to compare its count with its total at the end."""

    def __init__(self) -> None:
        super().__init__(lambda text: None, delay=60)
        self.stages: list[tuple[str, int, Counter]] = []

    def show(self, label: str, total: int, counter: Counter) -> None:
        self.stages.append((label, total, counter))
        super().show(label, total, counter)


def test_every_stage_of_a_parallel_run_counts_to_its_total(tmp_path: Path) -> None:
    docs = {f"models/m{i}.md": object_doc(f"M{i}", [row("id", "*str*")]) for i in range(320)}
    specs = write_spec(tmp_path / "specs", docs)
    recorder = Recorder()
    api.generate(specs, tmp_path / "out", "pkg", jobs=2, progress=recorder)
    recorder.close()
    seen = [(label, total, counter.done) for label, total, counter in recorder.stages]
    # the 640 modules and pages are written as they are rendered; the write stage writes the package's own files
    assert seen == [("parsing", 320, 320), ("rendering", 320, 320), ("writing", 4, 4)]
