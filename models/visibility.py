"""Who sees what, declared once as data, beside the lifecycle (``models.lifecycle``).

The lifecycle says what each role may *do*; this says what each role may *see*: which grants
it reaches, which document audiences it reads, how much of a grant's history it gets, what of
a community review leaves the panel, whether it sets anything up, audits, or only reads.
``service.authz``, the routes, the dossier and the engine's existence check all read it; the
README's "Who sees what" table is generated from it. Role names appear as literals only here
and in the lifecycle's action roles (a test greps for strays).

Sealed review content follows the fund's choice (DOMAIN, "Indigenous data sovereignty"):
deliberation notes belong to the community, so no role reads their text through the API, and
auditors get it in a dossier only when the organisation's data agreement allows it;
individual reviewers' scores are sealed for every role (only per-criterion panel means leave
the panel), which is why ``Scores`` has no value for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

# all: every grant; own_organisation: the grants of the user's organisation; assigned_panel:
# the grants whose review panel the user sits on; none: no grant.
Reach = Literal["all", "own_organisation", "assigned_panel", "none"]
# The audiences of document kinds (documents.registry.Audience; a test keeps the two equal).
Audience = Literal["applicant", "panel", "staff"]
# full: every event, refused attempts included, every actor named; applied: applied events
# only; applicant_view: applied events only, panel members anonymised, no word of sealed notes.
History = Literal["full", "applied", "applicant_view"]
Scores = Literal["none", "panel_means"]
# none: not even that notes were sealed; sealed_marker: that notes were recorded and sealed;
# text_if_data_agreement: their text too (in a dossier), if the data agreement allows it.
Notes = Literal["none", "sealed_marker", "text_if_data_agreement"]
# Who starts an application (a draft grant), and for which organisation.
Applications = Literal["none", "own_organisation", "any_organisation"]
SetUp = Literal["funds", "organisations", "users"]
# How a grant's outcome report counts reach a role that sees the grant: exact (its own
# organisation's applicant, and the officers who manage grants), or suppressed below the
# fund's small-cell threshold (models.suppression.suppress_report_counts).
OutcomeCounts = Literal["exact", "suppressed"]

AUDIENCES: tuple[Audience, ...] = ("applicant", "panel", "staff")
SET_UP: tuple[SetUp, ...] = ("funds", "organisations", "users")
# A document of a kind the registry does not know is read as the most guarded audience.
UNKNOWN_KIND_AUDIENCE: Audience = "staff"


@dataclass(frozen=True)
class RoleVisibility:
    role: str
    reach: Reach
    audiences: tuple[Audience, ...]
    history: History
    scores: Scores
    notes: Notes
    applications: Applications = "none"
    sets_up: tuple[SetUp, ...] = ()
    audits: bool = False  # verifies the audit trail and exports grant dossiers
    read_only: bool = False  # takes no action, sets nothing up, starts no application
    # Holds an API token or a password: people do; grantflow's own system actor never does,
    # so no request from outside can act as it.
    signs_in: bool = True
    outcome_counts: OutcomeCounts = "suppressed"
    # Reads the fund's outcome report across its grants, its counts suppressed below the
    # fund's small-cell threshold whoever reads it (models.outcomes, models.suppression).
    fund_outcomes: bool = False


# fmt: off
VISIBILITY: tuple[RoleVisibility, ...] = (
    RoleVisibility("applicant", "own_organisation", ("applicant",), "applicant_view",
                   scores="none", notes="none", applications="own_organisation",
                   outcome_counts="exact"),
    RoleVisibility("officer", "all", AUDIENCES, "full", scores="panel_means",
                   notes="sealed_marker", applications="any_organisation",
                   sets_up=("organisations",), outcome_counts="exact", fund_outcomes=True),
    RoleVisibility("reviewer", "assigned_panel", ("panel",), "applied", scores="panel_means",
                   notes="sealed_marker"),
    RoleVisibility("approver", "all", AUDIENCES, "full", scores="panel_means",
                   notes="sealed_marker", fund_outcomes=True),
    RoleVisibility("finance", "all", AUDIENCES, "full", scores="panel_means",
                   notes="sealed_marker", fund_outcomes=True),
    RoleVisibility("auditor", "all", AUDIENCES, "full", scores="panel_means",
                   notes="text_if_data_agreement", audits=True, read_only=True,
                   fund_outcomes=True),
    RoleVisibility("admin", "all", AUDIENCES, "full", scores="panel_means",
                   notes="text_if_data_agreement", applications="any_organisation",
                   sets_up=("funds", "organisations", "users"), audits=True,
                   fund_outcomes=True),
    # grantflow itself keeping deadlines (workflows.sweep): it reaches every grant to find what
    # is due, reads no document and never signs in.
    RoleVisibility("system", "all", (), "applied", scores="none", notes="none",
                   signs_in=False),
)
# fmt: on

VISIBILITY_BY_ROLE: dict[str, RoleVisibility] = {v.role: v for v in VISIBILITY}


def declared(roles: tuple[str, ...] | list[str]) -> tuple[RoleVisibility, ...]:
    """The declarations of ``roles``; a role not declared here grants nothing (fails closed)."""
    return tuple(VISIBILITY_BY_ROLE[r] for r in roles if r in VISIBILITY_BY_ROLE)


def roles_where(predicate: Callable[[RoleVisibility], bool]) -> tuple[str, ...]:
    """The declared roles whose declaration satisfies ``predicate``, in declaration order."""
    return tuple(v.role for v in VISIBILITY if predicate(v))


def reach_of(role: str) -> Reach:
    found = VISIBILITY_BY_ROLE.get(role)
    return found.reach if found else "none"


def reaches_other_organisations(roles: tuple[str, ...] | list[str]) -> bool:
    """Whether some role reaches grants beyond the user's own organisation.

    The engine's existence check: a user confined to its own organisation is told another
    organisation's grant does not exist. A panel role counts as reaching beyond it, so that
    an unassigned reviewer is refused by the ``reviewer_assigned`` guard, which says why.
    """
    return any(v.reach in ("all", "assigned_panel") for v in declared(roles))


def panel_roles() -> tuple[str, ...]:
    """Roles whose members sit on review panels: the applicant's history anonymises them."""
    return roles_where(lambda v: v.reach == "assigned_panel")


