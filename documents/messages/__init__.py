"""Notification emails: the subject and plain-text body of each kind, in English and French.

``compose(kind, language, facts)`` for one message, ``compose_digest`` for a staff member's
daily list. Pure text: no Prefect, FastAPI or mail transport here."""

from documents.messages.compose import MESSAGE_KINDS, compose, compose_digest
from documents.messages.facts import ComposedMessage, MessageFacts

__all__ = ["MESSAGE_KINDS", "ComposedMessage", "MessageFacts", "compose", "compose_digest"]
