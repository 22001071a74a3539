"""Two (or eight) people saving at once both keep their notes: threads and processes writing
to one SQLite file and to one PostgreSQL database at the same moment, and several app
instances starting (and upgrading, and seeding) a new database together."""

from __future__ import annotations

import multiprocessing
import sys
import threading
import types
from pathlib import Path

import pytest

from netcompare.notes import current_revision, head_revision, open_notes_store, read_notes_csv

from .concurrency_workers import open_and_write

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "notes.csv"
THREADS = 8
PER_THREAD = 15


def _run_threads(target, n: int) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def wrapped(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            target(i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return errors


@pytest.mark.parametrize("shared_engine", [True, False], ids=["one-engine", "engine-each"])
def test_concurrent_threads_keep_every_note(db_url, shared_engine):
    base = open_notes_store(db_url, seed=False)
    stores = [
        base if shared_engine else open_notes_store(db_url, seed=False) for _ in range(THREADS)
    ]

    def write(i: int) -> None:
        for j in range(PER_THREAD):
            stores[i].add_note(
                practice_id=f"P{i:03d}",
                network_id="N1",
                body=f"thread {i} note {j}",
                author=f"writer {i}",
                tags=["shared", f"t{i}", f"new-{j % 4}"],
            )

    errors = _run_threads(write, THREADS)
    try:
        assert errors == []
        notes = base.list_notes()
        assert len(notes) == THREADS * PER_THREAD
        assert len({n.note_uid for n in notes}) == THREADS * PER_THREAD
        assert {n.body for n in notes} == {
            f"thread {i} note {j}" for i in range(THREADS) for j in range(PER_THREAD)
        }
        tags = dict(base.tag_counts().rows())
        assert tags["shared"] == THREADS * PER_THREAD
        assert all(tags[f"t{i}"] == PER_THREAD for i in range(THREADS))
        assert sum(tags[f"new-{k}"] for k in range(4)) == THREADS * PER_THREAD
    finally:
        for s in {id(s): s for s in stores}.values():
            s.close()


def test_concurrent_answers_to_one_question(db_url):
    store = open_notes_store(db_url, seed=False)
    q = store.ask_question(practice_id="P003", network_id="N1", body="How?", author="asker")

    def answer(i: int) -> None:
        store.answer_question(q.note_uid, body=f"answer {i}", author=f"answerer {i}")

    errors = _run_threads(answer, THREADS)
    try:
        assert errors == []
        assert sorted(a.body for a in store.answers_to(q.note_uid)) == sorted(
            f"answer {i}" for i in range(THREADS)
        )
    finally:
        store.close()


def _run_processes(url: str, workers: int, per_worker: int, seed: Path | None) -> dict:
    # Streamlit's script runner (AppTest, in an earlier test of this worker) leaves the app's
    # script as sys.modules["__main__"]; a spawned child would re-run app.py as its main. The
    # children need only the importable worker function, so spawn them from a bare __main__.
    saved_main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        return _spawn(url, workers, per_worker, seed)
    finally:
        sys.modules["__main__"] = saved_main


def _spawn(url: str, workers: int, per_worker: int, seed: Path | None) -> dict:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    out = ctx.Queue()
    procs = [
        ctx.Process(
            target=open_and_write,
            args=(url, w, per_worker, start, str(seed) if seed else None, out),
        )
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    start.set()
    results = dict(out.get(timeout=240) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    return results


def test_processes_starting_and_writing_together(db_url):
    """Four app instances open a brand-new database at once (each runs the upgrade and the
    first-run seed), then all write: one schema, one copy of the seed, every note kept."""
    workers, per_worker = 4, 10
    results = _run_processes(db_url, workers, per_worker, SAMPLE)
    assert results == {w: "ok" for w in range(workers)}
    store = open_notes_store(db_url, seed=False)
    try:
        assert current_revision(store.engine) == head_revision()
        seeded = len(read_notes_csv(SAMPLE))
        notes = store.list_notes()
        assert len(notes) == seeded + workers * per_worker
        written = [n for n in notes if n.body.startswith("process ")]
        assert {n.body for n in written} == {
            f"process {w} note {i}" for w in range(workers) for i in range(per_worker)
        }
        assert dict(store.tag_counts().rows())["shared-tag"] == workers * per_worker
    finally:
        store.close()
