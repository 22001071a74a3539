"""Functions run in separate processes by test_concurrency.py (importable for "spawn")."""

from __future__ import annotations

from pathlib import Path


def open_and_write(url: str, worker: int, n: int, start, seed: str | None, out) -> None:  # type: ignore[no-untyped-def]
    """Wait for ``start``, open the store (running the upgrade) and add ``n`` notes."""
    from netcompare.notes import open_notes_store

    start.wait(timeout=60)
    try:
        store = open_notes_store(url, seed=Path(seed) if seed else False)
        for i in range(n):
            store.add_note(
                practice_id=f"P{worker:03d}",
                network_id="N1",
                body=f"process {worker} note {i}",
                author=f"worker {worker}",
                tags=["shared-tag", f"w{worker}", f"new-{i % 3}"],
            )
        store.close()
        out.put((worker, "ok"))
    except BaseException as exc:  # report to the parent rather than dying silently
        out.put((worker, f"{type(exc).__name__}: {exc}"))
