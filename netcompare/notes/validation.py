"""Rules every note must meet, applied to form input and to imported files alike.

Each ``clean_*`` function returns the normalised value or a problem message; :func:`clean_note`
applies them all and raises one :class:`NoteValidationError` listing every problem, prefixed
with where the note came from (a form, or a file and row).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from netcompare.notes.errors import NoteValidationError
from netcompare.notes.note import KIND_LABELS, KINDS
from netcompare.text import strip_bidi

MAX_BODY_CHARS = 4000
MAX_AUTHOR_CHARS = 80
MAX_CODE_CHARS = 64
MAX_TAGS = 10
MAX_TAG_CHARS = 32
MAX_UID_CHARS = 64

_TAG_SPACES = re.compile(r"[\s_]+")
_TAG_DROP = re.compile(r"[^a-z0-9-]")
_TAG_DASHES = re.compile(r"-{2,}")
_UID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PERIOD_MONTH = re.compile(r"^\d{4}-\d{2}$")


class _Problem(ValueError):
    """One field's problem; collected by :func:`clean_note` into one message."""


def _bad_characters(text: str) -> list[str]:
    """Control characters (other than newline and tab) and lone surrogates in ``text``."""
    bad = []
    for ch in text:
        if ch in "\n\t":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs"):
            bad.append(f"U+{ord(ch):04X}")
    return sorted(set(bad))