def organisation_roles() -> tuple[str, ...]:
    """Roles confined to their own organisation's grants: a user holding one belongs to one."""
    return roles_where(lambda v: v.reach == "own_organisation")


def applying_role() -> str:
    """The role an organisation's own application is recorded under."""
    return roles_where(lambda v: v.applications == "own_organisation")[0]


def operator_role() -> str:
    """The installation operator's role (sets up users): the role recorded on set-up events
    the system or the command line makes (funds, organisations, users, tokens)."""
    return setting_up("users")[0]


def may_sign_in(roles: tuple[str, ...] | list[str]) -> bool:
    """Whether a user holding ``roles`` may hold a token or a password and sign in: not if
    one of them is a role no person holds (the system actor's)."""
    return all(v.signs_in for v in declared(roles)) and bool(declared(roles))


def system_role() -> str:
    """The role of grantflow's own actor, which keeps the deadlines."""
    return roles_where(lambda v: not v.signs_in)[0]


def auditing_roles() -> tuple[str, ...]:
    return roles_where(lambda v: v.audits)


def setting_up(what: SetUp) -> tuple[str, ...]:
    return roles_where(lambda v: what in v.sets_up)


def fund_outcome_readers() -> tuple[str, ...]:
    """Roles that read the fund's outcome report across grants (page, API)."""
    return roles_where(lambda v: v.fund_outcomes)


def dossier_includes_notes(notes_readers: str) -> bool:
    """Sealed deliberation notes go into an auditor's dossier only when the organisation's data
    agreement in force lets auditors read them (``models.data_agreement``: its
    ``notes_readers`` is "governance_and_auditors"; "none" and "governance_body" keep them
    from every auditor, and so does any value not known here)."""
    readers = declared(auditing_roles())
    return notes_readers == "governance_and_auditors" and any(
        v.notes == "text_if_data_agreement" for v in readers
    )


def dossier_shows_panel_means() -> bool:
    """A dossier shows per-criterion panel means when its readers may see them."""
    return any(v.scores == "panel_means" for v in declared(auditing_roles()))
