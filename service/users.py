"""User administration use cases shared by the command line and the API."""

from __future__ import annotations

from sqlmodel import select

from models.db import Database
from models.errors import InvalidPayload, NotFound, NotPermitted
from models.provisioning import create_user, normalised_email
from models.tables import AuditEvent, Organisation, User
from models.visibility import may_sign_in, operator_role
from service.passwords import hash_password
from service.tokens import new_token


def create_user_with_token(
    db: Database,
    *,
    name: str,
    roles: list[str],
    organisation: str | None = None,
    is_elder: bool = False,
    is_survivor_advisor: bool = False,
    email: str | None = None,
) -> tuple[User, str]:
    """Create a user and return it with its API token (shown once, stored as a hash); with
    ``email``, the address they sign in to the pages with (a password is set separately)."""
    organisation_id = resolve_organisation(db, organisation) if organisation else None
    token, hashed = new_token()
    user = create_user(
        db,
        name=name,
        roles=roles,
        organisation_id=organisation_id,
        is_elder=is_elder,
        is_survivor_advisor=is_survivor_advisor,
        token_hash=hashed,
        email=email,
    )
    return user, token


def operator() -> User:
    """Whoever runs a ``grantflow`` command, as the audit trail records them: the
    installation's operator (its role, no user row), like every set-up the command line does.
    Never stored: it exists for the length of one command."""
    return User(name=operator_role(), roles=[operator_role()])


def resolve_organisation(db: Database, reference: str) -> int:
    """An organisation by id, or by exact legal or operating name."""
    with db.reading() as session:
        if reference.isdigit() and session.get(Organisation, int(reference)):
            return int(reference)
        match = session.exec(
            select(Organisation).where(
                (Organisation.legal_name == reference) | (Organisation.operating_name == reference)
            )
        ).first()
    if match is None:
        raise NotFound(f"no organisation with id or name '{reference}'")
    return match.id  # type: ignore[return-value]


def _set_credentials(
    db: Database, user_id: int, token_hash: str | None, action: str, actor_name: str | None
) -> None:
    """Give the user a new token hash (None: no working token) in one audited transaction."""
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"user {user_id} does not exist")
        if token_hash is not None and not may_sign_in(user.roles):
            raise NotPermitted(f"user {user_id} is grantflow's own actor: it holds no token")
        user.token_hash = token_hash
        user.active = token_hash is not None
        session.add(user)
        session.add(
            AuditEvent(
                actor_name=actor_name or operator_role(),
                role=operator_role(),
                action=action,
                subject="user",
                subject_id=user_id,
            )
        )


def rotate_token(db: Database, user_id: int, actor_name: str | None = None) -> str:
    """A new token for the user (shown once); any earlier token stops working."""
    token, hashed = new_token()
    _set_credentials(db, user_id, hashed, "rotate_token", actor_name)
    return token


def revoke_user(db: Database, user_id: int, actor_name: str | None = None) -> None:
    """The user's token stops working at once; the user and their history stay."""
    _set_credentials(db, user_id, None, "revoke_user", actor_name)


def set_password(db: Database, email: str, password: str, actor_name: str | None = None) -> User:
    """Give the user who signs in with ``email`` a new password (stored as an argon2id hash),
    in one audited transaction; the event records that it changed, never the password."""
    hashed = hash_password(password)  # refuses a weak password before anything is read
    with db.transaction() as session:
        user = session.exec(select(User).where(User.email == normalised_email(email))).first()
        if user is None or not may_sign_in(user.roles):
            raise NotFound(f"no user signs in with {normalised_email(email)}")
        user.password_hash = hashed
        session.add(user)
        session.add(
            AuditEvent(
                actor_name=actor_name or operator_role(),
                role=operator_role(),
                action="set_password",
                subject="user",
                subject_id=user.id,
            )
        )
        return user


NOTIFY_BY = ("each", "digest")


def set_notify_by(db: Database, email: str, how: str, actor_name: str | None = None) -> User:
    """Whether the user who signs in with ``email`` gets a message per waiting item or one
    daily digest, in one audited transaction."""
    choice = how.strip().lower()
    if choice not in NOTIFY_BY:
        raise InvalidPayload(
            f"'{how}' is not a choice: {' or '.join(NOTIFY_BY)}",
            [{"field": "notify_by", "message": "each or digest"}],
        )
    with db.transaction() as session:
        user = session.exec(select(User).where(User.email == normalised_email(email))).first()
        if user is None or not may_sign_in(user.roles):
            raise NotFound(f"no user signs in with {normalised_email(email)}")
        user.notify_by = choice
        session.add(user)
        session.add(
            AuditEvent(
                actor_name=actor_name or operator_role(),
                role=operator_role(),
                action="set_notify_by",
                subject="user",
                subject_id=user.id,
                payload_summary={"notify_by": choice},
            )
        )
        return user
