"""Rules every note must meet, applied to form input and to imported files alike.

Each ``clean_*`` function returns the normalised value or a problem message; :func:`clean_note`
applies them all and raises one :class:`NoteValidationError` listing every problem, prefixed
with where the note came from (a form, or a file and row).

Actions (kind ``action``; ``meeting_action``, its name before migration 0003, is read as
``action``) need an owner and a due date; their status is one of
:data:`~netcompare.notes.note.ACTION_STATUSES` (``open`` if not given); they concern the
practices in ``practice_ids`` (the first is ``practice_id``; none: the whole network). Only
actions carry an owner, a due date, a status or several practices, and only actions and
practice notes an intervention date (when the change started). Every other kind needs its one
practice.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from netcompare.notes.errors import NoteValidationError
from netcompare.notes.note import ACTION_STATUSES, KIND_LABELS, KINDS, OLD_KIND_NAMES
from netcompare.text import strip_bidi

MAX_BODY_CHARS = 4000
MAX_AUTHOR_CHARS = 80
MAX_OWNER_CHARS = MAX_AUTHOR_CHARS  # an action's owner: the same rules as an author
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


def clean_author(text: object, label: str = "the author's name") -> str:
    """The author's name: required, one line, at most :data:`MAX_AUTHOR_CHARS`.

    ``label`` names the field in messages (an action's owner follows the same rules).
    """
    if not isinstance(text, str) or not text.strip():
        raise _Problem(f"{label} is required")
    author = " ".join(strip_bidi(text).split())
    if len(author) > MAX_AUTHOR_CHARS:
        raise _Problem(f"{label} is {len(author)} characters long; the limit is {MAX_AUTHOR_CHARS}")
    bad = _bad_characters(author)
    if bad:
        raise _Problem(f"{label} contains control characters ({', '.join(bad[:5])})")
    return author


def clean_owner(text: object) -> str:
    """An action's owner (who will do it): the same rules as an author's name."""
    return clean_author(text, "the action's owner")


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
    """One of :data:`~netcompare.notes.note.KINDS` (spaces and case ignored); an old name
    (:data:`~netcompare.notes.note.OLD_KIND_NAMES`: ``meeting_action``) gives the new one."""
    if isinstance(kind, str):
        k = kind.strip().lower().replace(" ", "_")
        k = OLD_KIND_NAMES.get(k, k)
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


def clean_date(
    value: object, label: str, *, month_end: bool = False, example: str = "2024-04-01"
) -> date | None:
    """A date: a ``date``, a ``datetime`` (its date), ``YYYY-MM-DD`` or ``YYYY-MM`` (the
    month's first day, or its last with ``month_end``); None if empty. ``label`` names the
    field in the message ("the period", "the due date", …)."""
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
                first = date.fromisoformat(text + "-01")
                if month_end:
                    return first.replace(day=monthrange(first.year, first.month)[1])
                return first
            return date.fromisoformat(text)
        except ValueError:
            pass
    shown = repr(value) if isinstance(value, str) else type(value).__name__
    raise _Problem(f"{label} {shown[:40]} is not a date like {example} or {example[:7]}")


def clean_period(value: object) -> date | None:
    """The period a note is about: a date, ``YYYY-MM-DD`` or ``YYYY-MM`` (month start)."""
    return clean_date(value, "the period")


def clean_due_date(value: object) -> date | None:
    """An action's due date: a date, ``YYYY-MM-DD`` or ``YYYY-MM`` (by the month's end)."""
    return clean_date(value, "the due date", month_end=True, example="2025-06-30")


def clean_intervention_date(value: object) -> date | None:
    """When the change started: a date, ``YYYY-MM-DD`` or ``YYYY-MM`` (month start)."""
    return clean_date(value, "the intervention date", example="2025-03-01")


def clean_status(value: object) -> str:
    """An action's status, one of :data:`~netcompare.notes.note.ACTION_STATUSES`; empty or
    None gives ``open``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "open"
    if isinstance(value, str) and value.strip().lower() in ACTION_STATUSES:
        return value.strip().lower()
    shown = repr(value)[:40] if isinstance(value, str) else type(value).__name__
    raise _Problem(f"the status {shown} is not one of: {', '.join(ACTION_STATUSES)}")


def clean_practice_ids(value: object) -> tuple[str, ...]:
    """The practices an action concerns: a list, or ids separated by ``;`` or ``,``; each
    cleaned like a practice id; duplicates dropped, order kept."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: Iterable[object] = re.split(r"[;,]", value)
    elif isinstance(value, Iterable):
        items = value
    else:
        raise _Problem(f"practice_ids must be text or a list of ids, not {type(value).__name__}")
    out: dict[str, None] = {}
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        code = clean_code(item, "practice", required=True)
        assert code is not None
        out[code] = None
    return tuple(out)


def _given(value: object) -> bool:
    """Whether a field was filled in (not None, not blank text, not an empty list)."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | set | frozenset):
        return any(_given(v) for v in value)
    return True


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

    practice_id: str | None  # None only for an action about the whole network
    network_id: str
    kind: str
    body: str
    author: str
    indicator_id: str | None
    period: date | None
    parent_uid: str | None
    tags: tuple[str, ...]
    intervention_date: date | None = None
    owner: str | None = None
    due_date: date | None = None
    status: str | None = None
    practice_ids: tuple[str, ...] = ()  # actions: practice_id first; () otherwise


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
    owner: object = None,
    due_date: object = None,
    status: object = None,
    intervention_date: object = None,
    practice_ids: object = None,
    where: str = "",
    stored: bool = False,
) -> CleanNote:
    """Validate every field of a note; raise one :class:`NoteValidationError` listing problems.

    ``where`` prefixes the message (e.g. ``"notes.csv, row 4"``). An answer must name the
    question it answers (``parent_uid``); other kinds must not. Whether that question exists is
    checked by the repository, which can see the database.

    An action's practices are ``practice_ids`` with ``practice_id`` (if given) put first; the
    cleaned ``practice_id`` is the first of them, or None for the whole network. A new or
    edited action needs an owner and a due date; ``stored=True`` (a note being restored from a
    file written by ``notes export``, or carried over by migration 0003) lets an action lack
    them, as actions recorded before owners and due dates existed do.
    """
    problems: list[str] = []
    values: dict[str, object] = {}

    def take(name: str, fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        try:
            values[name] = fn(*args, **kwargs)
        except _Problem as exc:
            problems.append(str(exc))

    the_kind: str | None = None
    kind_problem = None
    try:
        the_kind = clean_kind(kind)
    except _Problem as exc:
        kind_problem = str(exc)
    is_action = the_kind == "action"
    a_kind = ""
    if the_kind is not None:
        words = the_kind.replace("_", " ")
        a_kind = ("an " if words[0] in "aeiou" else "a ") + words
    take("practice_id", clean_code, practice_id, "practice", required=not is_action)
    take("network_id", clean_code, network_id, "network", required=True)
    if kind_problem is None:
        values["kind"] = the_kind
    else:
        problems.append(kind_problem)
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

    if is_action:
        take("practice_ids", clean_practice_ids, practice_ids)
        first = values.get("practice_id")
        if "practice_ids" in values and "practice_id" in values:
            ids = tuple(values["practice_ids"])  # type: ignore[arg-type]
            if first is not None:
                ids = (first, *(p for p in ids if p != first))
            values["practice_ids"] = ids
            values["practice_id"] = ids[0] if ids else None
        if _given(owner):
            take("owner", clean_owner, owner)
        else:
            values["owner"] = None
            if not stored:
                problems.append("an action needs an owner (who will do it)")
        take("due_date", clean_due_date, due_date)
        if values.get("due_date") is None and "due_date" in values and not stored:
            problems.append("an action needs a due date")
        take("status", clean_status, status)
    elif the_kind is not None:
        refused = [
            (owner, "an owner"),
            (due_date, "a due date"),
            (status, "a status"),
            (practice_ids, "a list of practices it concerns (practice_ids)"),
        ]
        for value, what in refused:
            if _given(value):
                problems.append(f"only an action has {what}, not {a_kind}")
    if the_kind in ("action", "practice_note"):
        take("intervention_date", clean_intervention_date, intervention_date)
    elif the_kind is not None and _given(intervention_date):
        problems.append(
            "only an action or a practice note (What we do) can have an intervention date, "
            f"not {a_kind}"
        )
    if problems:
        prefix = f"{where}: " if where else ""
        raise NoteValidationError(prefix + "; ".join(problems))
    return CleanNote(**values)  # type: ignore[arg-type]
