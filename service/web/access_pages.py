"""``/access``: who read what, for auditors (every read) and for an organisation's own users
(the reads of its data, panel members unnamed). The API's ``GET /api/v1/access-events``,
as a page: the same scope, the same rows."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from models.access_log import ACCESS_KINDS, AccessFilters
from service.deps import DatabaseDep
from service.problems import Problem
from service.routes.access import access_page, readable_scope
from service.web.access import Page
from service.web.rendering import render

router = APIRouter(include_in_schema=False)

PER_PAGE = 50


def page_link(kind: str | None, offset: int) -> str:
    query = {"kind": kind} if kind else {}
    if offset:
        query["offset"] = str(offset)
    return "/access" + (f"?{urlencode(query)}" if query else "")


@router.get("/access", response_class=HTMLResponse)
def access_log_page(
    context: Page,
    db: DatabaseDep,
    kind: Annotated[str, Query(max_length=32)] = "",
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    assert context.signed_in is not None
    user = context.signed_in.user
    scope = readable_scope(user)
    if kind and kind not in ACCESS_KINDS:
        raise Problem(422, "unknown-kind", "Unknown kind of read", f"no kind of read {kind!r}")
    chosen = kind or None
    with db.reading() as session:
        found = access_page(session, scope, AccessFilters(kind=chosen), PER_PAGE, offset)
    newer = page_link(chosen, max(offset - PER_PAGE, 0)) if offset else None
    older = page_link(chosen, offset + PER_PAGE) if offset + PER_PAGE < found.total else None
    return render(
        context,
        "access.html.j2",
        found=found,
        everything=scope.organisation_id is None,
        kinds=ACCESS_KINDS,
        chosen=chosen,
        newer=newer,
        older=older,
    )