def clean_body(text: object) -> str:
    """The note text: required, at most :data:`MAX_BODY_CHARS`, plain text (newlines kept)."""
    if not isinstance(text, str):
        raise _Problem("the note text is missing")
    body = strip_bidi(text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not body:
        raise _Problem("the note text is empty")
    if len(body) > MAX_BODY_CHARS:
        raise _Problem(
            f"the note text is {len(body):,} characters long; the limit is {MAX_BODY_CHARS:,}"
        )
    bad = _bad_characters(body)
    if bad:
        raise _Problem(f"the note text contains control characters ({', '.join(bad[:5])})")
    return body


def clean_author(text: object) -> str:
    """The author's name: required, one line, at most :data:`MAX_AUTHOR_CHARS`."""
    if not isinstance(text, str) or not text.strip():
        raise _Problem("the author's name is required")
    author = " ".join(strip_bidi(text).split())
    if len(author) > MAX_AUTHOR_CHARS:
        raise _Problem(
            f"the author's name is {len(author)} characters long; the limit is {MAX_AUTHOR_CHARS}"
        )
    bad = _bad_characters(author)
    if bad:
        raise _Problem(f"the author's name contains control characters ({', '.join(bad[:5])})")
    return author


def clean_code(value: object, label: str, *, required: bool) -> str | None:
    """A practice, network or indicator id: one token, at most :data:`MAX_CODE_CHARS`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Problem(f"the {label} is required")
        return None
    if not isinstance(value, str):
        raise _Problem(f"the {label} must be text, not {type(value).__name__}")
    code = value.strip()
    if len(code) > MAX_CODE_CHARS:
        raise _Problem(f"the {label} is longer than {MAX_CODE_CHARS} characters")
    if any(ch.isspace() for ch in code) or _bad_characters(code):
        raise _Problem(f"the {label} {code!r} must not contain spaces or control characters")
    return code


def clean_kind(kind: object) -> str:
    """One of :data:`~netcompare.notes.note.KINDS`."""
    if isinstance(kind, str):
        k = kind.strip().lower().replace(" ", "_")
        if k in KINDS:
            return k
    allowed = ", ".join(f"{k} ({KIND_LABELS[k]})" for k in KINDS)
    raise _Problem(f"the kind {kind!r} is not one of: {allowed}")


def clean_tag(tag: str) -> str:
    """One tag, sanitised: lower case, spaces to dashes, only ``a-z``, ``0-9`` and ``-``."""
    t = _TAG_SPACES.sub("-", tag.strip().lower())
    t = _TAG_DASHES.sub("-", _TAG_DROP.sub("", t)).strip("-")
    return t[:MAX_TAG_CHARS].strip("-")


def clean_tags(tags: object) -> tuple[str, ...]:
    """Tags from a list or a comma/semicolon separated string: sanitised, unique, sorted.

    At most :data:`MAX_TAGS`; a tag that is empty once sanitised (e.g. ``"!!"``) is dropped.
    """
    if tags is None:
        return ()
    if isinstance(tags, str):
        items: Iterable[object] = re.split(r"[,;]", tags)
    elif isinstance(tags, Iterable):
        items = tags
    else:
        raise _Problem(f"tags must be text or a list of text, not {type(tags).__name__}")
    cleaned = set()
    for item in items:
        if not isinstance(item, str):
            raise _Problem(f"the tag {item!r} is not text")
        t = clean_tag(item)
        if t:
            cleaned.add(t)
    if len(cleaned) > MAX_TAGS:
        raise _Problem(f"a note can have at most {MAX_TAGS} tags, not {len(cleaned)}")
    return tuple(sorted(cleaned))


def clean_period(value: object) -> date | None:
    """The period a note is about: a date, ``YYYY-MM-DD`` or ``YYYY-MM`` (month start)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if _PERIOD_MONTH.match(text):
                return date.fromisoformat(text + "-01")
            return date.fromisoformat(text)
        except ValueError:
            pass
    raise _Problem(f"the period {value!r} is not a date like 2024-04-01 or 2024-04")


def clean_uid(value: object, label: str = "note id") -> str:
    """A note id (``note_uid``): letters, digits, ``.``, ``_``, ``-``; at most 64 characters."""
    if not isinstance(value, str) or not value.strip():
        raise _Problem(f"the {label} is required")
    uid = value.strip()
    if len(uid) > MAX_UID_CHARS or not _UID.match(uid):
        raise _Problem(
            f"the {label} {uid[:70]!r} must be up to {MAX_UID_CHARS} letters, digits, '.', '_' "
            "or '-'"
        )
    return uid


@dataclass(frozen=True, slots=True)
class CleanNote:
    """The validated fields of a note about to be written (ids and times are added later)."""

    practice_id: str
    network_id: str
    kind: str
    body: str
    author: str
    indicator_id: str | None
    period: date | None
    parent_uid: str | None
    tags: tuple[str, ...]


def clean_note(
    *,
    practice_id: object,
    network_id: object,
    kind: object,
    body: object,
    author: object,
    indicator_id: object = None,
    period: object = None,
    parent_uid: object = None,
    tags: object = None,
    where: str = "",
) -> CleanNote:
    """Validate every field of a note; raise one :class:`NoteValidationError` listing problems.

    ``where`` prefixes the message (e.g. ``"notes.csv, row 4"``). An answer must name the
    question it answers (``parent_uid``); other kinds must not. Whether that question exists is
    checked by the repository, which can see the database.
    """
    problems: list[str] = []
    values: dict[str, object] = {}

    def take(name: str, fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        try:
            values[name] = fn(*args, **kwargs)
        except _Problem as exc:
            problems.append(str(exc))

    take("practice_id", clean_code, practice_id, "practice", required=True)
    take("network_id", clean_code, network_id, "network", required=True)
    take("kind", clean_kind, kind)
    take("body", clean_body, body)
    take("author", clean_author, author)
    take("indicator_id", clean_code, indicator_id, "indicator", required=False)
    take("period", clean_period, period)
    take("tags", clean_tags, tags)
    values["parent_uid"] = None
    if parent_uid is not None and not (isinstance(parent_uid, str) and not parent_uid.strip()):
        take("parent_uid", clean_uid, parent_uid, "question id the answer replies to")
    if (
        values.get("kind") == "answer"
        and values.get("parent_uid") is None
        and not any("question id" in p for p in problems)
    ):
        problems.append("an answer must name the question it answers")
    if values.get("kind") not in (None, "answer") and values.get("parent_uid") is not None:
        problems.append(f"only an answer can reply to a question, not a {values['kind']}")
    if problems:
        prefix = f"{where}: " if where else ""
        raise NoteValidationError(prefix + "; ".join(problems))
    return CleanNote(**values)  # type: ignore[arg-type]
