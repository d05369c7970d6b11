"""Signed-in test clients for the pages: the API world, each person with a sign-in address
and a password, and helpers that read a form's CSRF token and post it as a browser would."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import select

from models.tables import User
from models.visibility import may_sign_in
from service.api import create_app
from service.users import set_password
from tests.support.api_support import ApiWorld, module_api_world

PASSWORD = "a long fictional passphrase"
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def address_of(user: User) -> str:
    """The address ``user`` signs in with: its own (the demo's applicants sign in as their
    organisation's signing contact), or the one ``give_everyone_a_password`` gave it."""
    return user.email or f"person{user.id}@people.example"


def give_everyone_a_password(world: ApiWorld) -> None:
    """Every person an address and the one test password (grantflow's own actor, which
    never signs in, is left as it is)."""
    with world.db.transaction() as session:
        for user in session.exec(select(User).where(User.email.is_(None))).all():  # type: ignore[union-attr]
            if may_sign_in(user.roles):
                user.email = address_of(user)
    with world.db.reading() as session:
        addresses = [u.email for u in session.exec(select(User)).all() if may_sign_in(u.roles)]
    for address in addresses:
        set_password(world.db, address, PASSWORD)  # type: ignore[arg-type]


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no form with a CSRF token"
    return html.unescape(found.group(1))


@dataclass
class Browser:
    """One person's cookies and the pages they post, without JavaScript (as the forms work)."""

    client: TestClient

    def get(self, url: str, **options):  # type: ignore[no-untyped-def]
        return self.client.get(url, follow_redirects=False, **options)

    def post_form(self, page_url: str, action: str, fields: dict[str, str], **options):  # type: ignore[no-untyped-def]
        """Open ``page_url``, take its CSRF token, post ``fields`` to ``action``."""
        page = self.client.get(page_url)
        assert page.status_code == 200, (page_url, page.status_code)
        data = {"csrf_token": csrf_of(page.text), **fields}
        return self.client.post(action, data=data, follow_redirects=False, **options)

    def sign_in(self, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        return self.post_form("/login", "/login", {"email": email, "password": password})


def browser() -> Browser:
    return Browser(TestClient(create_app(), raise_server_exceptions=False))


def signed_in(user: User) -> Browser:
    person = browser()
    answer = person.sign_in(address_of(user))
    assert answer.status_code == 303, answer.text[:2000]
    return person


@contextmanager
def module_web_world(directory: Path) -> Iterator[ApiWorld]:
    with module_api_world(directory) as world:
        give_everyone_a_password(world)
        yield world


def visible_text(page: str) -> str:
    """A page's words as a reader meets them (tags, scripts and styles dropped)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(html.unescape(body).split())
