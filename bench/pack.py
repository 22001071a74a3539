"""How long a meeting pack takes (issue 15): one sample network, one England PCN.

``python -m bench.pack [--rounds N] [--json OUT] [--markdown OUT]``

Each case loads its built-in data set (untimed; its time is reported), then times, from cold
view caches in this process, what the ``pack`` command does after loading: ``build_pack`` (the
views and the Altair charts), ``pack_pdf`` (the charts rendered by vl-convert, the PDF by
fpdf2) and ``pack_html`` (the SVGs already rendered for the PDF are reused). ``total_ms`` is
their sum (wall clock; ``cpu_ms`` is the process's CPU time, which on a busy machine shows the
work done while the wall clock also counts waiting for a core), compared with the budget: **10
s** for a sample network (its default indicators, at most six), **20 s** for an England PCN
(six indicators chosen by hand: the England QOF prevalence data set has one year and no
targets, so no indicator is flagged by default, and six is the most a default pack holds). A
round after the first builds a new pack (every chart rendered again) but finds the views' own
caches (``functools.cache`` lookups) warm.

Not a test: it prints OK or OVER, it never fails because something is slow.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

from bench.timing import median

CASES = (
    # name, built-in data set, network (id, or name to look up), indicators (None: default)
    ("sample_network", "sample", "N1", None, 10_000),
    (
        "england_pcn",
        "england-prevalence-2223",
        "Tower Hamlets Network 1 PCN",
        ("PREV_DM", "PREV_HYP", "PREV_AST", "PREV_COPD", "PREV_CHD", "PREV_AF"),
        20_000,
    ),
)


@dataclass
class Timing:
    name: str
    network: str
    indicators: tuple[str, ...]
    load_ms: float
    build_ms: list[float]
    pdf_ms: list[float]
    html_ms: list[float]
    cpu_ms: list[float]
    pages: int
    pdf_bytes: int
    html_bytes: int
    budget_ms: float

    @property
    def total_ms(self) -> float:
        rounds = zip(self.build_ms, self.pdf_ms, self.html_ms, strict=True)
        return median([b + p + h for b, p, h in rounds])


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def run_case(
    name: str, key: str, network: str, indicators, budget: float, rounds: int, workers: int = 2
) -> Timing:
    import polars as pl

    from netcompare.cli.pack import resolve_data
    from netcompare.pack import build_pack, pack_html, pack_pdf, rendering
    from netcompare.views.common import ViewOptions

    start = time.perf_counter()
    data = resolve_data(key)
    load = _ms(start)
    if network not in data.networks["network_id"].to_list():
        network = data.networks.filter(pl.col("network_name") == network)["network_id"].item()
    timing = Timing(name, network, (), load, [], [], [], [], 0, 0, 0, budget)
    for _ in range(rounds):
        cpu = time.process_time()
        with rendering(workers):  # as the pack command and the app do: charts drawn by 2 workers
            start = time.perf_counter()
            pack = build_pack(
                data, network, data.latest_period, ViewOptions(), indicators=indicators
            )
            timing.build_ms.append(_ms(start))
            start = time.perf_counter()
            pdf = pack_pdf(pack)
            timing.pdf_ms.append(_ms(start))
            start = time.perf_counter()
            page = pack_html(pack)
            timing.html_ms.append(_ms(start))
        timing.cpu_ms.append((time.process_time() - cpu) * 1000)
    timing.indicators = pack.indicator_ids
    timing.pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    timing.pdf_bytes, timing.html_bytes = len(pdf), len(page.encode("utf-8"))
    return timing


def markdown(timings: list[Timing], load: tuple[float, float, float]) -> str:
    lines = [
        "| case | network | indicators | pages | load ms | build ms | PDF ms | HTML ms | "
        "total ms | CPU ms | budget ms | |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for t in timings:
        ok = "OK" if t.total_ms <= t.budget_ms else "OVER"
        lines.append(
            f"| {t.name} | {t.network} | {len(t.indicators)} | {t.pages} | {t.load_ms:,.0f} | "
            f"{median(t.build_ms):,.0f} | {median(t.pdf_ms):,.0f} | {median(t.html_ms):,.0f} | "
            f"{t.total_ms:,.0f} | {median(t.cpu_ms):,.0f} | {t.budget_ms:,.0f} | {ok} |"
        )
    lines.append("")
    lines.append(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.pack", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=1, help="packs made per case (default 1)")
    parser.add_argument(
        "--workers",
        type=int,
        default=2,
        help="chart-drawing worker processes (default 2, as the command and the app; 0: none)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the numbers as JSON")
    parser.add_argument("--markdown", type=Path, default=None, help="write a Markdown table")
    args = parser.parse_args(argv)
    timings = []
    for name, key, network, indicators, budget in CASES:
        t = run_case(name, key, network, indicators, budget, max(1, args.rounds), args.workers)
        ok = "OK" if t.total_ms <= t.budget_ms else "OVER"
        print(
            f"{name:15} {t.total_ms:8,.0f} ms (budget {t.budget_ms:,.0f}) {ok}: build "
            f"{median(t.build_ms):,.0f}, PDF {median(t.pdf_ms):,.0f}, HTML "
            f"{median(t.html_ms):,.0f}; CPU {median(t.cpu_ms):,.0f}; {len(t.indicators)} "
            f"indicators, {t.pages} pages; "
            f"data loaded in {t.load_ms:,.0f} ms"
        )
        timings.append(t)
    load = os.getloadavg()
    if args.json:
        payload = {
            t.name: {
                "network": t.network,
                "indicators": list(t.indicators),
                "load_ms": t.load_ms,
                "build_ms": t.build_ms,
                "pdf_ms": t.pdf_ms,
                "html_ms": t.html_ms,
                "total_ms": t.total_ms,
                "cpu_ms": t.cpu_ms,
                "budget_ms": t.budget_ms,
                "pages": t.pages,
                "pdf_bytes": t.pdf_bytes,
                "html_bytes": t.html_bytes,
            }
            for t in timings
        }
        payload["load_average"] = list(load)
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(markdown(timings, load), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
