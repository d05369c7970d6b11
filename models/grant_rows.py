"""The grant's rows an action's rules read, and the context they are read through.

An action (``models.engine.apply_action``) reads every one of them at once, in one order,
under its locks: its effect may change any of them. A read (``readiness_in``: which actions
are offered now, and whether their rules hold) reads each only when a rule first looks at it
(``ReadingContext``): a grant's actions answer then costs the queries of the rules asked,
not of every rule there is. Either way each row is read at most once for all the actions
asked, and the rules see the same values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlmodel import Session, select

from models import lifecycle, visibility
from models.context import ActionContext, Actor
from models.offers import latest_offer
from models.payloads import Payload
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

# The grant's rows an action can apply to, by subject: what a read may be handed already read
# (the same query, the same order) instead of reading them again.
SUBJECT_TABLES = {"instalment": Instalment, "report": OutcomeReport, "amendment": Amendment}


def lock_if(statement, session: Session, *, lock: bool):  # type: ignore[no-untyped-def]
    """``statement``, locking the rows it reads when ``lock`` (on PostgreSQL).

    Only a caller that will change what it reads locks (``apply_action``): on PostgreSQL the
    row locks serialise concurrent actions on one grant and on one fund's allocations. A read
    (readiness, the service's pre-check) takes none, so it neither waits for a running action
    nor makes one wait; the action re-checks under its locks. SQLite's BEGIN IMMEDIATE
    (models.db) already serialises every writer.
    """
    if not lock or session.get_bind().dialect.name == "sqlite":
        return statement
    return statement.with_for_update()


def subject_rows(session: Session, grant_id: int, subject: str) -> list[Any]:
    """The grant's instalments, reports or amendments (``subject``), by sequence."""
    table = SUBJECT_TABLES[subject]
    return list(
        session.exec(
            select(table).where(table.grant_id == grant_id).order_by(table.sequence)  # type: ignore[attr-defined]
        )
    )


def _active_reviewers(session: Session) -> list[User]:
    panel = set(visibility.panel_roles())
    return [u for u in session.exec(select(User).where(User.active)) if panel & set(u.roles)]


# How the engine loads what an action declares it needs (lifecycle.Action.needs) beyond the
# grant's own rows; each fills the ActionContext field of the same name. Only actions that
# declare a need pay for its query.
NEED_LOADERS: dict[lifecycle.Need, Callable[[Session, Grant], Any]] = {
    "panel": lambda session, grant: _active_reviewers(session),
    "offer": latest_offer,
}


class GrantRows:
    """The grant's rows every rule may read, each read from ``session`` on first use and kept.

    ``load_all`` reads every one now, in the order actions lock them; ``subjects`` (reads
    only): the instalments, reports or amendments the caller already read (``subject_rows``).
    """

    # In the order ``load_all`` reads them: the fund's allocations are locked by year, in
    # that one order, by every action (two approvals against one fund cannot each hold a
    # year the other waits for).
    FIELDS = (
        "fund",
        "organisation",
        "budget",
        "allocations",
        "assignments",
        "instalments",
        "reports",
        "amendments",
        "users",
        "contacts",
        "scores",
    )

    def __init__(
        self,
        session: Session,
        grant: Grant,
        actor: Actor,
        payloads: Iterable[Payload],
        *,
        lock: bool,
        subjects: Mapping[str, Sequence[Any]] | None = None,
    ) -> None:
        assert not (lock and subjects), "rows read earlier were not read under the lock"
        self._session = session
        self._grant = grant
        self._actor = actor
        self._payloads = list(payloads)
        self._lock = lock
        self._subjects = subjects or {}
        self._needs: dict[str, Any] = {}

    def load_all(self) -> GrantRows:
        for name in self.FIELDS:
            getattr(self, name)
        return self

    def need(self, name: lifecycle.Need) -> Any:
        """What the action declared it needs (``NEED_LOADERS``), read once."""
        if name not in self._needs:
            self._needs[name] = NEED_LOADERS[name](self._session, self._grant)
        return self._needs[name]

    def _of_grant(self, table: Any) -> list[Any]:
        return list(self._session.exec(select(table).where(table.grant_id == self._grant.id)))

    def _subject(self, subject: str) -> list[Any]:
        if subject in self._subjects:
            return list(self._subjects[subject])
        return subject_rows(self._session, self._grant.id, subject)  # type: ignore[arg-type]

    @cached_property
    def fund(self) -> Fund:
        fund = self._session.get(Fund, self._grant.fund_id)
        assert fund is not None
        return fund

    @cached_property
    def organisation(self) -> Organisation:
        organisation = self._session.get(Organisation, self._grant.organisation_id)
        assert organisation is not None
        return organisation

    @cached_property
    def budget(self) -> list[BudgetLine]:
        return self._of_grant(BudgetLine)

    @cached_property
    def allocations(self) -> dict[int, FundAllocation]:
        statement = (
            select(FundAllocation)
            .where(FundAllocation.fund_id == self._grant.fund_id)
            .order_by(FundAllocation.fiscal_year)  # type: ignore[arg-type]
        )
        rows = self._session.exec(lock_if(statement, self._session, lock=self._lock))
        return {allocation.fiscal_year: allocation for allocation in rows}

    @cached_property
    def assignments(self) -> list[ReviewAssignment]:
        return self._of_grant(ReviewAssignment)

    @cached_property
    def instalments(self) -> list[Instalment]:
        return self._subject("instalment")

    @cached_property
    def reports(self) -> list[OutcomeReport]:
        return self._subject("report")

    @cached_property
    def amendments(self) -> list[Amendment]:
        return self._subject("amendment")

    @cached_property
    def users(self) -> dict[int, User]:
        """The users the rules name: the panel assigned, who initiated each instalment, a
        coordinator the payload names and the actor (e.g. the email a signer signs as)."""
        wanted = {a.reviewer_id for a in self.assignments}
        wanted |= {i.initiated_by_id for i in self.instalments}
        wanted |= {getattr(payload, "coordinator_id", None) for payload in self._payloads}
        wanted.add(self._actor.user_id)
        wanted.discard(None)
        found = self._session.exec(select(User).where(User.id.in_(wanted)))  # type: ignore[union-attr]
        return {user.id: user for user in found}  # type: ignore[misc]

    @cached_property
    def contacts(self) -> list[Contact]:
        statement = select(Contact).where(Contact.organisation_id == self._grant.organisation_id)
        return list(self._session.exec(statement))

    @cached_property
    def scores(self) -> list[ReviewScore]:
        return self._of_grant(ReviewScore)


def _copy(value: Any) -> Any:
    """Each context its own list or mapping (rules and effects may change theirs), the rows
    themselves shared."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _given(rows: GrantRows, action: lifecycle.Action) -> dict[str, Any]:
    return {name: _copy(getattr(rows, name)) for name in GrantRows.FIELDS} | {
        need: rows.need(need) for need in action.needs
    }


def context_over(
    rows: GrantRows,
    grant: Grant,
    role: str,
    action: lifecycle.Action,
    actor: Actor,
    payload: Payload,
    now: datetime,
) -> ActionContext:
    """The action's context over every one of ``rows``, read now (an action's)."""
    return ActionContext(
        action=action,
        actor=actor,
        role=role,
        payload=payload,
        now=now,
        grant=grant,
        **_given(rows, action),
    )


class ReadingContext(ActionContext):
    """An action's context for a read: each of the grant's rows (and what the action declared
    it needs) read from ``rows`` when a rule first looks at it, then kept. Nothing it reads
    is locked; the action itself re-reads everything under its locks (``context_over``)."""

    def __init__(
        self,
        rows: GrantRows,
        grant: Grant,
        role: str,
        action: lifecycle.Action,
        actor: Actor,
        payload: Payload,
        now: datetime,
    ) -> None:
        lazy = set(GrantRows.FIELDS) | set(action.needs)
        given = {"action": action, "actor": actor, "role": role, "payload": payload}
        given |= {"now": now, "grant": grant}
        for field in dataclasses.fields(ActionContext):
            if field.name in given or field.name in lazy:
                continue
            if field.default_factory is not dataclasses.MISSING:
                given[field.name] = field.default_factory()
            else:
                given[field.name] = field.default
        self.__dict__.update(given, _rows=rows, _lazy=lazy)

    def __getattr__(self, name: str) -> Any:
        # Called only for what is not set yet: a row no rule has looked at so far.
        lazy = self.__dict__.get("_lazy", ())
        if name not in lazy:
            raise AttributeError(name)
        rows: GrantRows = self.__dict__["_rows"]
        value = rows.need(name) if name in self.action.needs else _copy(getattr(rows, name))  # type: ignore[arg-type]
        self.__dict__[name] = value
        return value
