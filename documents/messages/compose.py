"""Compose a notification email (subject and plain-text body) in English or French.

The organisation's messages name the grant's reference and project title and say what is
attached; staff messages name the reference and the link only (never the project title,
organisation, amounts, scores or review notes), one at a time or in a daily digest."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from functools import cache
from typing import Literal

from documents.formatting import format_date, french_typography
from documents.messages import en, fr
from documents.messages.facts import ComposedMessage, MessageFacts
from documents.text import Catalogue

Audience = Literal["organisation", "staff"]

MESSAGE_KINDS: dict[str, Audience] = {
    "documents_ready": "organisation",
    "report_reminder": "organisation",
    "report_overdue": "organisation",
    "offer_expiring": "organisation",
    "offer_lapsed": "organisation",
    "cure_period_ending": "organisation",
    "application_closed_incomplete": "organisation",
    "report_returned": "organisation",
    "report_accepted": "organisation",
    "payment_held": "organisation",
    "amendment_declined": "organisation",
    "amendment_withdrawn": "organisation",
    "application_to_screen": "staff",
    "panel_ready": "staff",
    "approval_pending": "staff",
    "payment_to_initiate": "staff",
    "payment_to_release": "staff",
    "report_to_review": "staff",
    "amendment_to_approve": "staff",
    "amendment_to_countersign": "staff",
}
LANGUAGES = ("en", "fr")
WIDTH = 78

# A paragraph of the body: a sentence run (wrapped to WIDTH) or a list of items (bulleted).
Part = str | tuple[str, ...]


@cache
def catalogue(language: str) -> Catalogue:
    """The messages' catalogue of ``language``; French gets its no-break spaces on load."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; known: {', '.join(LANGUAGES)}")
    if language == "fr":
        messages = {key: french_typography(text) for key, text in fr.MESSAGES.items()}
        return Catalogue("fr", messages)
    return Catalogue("en", en.MESSAGES)


def audience(kind: str) -> Audience:
    """Who receives ``kind``; a clear error naming the known kinds otherwise."""
    try:
        return MESSAGE_KINDS[kind]
    except KeyError:
        known = ", ".join(MESSAGE_KINDS)
        raise ValueError(f"unknown message kind {kind!r}; known: {known}") from None


# Facts each kind needs beyond the reference and the link.
_NEEDS: dict[str, tuple[str, ...]] = {
    "documents_ready": ("document_titles",),
    "report_reminder": ("report_sequence", "deadline"),
    "report_overdue": ("report_sequence", "deadline"),
    "offer_expiring": ("deadline",),
    "offer_lapsed": ("deadline",),
    "cure_period_ending": ("deadline",),
    "application_closed_incomplete": ("deadline",),
    "report_returned": ("report_sequence",),
    "report_accepted": ("report_sequence",),
    "payment_held": ("instalment_sequence",),
    "payment_to_initiate": ("instalment_sequence", "deadline"),
    "payment_to_release": ("instalment_sequence",),
    "report_to_review": ("report_sequence",),
}


def _check(kind: str, facts: MessageFacts) -> None:
    for name in ("reference", "link", *_NEEDS.get(kind, ())):
        if not getattr(facts, name):
            raise ValueError(f"{kind}: facts.{name} is required")
    if facts.days is not None and facts.days < (1 if kind == "report_overdue" else 0):
        raise ValueError(f"{kind}: facts.days cannot be {facts.days}")
    if facts.report_kind not in (None, "annual", "final"):
        raise ValueError(f"{kind}: facts.report_kind must be 'annual', 'final' or None")


def _values(kind: str, t: Catalogue, facts: MessageFacts) -> dict[str, object]:
    values: dict[str, object] = {
        "reference": facts.reference,
        "link": facts.link,
        "sequence": facts.report_sequence,
        "instalment": facts.instalment_sequence,
        "days": facts.days,
        "deadline": format_date(facts.deadline, t.language) if facts.deadline else "",
    }
    if MESSAGE_KINDS[kind] == "organisation":  # staff templates cannot reach these
        values["about"] = (
            t("about", reference=facts.reference, project=facts.project_title)
            if facts.project_title.strip()
            else facts.reference
        )
        if facts.report_sequence is not None:
            kind_key = f"report.{facts.report_kind or 'plain'}"
            values["report"] = t(kind_key, sequence=facts.report_sequence)
    return values


def _by_days(prefix: str, days: int | None) -> str:
    """``prefix.plain`` when days are unknown, else ``.today``, ``.one`` or ``.many``."""
    if days is None:
        return f"{prefix}.plain"
    return f"{prefix}.{'today' if days == 0 else 'one' if days == 1 else 'many'}"


def _left(t: Catalogue, days: int | None) -> str:
    """ " There are N days left." (one, or today), or nothing when days are unknown."""
    return "" if days is None else " " + t(_by_days("left", days), days=days)


Body = Callable[[Catalogue, MessageFacts, dict[str, object]], list[Part]]


