"""Request bodies are small, JSON for the API and form posts for the pages: 415 for anything
else, 413 past the limit. The few routes that take a file (a signed PDF to verify, a PKCS#12
file to sign with: ``UPLOAD_PATHS``) take multipart/form-data, up to ``MAX_UPLOAD_BYTES``."""

from __future__ import annotations

import re

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.problems import MEDIA_TYPE, PROBLEM_TYPE

MAX_BODY_BYTES = 64 * 1024
WRITE_METHODS = {"POST", "PUT", "PATCH"}
FORM_MEDIA = b"application/x-www-form-urlencoded"
API_PREFIX = "/api/"
MULTIPART_MEDIA = b"multipart/form-data"
MAX_UPLOAD_BYTES = 16 * 1024 * 1024
# The routes and pages that take an uploaded file (service/routes/signatures.py and
# service/web/signature_pages.py).
UPLOAD_PATHS = re.compile(
    r"^(/api/v1/documents/verification"
    r"|/api/v1/documents/[0-9]+/organisation-signature"
    r"|/grants/[0-9]+/documents/[0-9]+/organisation-signature)$"
)


def _problem(status: int, code: str, title: str, detail: str, path: str) -> JSONResponse:
    body = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": path,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


class RequestLimits:
    def __init__(self, app: ASGIApp, max_body_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        path = scope["path"]
        media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        upload = media == MULTIPART_MEDIA and UPLOAD_PATHS.match(path) is not None
        limit = MAX_UPLOAD_BYTES if upload else self.max_body_bytes
        length = headers.get(b"content-length", b"").decode() or None
        has_body = (length not in (None, "0")) or b"transfer-encoding" in headers
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._too_large(path, limit)(scope, receive, send)
            return
        json_body = media == b"application/json" or media.endswith(b"+json")
        # The pages post plain HTML forms; the API takes JSON only.
        form_body = media == FORM_MEDIA and not path.startswith(API_PREFIX)
        if has_body and not (json_body or form_body or upload):
            detail = f"send the request body as application/json, not {media.decode() or 'none'}"
            response = _problem(
                415, "unsupported-media-type", "Unsupported media type", detail, path
            )
            await response(scope, receive, send)
            return
        # Read the whole (small) body first: an error raised while the app streams it would
        # surface as a generic 400, and the caller deserves to know the limit.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > limit:
                await self._too_large(path, limit)(scope, receive, send)
                return
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self, path: str, limit: int) -> JSONResponse:
        return _problem(
            413,
            "body-too-large",
            "Request body too large",
            f"request bodies are limited to {limit // 1024} KiB",
            path,
        )
