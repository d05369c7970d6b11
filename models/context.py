"""What a guard or an effect may look at: the actor, the payload and the grant's rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.lifecycle import Action
from models.offers import Offer
from models.payloads import Payload
from models.provisioning import normalised_email
from models.tables import (
    Amendment,
    BudgetLine,
    Contact,
    Fund,
    FundAllocation,
    Grant,
    Instalment,
    Organisation,
    OutcomeReport,
    ReviewAssignment,
    ReviewScore,
    User,
)


@dataclass(frozen=True)
class Actor:
    """Who takes an action, and in which of their roles."""

    user_id: int
    name: str
    roles: tuple[str, ...]
    organisation_id: int | None = None

    def acting_role(self, allowed: tuple[str, ...]) -> str | None:
        return next((role for role in allowed if role in self.roles), None)


@dataclass
class ActionContext:
    action: Action
    actor: Actor
    role: str
    payload: Payload
    now: datetime
    fund: Fund
    grant: Grant
    organisation: Organisation
    contacts: list[Contact] = field(default_factory=list)
    budget: list[BudgetLine] = field(default_factory=list)
    allocations: Mapping[int, FundAllocation] = field(default_factory=dict)
    panel: list[User] = field(default_factory=list)
    users: Mapping[int, User] = field(default_factory=dict)
    assignments: list[ReviewAssignment] = field(default_factory=list)
    scores: list[ReviewScore] = field(default_factory=list)
    instalments: list[Instalment] = field(default_factory=list)
    reports: list[OutcomeReport] = field(default_factory=list)
    offer: Offer | None = None
    amendments: list[Amendment] = field(default_factory=list)
    subject: Instalment | OutcomeReport | Amendment | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def assignment_of(self, user_id: int) -> ReviewAssignment | None:
        return next((a for a in self.assignments if a.reviewer_id == user_id), None)

    def acting_user(self) -> User | None:
        """The actor's user row, as the engine loaded it (``users`` always holds it)."""
        return self.users.get(self.actor.user_id)

    def signing_contact(self) -> Contact | None:
        """The organisation's contact with signing authority whose email is the acting user's
        own (both compared trimmed and lower-case): who signs when this user signs."""
        user = self.acting_user()
        if user is None or not user.email:
            return None
        address = normalised_email(user.email)
        return next(
            (
                contact
                for contact in self.contacts
                if contact.signing_authority and normalised_email(contact.email) == address
            ),
            None,
        )
