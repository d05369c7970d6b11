"""What a notification email says (its facts) and what it becomes (subject and body)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class MessageFacts:
    """The facts one notification states; which of them a kind needs, see ``compose``."""

    reference: str  # grant reference, e.g. "ILIF-2027-0001"
    link: str  # absolute URL of the grant's page
    project_title: str = ""  # only used in messages to the organisation
    document_titles: tuple[str, ...] = ()  # titles (already in the message's language)
    report_sequence: int | None = None
    report_kind: str | None = None  # "annual" | "final"
    instalment_sequence: int | None = None
    deadline: date | None = None  # report due / offer expiry / end of cure period / instalment due
    days: int | None = None  # days before a deadline, or days overdue


@dataclass(frozen=True)
class ComposedMessage:
    subject: str
    body: str  # plain text, lines <= 78 chars where practical
