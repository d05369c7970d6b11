"""Web pages at scale: a real `grantflow serve` against a bare FastAPI, SQLModel and Jinja2 app.

    .venv/bin/python benchmarks/web_pages.py [--grants 10000] [--clients 20] [--requests 10]
                                             [--rounds 2]

Builds the installation ``api_reads.py`` builds (its ``build``: the fictional cast, a dozen
template grants at points of their lifecycle, copied in bulk by SQL to ``--grants`` on a fresh
PostgreSQL schema) and gives the screening officer a password. Then starts, on loopback, a real
``grantflow serve`` and a bare app (``bare_app`` below: FastAPI, SQLModel and Jinja2, one
uvicorn process, the same log level, no authentication) whose two endpoints run the same page
queries on the same tables and render them as a plain HTML table:

  web list   GET /               the officer's home: the pipeline's counts by state and its
                                 first 200 grants with their organisations
                                 floor: the same counts and rows, as a table
  web grant  GET /grants/{id}    the grant's page       floor: the grant row, its organisation
                                                        and its audit events, as a table

``--clients`` concurrent httpx clients, each with its own connection, sign in as the
screening officer through the real login form (the form's CSRF token and cookie, the session
cookie) once before anything is timed, then send ``--requests`` requests per page and round,
the bare app and serve alternating by round so the machine's load falls on both alike; grant
ids drawn at random, the same ids for both. Every answer must be 200 and the real page (the
list holds the first grant's reference, a grant's page its own), so an error page or the login
form is never what is measured. Prints p50 and p95 per page and side, the p95 ratio to the
floor, each page's size, and the peer's list p95 over grantflow's (the target: >= 5x, i.e.
grantflow's list p95 <= 2.0 s against the peer's lower bound). A report, never a test.

The peer (``PEER_LIST_P95_SECONDS``), as stated in the issue: Hypha 6.7 (Django, PostgreSQL,
one gunicorn worker), measured on this machine: "its HTML list of 60 submissions under 20
clients p95 10-12 s". Its figure is for its list; the grant page has none to compare with.

Where the time goes (pyinstrument, and timers in one process with no other client): the list
takes 20-28 ms a page, 8 statements on 3 connections (the session, the pipeline's counts and
200 rows, the organisations for names and filter, the funds), a quarter to a third of it
rendering (400 amounts formatted by Babel, 200 rows escaped); the grant page 18-23 ms, about 27
statements on 9 connections, as it asks the API's functions one by one (the grant, its
actions' readiness, documents, instalments and reports, history and its access-log write, the
people choices, the current values, each checking visibility again), 5% rendering. No query
per row, nothing small and local to change; under 20 clients one process's GIL queues them.

Serve is measured once it owes no document (``api_reads.installation_under_load``;
``--catching-up`` as there). Measured 2026-12-04 on a quiet 2-core machine (load 2-4 from the
runs themselves), 400 requests per page and side, two runs each of the code before and after
reading sessions autocommitted on PostgreSQL (two round trips fewer each; the grant page makes
about ten), alternating:

  page       code    serve p50   serve p95   bare p50  bare p95  p95 ratio
  web list   before  724, 666ms  950, 984ms  228-231ms 334-348ms 2.73x, 2.94x
             after   683, 687ms  927, 917ms  229-244ms 351-360ms 2.58x, 2.61x
  web grant  before  615, 564ms  791, 731ms   69-81ms  129-144ms 5.48x, 5.68x
             after   538, 545ms  689, 670ms   76-77ms  133-148ms 4.66x, 5.04x

  peer's list p95 (10-12 s) over grantflow's: 10.2-13.1x, the target (>= 5x) met.

The same day, with serve catching up on 834 grants' owed documents as before (one run, the
code before): list p95 905-966 ms (2.32-2.51x), grant page 829-920 ms (5.37-5.45x); settled,
that code's first run gave 906 ms (2.45x) and 814 ms (6.86x): the bare app, in a process of
its own, is the side the quiet machine helps most. The grant page still asks the API's
functions one by one, about 27 statements in ten reading sessions, each on its own thread.

Measured again 2026-12-05 on another quiet 2-core machine, two alternating runs each of 7bb350a
and of the code after that day's reading changes (the grant page now awaits the API's reads,
each one trip to the thread pool): web list p50 595, 782 -> 588, 747 ms, p95 871, 1163 -> 806,
1042 ms (2.87x, 2.26x -> 2.39x, 2.47x); web grant p50 373, 564 -> 408, 510 ms, p95 524, 745 ->
655, 743 ms (4.32x, 4.28x -> 5.63x, 4.73x): within the runs' spread, no change. The peer's list
p95 over grantflow's: 8.6-14.9x across the four runs, the target (>= 5x) met.

Measured 2026-12-01 (serve catching up) on the 2-core machine shared with a full test run
(pytest -n 2 and its Prefect servers; uptime load 4.0-6.0 before, 6.9-11.6 with this run),
10,008 grants, 20 clients, 400 requests per page and side, three runs:

  page       serve p50  serve p95  bare p50  bare p95  p95 ratio  serve size  bare size
  web list   624-684ms  913-1061ms 234-286ms 453-567ms 1.61-2.05x    68,060 B   37,666 B
  web grant  466-534ms  780-810ms    58-80ms 197-241ms 3.24-4.08x   ~5,000 B    ~4,150 B

  peer's list p95 (10-12 s) over grantflow's: 9.4-13.1x, the target (>= 5x, <= 2.0 s) met.
"""

