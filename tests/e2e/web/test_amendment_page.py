"""An amendment on the grant page: the approver's form names the amendment, and the page lists
the amendments with their changes, reasons and states, for staff and for the organisation."""

from __future__ import annotations

import pytest

from tests.support.web_support import module_web_world, signed_in, visible_text

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def world(prefect_harness, tmp_path_factory):  # type: ignore[no-untyped-def]
    with module_web_world(tmp_path_factory.mktemp("amendment-page")) as built:
        built.grant = built.grant_at(0, stop_after="propose_amendment", variant="amended")  # type: ignore[attr-defined]
        yield built


def test_the_approver_approves_an_amendment_on_the_page_and_the_page_lists_it(world):
    grant_id = world.grant["id"]
    approver = signed_in(world.cast.approver)
    page = approver.get(f"/grants/{grant_id}")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "Amendments of the agreement" in text
    assert "Proposed, awaiting approval" in text
    assert "A second site opens in the extended term" in text
    assert f'action="/grants/{grant_id}/actions/approve_amendment"' in page.text

    answer = approver.post_form(
        f"/grants/{grant_id}",
        f"/grants/{grant_id}/actions/approve_amendment",
        {"sequence": "1", "idempotency_key": "approve-amendment-1"},
    )
    assert answer.status_code == 303, visible_text(answer.text)[:800]
    applicant = world.cast.applicants[world.grant["organisation_id"]]
    own = visible_text(signed_in(applicant).get(f"/grants/{grant_id}").text)
    assert "Amending agreement ready to sign" in own
