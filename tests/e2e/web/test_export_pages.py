"""The downloads on the pages (issue 14): the officer's pipeline links the CSV lists with its
filters, in English and French; the organisation's signing authority, and only it, is linked
its organisation's export, which downloads as the API's does."""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile

import pytest

from models.visibility import applying_role
from tests.support.web_support import module_web_world, signed_in, visible_text

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("prefect_harness")]

_LIST_LINK = re.compile(r'href="(/exports/(grants|payments|reports)\.csv[^"]*)"')


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory):  # type: ignore[no-untyped-def]
    with module_web_world(tmp_path_factory.mktemp("export-pages")) as built:
        built.active = built.grant_at(0, stop_after="countersign")  # type: ignore[attr-defined]
        built.submitted = built.grant_at(1, stop_after="submit")  # type: ignore[attr-defined]
        yield built


def links_on(page: str) -> dict[str, str]:
    return {name: html.unescape(url) for url, name in _LIST_LINK.findall(page)}


def test_the_pipeline_links_the_lists_with_its_filters(world) -> None:  # type: ignore[no-untyped-def]
    officer = signed_in(world.cast.screening_officer)
    organisation = world.active["organisation_id"]
    page = officer.get(f"/?organisation={organisation}&state=active")
    assert page.status_code == 200
    links = links_on(page.text)
    assert set(links) == {"grants", "payments", "reports"}
    for name, url in links.items():
        assert url == f"/exports/{name}.csv?state=active&organisation={organisation}"
    answer = officer.get(links["grants"])
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"), newline="")))
    assert [r["reference"] for r in rows] == [world.active["reference"]]
    unfiltered = officer.get("/exports/grants.csv")
    assert len(list(csv.DictReader(io.StringIO(unfiltered.text.lstrip("\ufeff"))))) == 2
    payments = officer.get(links["payments"])
    assert payments.status_code == 200 and payments.content.startswith(b"\xef\xbb\xbf")


def test_the_links_read_in_french(world) -> None:  # type: ignore[no-untyped-def]
    officer = signed_in(world.cast.screening_officer)
    page = officer.get("/?lang=fr").text
    assert "ci-dessus)\u00a0:" in page  # a no-break space before the colon, as French sets it
    text = visible_text(page)
    assert "Télécharger en CSV (avec les filtres ci-dessus) : subventions" in text
    assert "rapports sur les résultats" in text
    officer.get("/?lang=en")


def test_an_auditor_is_linked_every_grants_lists(world) -> None:  # type: ignore[no-untyped-def]
    page = signed_in(world.cast.auditor).get("/").text
    assert set(links_on(page)) == {"grants", "payments", "reports"}
    assert "Download the lists of every grant as CSV:" in visible_text(page)


def test_the_signing_authority_is_linked_its_export_and_downloads_it(world) -> None:  # type: ignore[no-untyped-def]
    organisation = world.active["organisation_id"]
    signer = signed_in(world.applicant_of(0))
    page = signer.get("/").text
    assert f'href="/organisations/{organisation}/export"' in page
    assert "Download all of your organisation’s records" in visible_text(page)
    assert not links_on(page)
    answer = signer.get(f"/organisations/{organisation}/export")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        names = archive.namelist()
    assert names[0] == "verify.py" and names[-1] == "manifest.json"
    assert f"records/grant-{world.active['reference']}.json" in names


def test_another_user_of_the_organisation_is_not_linked_it_and_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    from models.tables import User
    from service.users import set_password
    from tests.support.web_support import PASSWORD

    colleague = world.user_with_roles(applying_role(), organisation_index=0)
    with world.db.transaction() as session:
        session.get(User, colleague.id).email = "colleague@people.example"
    set_password(world.db, "colleague@people.example", PASSWORD)
    colleague.email = "colleague@people.example"
    person = signed_in(colleague)
    organisation = world.active["organisation_id"]
    assert "/export" not in person.get("/").text
    refused = person.get(f"/organisations/{organisation}/export")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert person.get("/exports/grants.csv").status_code == 403
