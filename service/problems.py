"""Errors as RFC 9457 problem details, with a message a person can act on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from models.errors import ActionRejected

PROBLEM_TYPE = "https://grantflow.example/problems/"
MEDIA_TYPE = "application/problem+json"


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the field, or 'body'")
    message: str


class ProblemDetail(BaseModel):
    """An RFC 9457 problem detail; ``type`` ends with a stable code."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=[PROBLEM_TYPE + "not-found"])
    title: str
    status: int
    detail: str = Field(description="What went wrong and what to do about it")
    instance: str
    errors: list[FieldProblem] | None = Field(
        default=None, description="Each field that is wrong (422)"
    )
    rules: list[str] | None = Field(default=None, description="The rules that failed (409)")


PROBLEMS: dict[int, str] = {
    400: "The request body is not JSON",
    401: "No API token, or an unknown or revoked one",
    403: "Your roles do not allow this",
    404: "No such object, or one you may not see",
    409: "Not possible in the current state, or a rule of the fund prevents it",
    410: "The document was withdrawn at close under the organisation's data agreement",
    413: "The request body is too large",
    415: "The request body is not application/json",
    422: "A parameter or the body is invalid (each field named), or an Idempotency-Key was "
    "reused for a different request",
    500: "The server could not complete the request, or a stored document failed its "
    "integrity check",
}


# A route that takes a file: its 400 is a multipart body that cannot be read, not JSON.
MULTIPART_PROBLEMS = {400: "The multipart/form-data body cannot be read"}


def problem_responses(
    *statuses: int, described: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of the problems a route may answer with (``described``: what
    a status means on this route, where it differs from ``PROBLEMS``)."""
    schema = {"$ref": "#/components/schemas/ProblemDetail"}
    descriptions = {**PROBLEMS, **(described or {})}
    return {
        status: {
            "model": ProblemDetail,
            "description": descriptions[status],
            "content": {MEDIA_TYPE: {"schema": schema}},
        }
        for status in statuses
    }


BODY_PROBLEMS = (400, 403, 413, 415)


class Problem(Exception):
    """An HTTP error raised by the service layer itself (auth, limits, content types)."""

    def __init__(
        self, status: int, code: str, title: str, detail: str, headers: dict | None = None
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail
        self.headers = headers or {}


# Set by ``service.web.install``: (is this request for a page?, the page for a problem).
page_renderer: tuple[Callable[[Request], bool], Callable[[Request, int, str], Response]] | None = (
    None
)


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    request: Request,
    headers: dict | None = None,
    **extra: Any,
) -> Response:
    """The problem as RFC 9457 JSON, or, for a page, as a page in the reader's language that
    says what went wrong (the detail is the API's, in English, so a page gives its own)."""
    if page_renderer is not None and page_renderer[0](request):
        page = page_renderer[1](request, status, code)
        page.headers.update(headers or {})
        return page
    body = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


async def _rejected(request: Request, error: ActionRejected) -> Response:
    await _record_if_denied(request, error)
    return problem_response(
        error.status, error.code, error.title, error.message, request, **error.extra
    )


async def _record_if_denied(request: Request, error: ActionRejected) -> None:
    """Record a 403/404 of a signed-in caller. Only what the app itself names is kept: the
    declared action key (the action route checks it before anything else) or the route
    template, never the raw URL or body; ``models.denials`` bounds and aggregates the rest."""
    from models.errors import NotFound, NotPermitted

    user = getattr(request.state, "user", None)
    if user is None or not isinstance(error, NotFound | NotPermitted):
        return
    import asyncio

    from models.engine import record_denial
    from service.deps import actor_of
    from workflows.runtime import database

    grant_id = request.path_params.get("grant_id")
    action = request.path_params.get("action")
    template = getattr(request.scope.get("route"), "path", None)
    await asyncio.to_thread(
        record_denial,
        database(),
        int(grant_id) if str(grant_id or "").isdigit() else None,
        str(action or ""),
        actor_of(user),
        error,
        route=None if action is not None or template is None else f"{request.method} {template}",
    )


async def _problem(request: Request, error: Problem) -> Response:
    return problem_response(
        error.status, error.code, error.title, error.detail, request, headers=error.headers
    )


async def _validation(request: Request, error: RequestValidationError) -> Response:
    errors = [
        {"field": ".".join(str(p) for p in e["loc"] if p != "body") or "body", "message": e["msg"]}
        for e in error.errors()
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem_response(
        422, "invalid-request", "Invalid request", detail, request, errors=errors
    )


def allowed_methods(request: Request) -> str:
    """Every method the resource answers (RFC 9110 15.5.6), across all routes of its path."""
    from fastapi import routing

    flatten = getattr(routing, "iter_route_contexts", None)
    routes = flatten(request.app.routes) if flatten else request.app.routes
    methods: set[str] = set()
    for route in routes:
        pattern = getattr(route, "path_regex", None) or getattr(
            getattr(route, "original_route", None), "path_regex", None
        )
        if pattern is not None and pattern.match(request.url.path):
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _http(request: Request, error: StarletteHTTPException) -> Response:
    titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized"}
    headers = dict(getattr(error, "headers", None) or {})
    if error.status_code == 405:
        headers["Allow"] = allowed_methods(request) or headers.get("Allow", "")
    return problem_response(
        error.status_code,
        "http-" + str(error.status_code),
        titles.get(error.status_code, "HTTP error"),
        str(error.detail),
        request,
        headers=headers,
    )


async def _unexpected(request: Request, error: Exception) -> Response:
    return problem_response(
        500,
        "internal-error",
        "Internal error",
        "the server could not complete the request; nothing was changed twice, retry safely "
        "with the same Idempotency-Key",
        request,
    )


def _document_problems_as_problem_json(app: FastAPI) -> None:
    """FastAPI files a response ``model`` under application/json too; problems are only
    ever application/problem+json."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    if MEDIA_TYPE in content:
                        content.pop("application/json", None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    _document_problems_as_problem_json(app)
    app.add_exception_handler(ActionRejected, _rejected)  # type: ignore[arg-type]
    app.add_exception_handler(Problem, _problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
