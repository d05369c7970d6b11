"""Signing in and out of the pages: the session cookie, CSRF, back-off, ends of sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models.clock import utcnow
from models.sign_in import FREE_FAILURES, SignInFailures, WebSession
from models.tables import User
from tests.support.web_support import (
    PASSWORD,
    address_of,
    browser,
    csrf_of,
    module_web_world,
    signed_in,
    visible_text,
)

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory):  # type: ignore[no-untyped-def]
    with module_web_world(tmp_path_factory.mktemp("sign-in")) as built:
        yield built


def test_a_page_sends_whoever_is_not_signed_in_to_the_sign_in_page_and_back(world):
    person = browser()
    answer = person.get("/grants/1?lang=fr")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fgrants%2F1%3Flang%3Dfr"
    page = person.get(answer.headers["location"])
    assert page.status_code == 200
    assert 'name="next" value="/grants/1?lang=fr"' in page.text


def test_signing_in_sets_a_session_cookie_only_the_server_reads(world):
    person = browser()
    answer = person.sign_in(address_of(world.cast.screening_officer))
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = next(
        value
        for name, value in answer.headers.multi_items()
        if name == "set-cookie" and value.startswith("grantflow_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; see the TLS test below
    with world.db.reading() as session:
        token = cookie.split(";")[0].split("=", 1)[1]
        stored = session.exec(select(WebSession.token_hash)).all()
    assert token not in stored  # only its hash is kept
    home = person.get("/")
    assert home.status_code == 200
    assert world.cast.screening_officer.name in visible_text(home.text)


def test_the_cookie_is_secure_when_the_request_came_over_tls(world):
    person = browser()
    person.client.base_url = "https://testserver"  # type: ignore[assignment]
    answer = person.sign_in(address_of(world.cast.approver))
    assert answer.status_code == 303
    cookies = [v for k, v in answer.headers.multi_items() if k == "set-cookie"]
    assert any(c.startswith("grantflow_session=") and "Secure" in c for c in cookies)


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(world):
    wrong = browser().sign_in(address_of(world.cast.finance), "not the right passphrase")
    unknown = browser().sign_in("nobody@people.example", "not the right passphrase")
    assert wrong.status_code == unknown.status_code == 401
    for answer in (wrong, unknown):
        text = visible_text(answer.text)
        assert "do not match an account" in text
        assert "grantflow_session" not in answer.headers.get("set-cookie", "")


def test_a_sign_in_without_its_csrf_token_is_refused(world):
    person = browser()
    person.get("/login")
    answer = person.client.post(
        "/login",
        data={"email": address_of(world.cast.auditor), "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert "expired" in visible_text(answer.text)


def test_repeated_failures_make_the_address_wait_then_the_right_password_works(world):
    user = world.user_with_roles("officer")
    with world.db.transaction() as session:
        stored = session.get(User, user.id)
        stored.email = "backoff@people.example"
    from service.users import set_password

    set_password(world.db, "backoff@people.example", PASSWORD)
    person = browser()
    statuses = [
        person.sign_in("backoff@people.example", f"wrong guess number {n}").status_code
        for n in range(FREE_FAILURES)
    ]
    assert statuses == [401] * FREE_FAILURES
    last = person.sign_in("backoff@people.example", "one more wrong guess")
    assert last.status_code == 429  # not even checked: the address is waiting
    waiting = person.sign_in("Backoff@People.example", PASSWORD)  # right, but too soon
    assert waiting.status_code == 429
    assert int(waiting.headers["retry-after"]) in range(1, 31)
    assert "wait" in visible_text(waiting.text)
    with world.db.transaction() as session:
        record = session.get(SignInFailures, "backoff@people.example")
        assert record.failures == FREE_FAILURES  # waiting attempts are not counted
        record.last_failed_at = utcnow() - timedelta(seconds=31)
    assert person.sign_in("backoff@people.example", PASSWORD).status_code == 303
    with world.db.reading() as session:
        assert session.get(SignInFailures, "backoff@people.example") is None


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(world):
    person = signed_in(world.cast.payments_officer)
    copied = dict(person.client.cookies)
    home = person.get("/")
    answer = person.client.post(
        "/logout", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    thief = browser()
    thief.client.cookies.update(copied)
    assert thief.get("/").status_code == 303


def test_sign_out_needs_the_session_csrf_token(world):
    person = signed_in(world.cast.payments_officer)
    answer = person.client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert answer.status_code == 403
    assert person.get("/").status_code == 200  # still signed in


def test_an_idle_session_ends(world):
    person = signed_in(world.cast.auditor)
    with world.db.transaction() as session:
        for row in session.exec(select(WebSession)).all():
            row.last_seen_at = utcnow() - timedelta(hours=3)
    assert person.get("/").status_code == 303


def test_next_never_leads_off_the_site(world):
    person = browser()
    page = person.get("/login?next=//elsewhere.example/x")
    data = {
        "csrf_token": csrf_of(page.text),
        "email": address_of(world.cast.approver),
        "password": PASSWORD,
        "next": "https://elsewhere.example/",
    }
    answer = person.client.post("/login", data=data, follow_redirects=False)
    assert answer.headers["location"] == "/"
