"""``/login`` and ``/logout``."""

from __future__ import annotations

import asyncio
import secrets
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from models.clock import utcnow
from service.deps import DatabaseDep
from service.web.access import FormPost, MaybeSignedIn, local_path
from service.web.forms import FormErrors
from service.web.i18n import LANGUAGE_COOKIE, requested_language
from service.web.rendering import PageContext, render
from service.web.session import (
    SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
    SignInRefused,
    check_password,
    end_session,
    forget_cookie,
    set_cookie,
    start_session,
    tokens_match,
)

router = APIRouter(include_in_schema=False)
SIGN_IN_FORM_SECONDS = 60 * 60
SESSION_COOKIE_SECONDS = 12 * 60 * 60
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 60 * 60


def _sign_in_page(
    request: Request,
    context: PageContext,
    *,
    email: str = "",
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    token = request.cookies.get(SIGN_IN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(
        context,
        "login.html.j2",
        status_code,
        sign_in_csrf=token,
        next=local_path(request.query_params.get("next") or _posted_next(request)),
        email=email,
        errors=errors or FormErrors(),
    )
    set_cookie(request, response, SIGN_IN_CSRF_COOKIE, token, SIGN_IN_FORM_SECONDS)
    chosen = requested_language(request)
    if chosen:
        set_cookie(request, response, LANGUAGE_COOKIE, chosen, LANGUAGE_COOKIE_SECONDS)
    return response


def _posted_next(request: Request) -> str:
    return getattr(request.state, "posted_next", "/")


@router.get("/login", response_class=HTMLResponse)
def sign_in_form(request: Request, context: MaybeSignedIn) -> Response:
    if context.signed_in is not None:
        return RedirectResponse(local_path(request.query_params.get("next")), status_code=303)
    return _sign_in_page(request, context)


@router.post("/login", response_class=HTMLResponse)
async def sign_in(request: Request, context: MaybeSignedIn, db: DatabaseDep) -> Response:
    form = await request.form()
    email = str(form.get("email") or "").strip()[:254]
    password = str(form.get("password") or "")
    request.state.posted_next = local_path(str(form.get("next") or "/"))
    t = context.t
    if not tokens_match(
        request.cookies.get(SIGN_IN_CSRF_COOKIE), str(form.get("csrf_token") or "")
    ):
        errors = FormErrors(general=[t("login.form_expired")])
        return _sign_in_page(request, context, email=email, errors=errors, status_code=403)
    errors = FormErrors()
    if not email:
        errors.by_field["email"] = t("login.email_required")
    if not password:
        errors.by_field["password"] = t("login.password_required")
    if errors:
        return _sign_in_page(request, context, email=email, errors=errors, status_code=422)
    outcome = await asyncio.to_thread(check_password, db, email, password)
    if isinstance(outcome, SignInRefused):
        messages = [t("login.refused")] if outcome.checked else []
        if outcome.retry_at is not None:
            wait = max(1, int((outcome.retry_at - utcnow()).total_seconds() + 0.999))
            messages.append(t("login.wait", seconds=t.number(wait)))
        status = 401 if outcome.checked else 429
        errors = FormErrors(general=messages)
        response = _sign_in_page(request, context, email=email, errors=errors, status_code=status)
        if outcome.retry_at is not None:
            response.headers["Retry-After"] = str(wait)
        return response
    token, _csrf = await asyncio.to_thread(start_session, db, outcome)
    response = RedirectResponse(request.state.posted_next, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token, SESSION_COOKIE_SECONDS)
    forget_cookie(request, response, SIGN_IN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def sign_out(request: Request, context: FormPost, db: DatabaseDep) -> Response:
    assert context.signed_in is not None
    await asyncio.to_thread(end_session, db, context.signed_in.session_id)
    response = RedirectResponse(f"/login?lang={quote(context.t.language)}", status_code=303)
    forget_cookie(request, response, SESSION_COOKIE)
    return response
