"""Rendering a page: the Jinja environment, the language and the signed-in person around it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from models.access_log import access_log_scope
from service.web.i18n import Words, negotiated_language
from service.web.session import SignedIn

TEMPLATES = Path(__file__).parent / "templates"
ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,  # a missing value is a bug, not an empty string on the page
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class PageContext:
    request: Request
    t: Words
    signed_in: SignedIn | None

    @property
    def csrf_token(self) -> str:
        return self.signed_in.csrf_token if self.signed_in else ""


def page_context(request: Request, signed_in: SignedIn | None) -> PageContext:
    chosen = signed_in.user.language if signed_in else None
    if signed_in and chosen is None:
        chosen = getattr(request.state, "organisation_language", None)
    return PageContext(request, Words(negotiated_language(request, chosen)), signed_in)


def switch_url(request: Request, language: str, page_path: str | None = None) -> str:
    """This page's address in ``language`` (its other query parameters kept); a page answering
    a form post switches at the page's own address, not the form's."""
    query = {k: v for k, v in request.query_params.multi_items() if k != "lang"}
    query["lang"] = language
    return f"{page_path or request.url.path}?{urlencode(query)}"


def render(
    context: PageContext,
    template: str,
    status_code: int = 200,
    page_path: str | None = None,
    **values: Any,
) -> HTMLResponse:
    user = context.signed_in.user if context.signed_in else None
    page = ENVIRONMENT.get_template(template).render(
        t=context.t,
        user=user,
        reads_access_log=user is not None and access_log_scope(user) is not None,
        csrf_token=context.csrf_token,
        switch_url=switch_url(context.request, context.t.other, page_path),
        path=page_path or context.request.url.path,
        **values,
    )
    return HTMLResponse(page, status_code=status_code)
