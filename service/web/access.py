"""Who is asking for a page: the signed-in person, or a trip to the sign-in page.

Every page but ``/login`` goes through ``require_signed_in``; every form post through
``require_csrf``. The language a page is in is settled here too: ``?lang=`` on any page is
remembered for the signed-in user (or in a cookie before signing in).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from sqlmodel import select

from models.db import Database
from models.tables import Organisation, User
from service.deps import DatabaseDep
from service.web.i18n import requested_language
from service.web.rendering import PageContext, page_context
from service.web.session import SignedIn, signed_in, tokens_match


class SignInRequired(Exception):
    """Answered with a redirect to the sign-in page, coming back here afterwards."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class FormExpired(Exception):
    """A form posted without its session's CSRF token (forged, or from an ended session)."""


def local_path(value: str | None) -> str:
    """``value`` if it is a path on this site, else ``/``: never a way to send someone off-site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def sign_in_url(request: Request) -> str:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/login?next={quote(local_path(here), safe='')}"


def _remember_language(request: Request, db: Database, who: SignedIn) -> None:
    chosen = requested_language(request)
    if chosen is None or chosen == who.user.language:
        return
    with db.transaction() as session:
        user = session.get(User, who.user.id)
        if user is not None:
            user.language = chosen
    who.user.language = chosen


def _organisation_language(request: Request, db: Database, user: User) -> None:
    if user.language is None and user.organisation_id is not None:
        with db.reading() as session:
            preferred = session.exec(
                select(Organisation.preferred_language).where(
                    Organisation.id == user.organisation_id
                )
            ).first()
        request.state.organisation_language = preferred


def require_signed_in(request: Request, db: DatabaseDep) -> PageContext:
    who = signed_in(request, db)
    if who is None:
        raise SignInRequired(sign_in_url(request))
    _remember_language(request, db, who)
    _organisation_language(request, db, who.user)
    return page_context(request, who)


def optional_sign_in(request: Request, db: DatabaseDep) -> PageContext:
    return page_context(request, signed_in(request, db))


async def require_csrf(
    request: Request, context: Annotated[PageContext, Depends(require_signed_in)]
) -> PageContext:
    form = await request.form()
    if not tokens_match(context.csrf_token, str(form.get("csrf_token") or "")):
        raise FormExpired()
    return context


Page = Annotated[PageContext, Depends(require_signed_in)]
FormPost = Annotated[PageContext, Depends(require_csrf)]
MaybeSignedIn = Annotated[PageContext, Depends(optional_sign_in)]
