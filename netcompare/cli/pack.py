"""`python -m netcompare pack`: a network's meeting pack as PDF (and a self-contained HTML).

``python -m netcompare pack --data DIR_OR_NAME --network ID --period PERIOD --out pack.pdf
[--html pack.html] [--indicators ID ...] [--anonymise] [--db-url URL]``

DIR_OR_NAME is a data set folder, a database URL, or a built-in data set's key (``sample``,
``england-prevalence-2223``, ``west-sussex-imms-1922``). PERIOD is read as every command reads
it (2026-09, 2026-09-01, 2022-23). The notes come from the store the app uses
(``NETCOMPARE_DB_URL``, else the user's SQLite file) unless ``--db-url`` is given; if it
cannot be read, the pack is still made and says the notes were unavailable.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from netcompare.data.builtin import BUILTIN_DATASETS, builtin_path
from netcompare.data.dataset import DataSet
from netcompare.data.inputs import option_date
from netcompare.errors import UserError
from netcompare.notes.errors import NotesUnavailable
from netcompare.notes.note import Note
from netcompare.redact import mask_secrets
from netcompare.views.common import ViewOptions


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``pack`` command."""
    keys = ", ".join(d.key for d in BUILTIN_DATASETS)
    p = sub.add_parser(
        "pack",
        help="a network's meeting pack: PDF, and the same as one HTML file",
        description="A learning-set meeting pack for one network and period: the RAG "
        "overview, network averages and incentives, each chosen indicator's league table, "
        "bar chart, funnel plot and SPC chart, what the practices doing well say they do, "
        "open questions and actions. A4 PDF, and the same content as one HTML file that "
        "opens offline.",
    )
    p.add_argument(
        "--data", required=True, metavar="DIR_OR_NAME", help=f"data set folder, URL or {keys}"
    )
    p.add_argument("--network", required=True, metavar="ID", help="the network's id")
    p.add_argument(
        "--period", required=True, metavar="PERIOD", help="e.g. 2026-09, 2026-09-01 or 2022-23"
    )
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="the PDF to write")
    p.add_argument("--html", default=None, metavar="FILE.html", help="also write the HTML file")
    p.add_argument(
        "--indicators",
        nargs="+",
        default=None,
        metavar="ID",
        help="the indicators to show (default: those below the network target or with a "
        "special cause on the network's SPC chart, at most 6)",
    )
    p.add_argument(
        "--anonymise",
        action="store_true",
        help="practices as letters, small numbers suppressed, no notes (for outside the network)",
    )
    p.add_argument(
        "--net-of-exceptions",
        action="store_true",
        help="denominators net of exceptions (default: all patients)",
    )
    p.add_argument(
        "--db-url",
        metavar="URL",
        help="notes database URL (default: NETCOMPARE_DB_URL, else the user's SQLite file)",
    )
    p.set_defaults(func=run)


def resolve_data(source: str) -> DataSet:
    """A data set from a folder, a database URL or a built-in key."""
    from netcompare.data.load import is_database_url, load_dataset

    if is_database_url(source) or Path(source).exists():
        return load_dataset(source)
    try:
        path = builtin_path(source)
    except KeyError:
        keys = ", ".join(d.key for d in BUILTIN_DATASETS)
        raise UserError(
            f"--data {source!r}: no such folder, and not a built-in data set ({keys})"
        ) from None
    if not path.is_dir():
        raise UserError(f"--data {source!r}: the built-in data set is not in this checkout")
    return load_dataset(path, shown_as=source)


def check_writable(path: str, option: str) -> Path:
    """The output path, or a UserError if it cannot be written (before any work is done)."""
    out = Path(path)
    if out.is_dir():
        raise UserError(f"{option} {path}: is a folder, not a file")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"{option} {path}: cannot write: no such folder {parent}")
    if not os.access(parent, os.W_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise UserError(f"{option} {path}: cannot write: permission denied")
    return out


def read_notes(db_url: str | None, network_id: str) -> tuple[list[Note], str | None]:
    """The notes a pack shows, or the reason they could not be read."""
    from netcompare.notes.store import open_notes_store
    from netcompare.pack.notes import pack_notes

    try:
        store = open_notes_store(db_url, seed=False)
    except (NotesUnavailable, UserError) as exc:
        return [], mask_secrets(str(exc))
    try:
        return pack_notes(store, network_id), None
    except (NotesUnavailable, UserError) as exc:
        return [], mask_secrets(str(exc))
    finally:
        store.close()


def _write(path: Path, content: bytes, option: str) -> None:
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise UserError(f"{option} {path}: cannot write ({exc.strerror or exc})") from None


def run(args: argparse.Namespace) -> int:
    from netcompare.pack import build_pack, pack_html, pack_pdf, rendering

    out = check_writable(args.out, "--out")
    html_out = check_writable(args.html, "--html") if args.html else None
    period = option_date(args.period, "--period")
    data = resolve_data(args.data)
    notes, problem = read_notes(args.db_url, args.network)
    with rendering():  # the charts drawn in two worker processes meanwhile
        pack = build_pack(
            data,
            args.network,
            period,
            ViewOptions(net_of_exceptions=args.net_of_exceptions),
            indicators=args.indicators,
            anonymise=args.anonymise,
            notes=notes,
            notes_problem=problem,
        )
        pdf = pack_pdf(pack)
        page = pack_html(pack) if html_out is not None else None
    _write(out, pdf, "--out")
    wrote = [str(out)]
    if html_out is not None and page is not None:
        _write(html_out, page.encode("utf-8"), "--html")
        wrote.append(str(html_out))
    if problem:
        print(f"warning: notes unavailable: {problem}")
    shown = ", ".join(pack.indicator_ids) or "none"
    print(
        f"Meeting pack for {pack.network_name}, {pack.period_label}"
        f"{' (anonymised)' if pack.anonymised else ''}: indicators {shown}; "
        f"wrote {' and '.join(wrote)}"
    )
    return 0
