"""Headers every answer of the service carries (pure ASGI, so file downloads still stream).

- ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``, ``Referrer-Policy:
  no-referrer`` on everything;
- a ``Content-Security-Policy`` on everything that did not set its own: HTML may load only the
  installation's own resources, anything else (JSON, files) may load nothing; no page may be
  framed (``frame-ancestors 'none'``);
- ``Cache-Control: no-store`` on everything but the documentation's static assets: answers
  carry personal data (grants, documents, dossiers) that no shared or browser cache may keep.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTML_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"
CACHEABLE_PREFIX = "/static/"

ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith(CACHEABLE_PREFIX)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers[name] = value
                if "content-security-policy" not in headers:
                    html = headers.get("content-type", "").startswith("text/html")
                    headers["Content-Security-Policy"] = HTML_POLICY if html else OTHER_POLICY
                if not cacheable:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