def _documents_ready(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    return [t("documents_ready.intro", **v), tuple(f.document_titles), t("documents_ready.also")]


def _report_reminder(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    due = _by_days("report_reminder.due", f.days)
    return [
        t(due, **v),
        f"{t('report_reminder.attached')} {t('submit')}",
        t("help"),
    ]


def _report_overdue(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    return [
        t(_by_days("report_overdue.late", f.days), **v),
        t("report_overdue.hold"),
        f"{t('report_overdue.attached')} {t('submit')}",
        t("help"),
    ]


def _offer_expiring(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    return [
        t("offer_expiring.sign_by", **v) + _left(t, f.days),
        t("offer_expiring.how"),
        t("questions"),
    ]


def _offer_lapsed(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    return [t("offer_lapsed.lapsed", **v), t("future_call"), t("questions")]


def _cure_period_ending(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    return [t("cure_period_ending.by", **v) + _left(t, f.days), t("cure_period_ending.how")]


def _closed_incomplete(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    return [t("application_closed_incomplete.closed", **v), t("future_call"), t("questions")]


def _report_returned(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    return [t("report_returned.returned", **v), t("submit"), t("help")]


def _report_accepted(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    return [t("report_accepted.accepted", **v), t("questions")]


def _payment_held(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    return [t("payment_held.held", **v), t("questions")]


def _amendment_declined(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    return [t("amendment_declined.declined", **v), t("amendment.unchanged"), t("questions")]


def _amendment_withdrawn(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
    return [t("amendment_withdrawn.withdrawn", **v), t("amendment.unchanged"), t("questions")]


def _staff(kind: str) -> Body:
    def body(t: Catalogue, f: MessageFacts, v: dict[str, object]) -> list[Part]:
        return [t(f"{kind}.body", **v)]

    return body


_BODIES: dict[str, Body] = {
    "documents_ready": _documents_ready,
    "report_reminder": _report_reminder,
    "report_overdue": _report_overdue,
    "offer_expiring": _offer_expiring,
    "offer_lapsed": _offer_lapsed,
    "cure_period_ending": _cure_period_ending,
    "application_closed_incomplete": _closed_incomplete,
    "report_returned": _report_returned,
    "report_accepted": _report_accepted,
    "payment_held": _payment_held,
    "amendment_declined": _amendment_declined,
    "amendment_withdrawn": _amendment_withdrawn,
    **{kind: _staff(kind) for kind, who in MESSAGE_KINDS.items() if who == "staff"},
}


def _wrap(text: str, first: str = "", rest: str = "") -> str:
    return textwrap.fill(
        text,
        WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _render(part: Part) -> str:
    if isinstance(part, tuple):
        return "\n".join(_wrap(" ".join(item.split()), "  - ", "    ") for item in part)
    return _wrap(part)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _body(t: Catalogue, who: Audience, name: str, parts: Sequence[Part], links: str) -> str:
    greeting = t("greeting", name=_one_line(name)) if name.strip() else t("greeting_generic")
    blocks = [greeting, *(_render(part) for part in parts), links]
    return "\n\n".join(blocks) + "\n\n-- \n" + _wrap(t(f"footer.{who}")) + "\n"


def compose(
    kind: str, language: str, facts: MessageFacts, recipient_name: str = ""
) -> ComposedMessage:
    """The message ``kind`` in ``language`` ("en" or "fr") stating ``facts``.

    ValueError names the known kinds or languages, or the fact the kind lacks: documents_ready
    needs document_titles; report_reminder and report_overdue a report_sequence and deadline;
    offer_expiring, offer_lapsed, cure_period_ending and application_closed_incomplete a
    deadline; payment_to_initiate an instalment_sequence and deadline; payment_to_release an
    instalment_sequence; report_to_review a report_sequence. ``days`` is optional (0 = today).
    """
    who = audience(kind)
    t = catalogue(language)
    _check(kind, facts)
    values = _values(kind, t, facts)
    parts = _BODIES[kind](t, facts, values)
    subject = _one_line(t(f"{kind}.subject", **values))
    return ComposedMessage(
        subject, _body(t, who, recipient_name, parts, t("open", link=facts.link))
    )


def compose_digest(
    language: str, entries: list[tuple[str, MessageFacts]], recipient_name: str = ""
) -> ComposedMessage:
    """One daily message to a staff member listing each entry (a staff kind and its facts) as
    one line and its link. Organisation kinds are refused: they carry attachments."""
    t = catalogue(language)
    if not entries:
        raise ValueError("a digest needs at least one entry")
    lines = []
    for kind, facts in entries:
        if audience(kind) != "staff":
            staff = ", ".join(k for k, who in MESSAGE_KINDS.items() if who == "staff")
            raise ValueError(f"a digest lists staff kinds only ({staff}), not {kind!r}")
        _check(kind, facts)
        line = _one_line(t(f"{kind}.line", **_values(kind, t, facts)))
        lines.append(_wrap(line, "- ", "  ") + "\n  " + facts.link)
    count = len(entries)
    key = "digest.subject.one" if count == 1 else "digest.subject.many"
    parts: list[Part] = [t("digest.intro")]
    body = _body(t, "staff", recipient_name, parts, "\n".join(lines))
    return ComposedMessage(_one_line(t(key, count=count)), body)