from __future__ import annotations

import asyncio
import html
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.api_reads import build, installation_under_load, load_arguments, percentile  # noqa: E402 - after the path

# The peer's HTML list of 60 submissions under 20 clients, p95 (Hypha 6.7, Django, PostgreSQL,
# one gunicorn worker, measured on this machine; the figure stated in the issue).
PEER_LIST_P95_SECONDS = (10.0, 12.0)
TARGET_FACTOR = 5  # grantflow's list p95 at least this many times faster than the peer's
PASSWORD = "a long fictional passphrase for the benchmark"
LISTED = 200  # as service/web/home.py's LISTED
SEALED = {"sealed_deliberation_notes"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


# --------------------------------------------------------------------------- the bare floor

_LIST = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Pipeline</title>
</head><body><h1>Pipeline</h1><ul>{% for state, count in counts %}<li>{{ state }}: {{ count }}
</li>{% endfor %}</ul><table><thead><tr><th>Reference</th><th>Project</th><th>Organisation</th>
<th>State</th><th>Requested</th><th>Approved</th></tr></thead><tbody>
{% for grant, organisation in rows %}<tr><td><a href="/grants/{{ grant.id }}">{{ grant.reference
}}</a></td><td>{{ grant.project_title }}</td><td>{{ organisation }}</td><td>{{ grant.state }}</td>
<td>{{ grant.requested_cents }}</td><td>{{ grant.approved_cents }}</td></tr>
{% endfor %}</tbody></table></body></html>"""

_GRANT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ grant.reference }} · {{ grant.project_title }}</title></head><body>
<h1>{{ grant.project_title }}</h1><p>{{ grant.reference }} · {{ organisation.legal_name }}</p>
<table><tbody>{% for name, value in fields %}<tr><th>{{ name }}</th><td>{{ value }}</td></tr>
{% endfor %}</tbody></table><table><thead><tr><th>When</th><th>Who</th><th>Action</th>
<th>From</th><th>To</th></tr></thead><tbody>{% for event in events %}<tr>
<td>{{ event.occurred_at }}</td><td>{{ event.actor_name }}</td><td>{{ event.action }}</td>
<td>{{ event.from_state }}</td>
<td>{{ event.to_state }}</td></tr>{% endfor %}</tbody></table></body></html>"""


def bare_app(url: str):  # type: ignore[no-untyped-def]
    """FastAPI, SQLModel and Jinja2, nothing else: the pages' queries, rendered as tables."""
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse
    from jinja2 import Environment
    from sqlmodel import Session, create_engine, func, select

    from models.tables import AuditEvent, Grant, Organisation

    engine = create_engine(url)
    jinja = Environment(autoescape=True)
    listing, page = jinja.from_string(_LIST), jinja.from_string(_GRANT)
    app = FastAPI()

    @app.get("/", response_class=HTMLResponse)
    def pipeline() -> str:
        with Session(engine) as session:
            counts = session.exec(
                select(Grant.state, func.count()).group_by(Grant.state).order_by(Grant.state)
            ).all()
            rows = session.exec(
                select(Grant, Organisation.legal_name)
                .join(Organisation, Organisation.id == Grant.organisation_id)
                .order_by(Grant.id)
                .limit(LISTED)
            ).all()
            return listing.render(counts=counts, rows=rows)

    @app.get("/grants/{grant_id}", response_class=HTMLResponse)
    def grant(grant_id: int) -> str:
        with Session(engine) as session:
            row = session.exec(select(Grant).where(Grant.id == grant_id)).one()
            organisation = session.get(Organisation, row.organisation_id)
            events = session.exec(
                select(AuditEvent)
                .where(AuditEvent.grant_id == grant_id, AuditEvent.outcome == "applied")
                .order_by(AuditEvent.id)
            ).all()
            # every column but the panel's sealed notes, which no officer's page shows
            fields = [(name, value) for name, value in row if name not in SEALED]
            return page.render(grant=row, fields=fields, organisation=organisation, events=events)

    return app


def run_bare(url: str, port: int) -> None:
    import uvicorn

    uvicorn.run(bare_app(url), host="127.0.0.1", port=port, log_level="info")


# --------------------------------------------------------------------------- the installation


def prepare(url: str, grants: int) -> dict:
    """``api_reads.build``'s installation, the officer's password, each grant's reference."""
    from models.db import Database
    from models.fictional.cast import SCREENING_OFFICER
    from service.users import set_password

    state = build(url, grants)
    db = Database(url)
    set_password(db, SCREENING_OFFICER.email, PASSWORD)  # type: ignore[arg-type]
    with db.engine.connect() as connection:
        rows = connection.exec_driver_sql('SELECT id, reference FROM "grant"').all()
    state["references"] = {grant_id: reference for grant_id, reference in rows}
    db.dispose()
    state["email"] = SCREENING_OFFICER.email
    return state


# --------------------------------------------------------------------------- the load


async def _sign_in(client: httpx.AsyncClient, email: str) -> None:
    """Through the login form, as a browser: its CSRF token and cookie, then the session."""
    form = await client.get("/login", timeout=120)
    found = _CSRF.search(form.text)
    if form.status_code != 200 or found is None:
        raise SystemExit(f"/login: {form.status_code} {form.text[:300]}")
    data = {"csrf_token": html.unescape(found.group(1)), "email": email, "password": PASSWORD}
    answer = await client.post("/login", data=data, timeout=120)
    if answer.status_code != 303 or "grantflow_session" not in client.cookies:
        raise SystemExit(f"POST /login: {answer.status_code} {answer.text[:300]}")


def _check(path: str, answer: httpx.Response, marker: str) -> None:
    if answer.status_code != 200 or marker not in answer.text:
        raise SystemExit(f"{path}: {answer.status_code}, {marker!r} not found: {answer.text[:300]}")


async def _load(
    clients: list[httpx.AsyncClient], paths: list[list[tuple[str, str]]], sizes: list[int]
) -> list[float]:
    """Each client gets its paths one after another; every answer's seconds."""
    samples: list[float] = []

    async def one_client(client: httpx.AsyncClient, own: list[tuple[str, str]]) -> None:
        for path, marker in own:
            started = time.perf_counter()
            answer = await client.get(path, timeout=300)
            samples.append(time.perf_counter() - started)
            _check(path, answer, marker)
            sizes.append(len(answer.content))

    await asyncio.gather(*(one_client(c, own) for c, own in zip(clients, paths, strict=True)))
    return samples


async def _measure(
    serve_url: str, bare_url: str, state: dict, clients: int, requests: int, rounds: int
) -> dict[str, dict[str, list]]:  # type: ignore[type-arg]
    import httpx

    chosen = random.Random(16)
    references = state["references"]
    first = references[min(references)]
    sides = {"serve": serve_url, "bare": bare_url}
    opened = {
        side: [
            httpx.AsyncClient(base_url=base, limits=httpx.Limits(max_connections=1))
            for _ in range(clients)
        ]
        for side, base in sides.items()
    }
    try:
        await asyncio.gather(*(_sign_in(c, state["email"]) for c in opened["serve"]))
        pages = {
            "web list": lambda _id: ("/", f">{html.escape(first)}</a>"),
            "web grant": lambda i: (f"/grants/{i}", f"{html.escape(references[i])} · "),
        }
        figures: dict[str, dict[str, list]] = {}  # type: ignore[type-arg]
        for name, path_of in pages.items():
            figures[name] = {"serve": [], "bare": [], "serve size": [], "bare size": []}
            ids = [
                [chosen.choice(state["grant_ids"]) for _ in range(requests)] for _ in range(clients)
            ]
            paths = [[path_of(i) for i in own] for own in ids]
            for side in sides:  # one unmeasured pass each: code paths and caches warm
                await _load(opened[side], [own[:1] for own in paths], [])
            for number in range(rounds):
                order = ["bare", "serve"] if number % 2 == 0 else ["serve", "bare"]
                for side in order:
                    figures[name][side] += await _load(
                        opened[side], paths, figures[name][f"{side} size"]
                    )
        return figures
    finally:
        for side in opened.values():
            for client in side:
                await client.aclose()


def report(figures: dict[str, dict[str, list]], load: str) -> None:  # type: ignore[type-arg]
    low, high = PEER_LIST_P95_SECONDS
    print(
        f"{'page':<10}{'serve p50':>11}{'serve p95':>11}{'bare p50':>10}{'bare p95':>10}"
        f"{'p95 ratio':>11}{'serve size':>12}{'bare size':>11}{'n':>6}"
    )
    for name, sides in figures.items():
        serve, bare = sides["serve"], sides["bare"]
        print(
            f"{name:<10}{statistics.median(serve) * 1000:>9.0f}ms"
            f"{percentile(serve, 0.95) * 1000:>9.0f}ms"
            f"{statistics.median(bare) * 1000:>8.0f}ms{percentile(bare, 0.95) * 1000:>8.0f}ms"
            f"{percentile(serve, 0.95) / percentile(bare, 0.95):>10.2f}x"
            f"{statistics.median(sides['serve size']):>10.0f} B"
            f"{statistics.median(sides['bare size']):>9.0f} B{len(serve):>6}"
        )
    p95 = percentile(figures["web list"]["serve"], 0.95)
    print(
        f"peer (Hypha 6.7) list p95 {low:.0f}-{high:.0f} s / grantflow's {p95:.2f} s: "
        f"{low / p95:.1f}-{high / p95:.1f}x (target >= {TARGET_FACTOR}x, i.e. <= "
        f"{low / TARGET_FACTOR:.1f} s: {'met' if low / p95 >= TARGET_FACTOR else 'missed'})"
    )
    print(f"load: {load}")


def _load_average() -> str:
    with open("/proc/loadavg") as averages:
        return " ".join(averages.read().split()[:3])


def main() -> None:
    arguments = load_arguments(__doc__.splitlines()[0], "page").parse_args()
    if arguments.bare_port:
        run_bare(arguments.bare_url, arguments.bare_port)
        return
    with installation_under_load(
        "web-pages-", prepare, arguments.grants, __file__, arguments.catching_up
    ) as (
        state,
        serve_url,
        bare_url,
    ):
        before = _load_average()
        figures = asyncio.run(
            _measure(
                serve_url, bare_url, state, arguments.clients, arguments.requests, arguments.rounds
            )
        )
        after = _load_average()
    report(figures, f"1/5/15-minute load average {before} before, {after} after")


if __name__ == "__main__":
    main()
