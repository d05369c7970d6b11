"""The staff page of the fund's outcomes: the API's figures, suppressed, in English and French,
an accessible table, and a link from the home page of whoever may read it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from models.fictional import FUND_CODE
from tests.support.api_support import ApiWorld
from tests.support.outcome_data import PLANTED, accepted_reports_world, mentions
from tests.support.web_support import module_web_world, signed_in, visible_text

URL = f"/funds/{FUND_CODE}/outcomes"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiWorld]:
    with module_web_world(tmp_path_factory.mktemp("outcomes-web")) as built:
        accepted_reports_world(built.db, grants=3, cast=built.cast)
        yield built


def test_the_page_shows_the_suppressed_tables_in_both_languages(world: ApiWorld) -> None:
    person = signed_in(world.cast.approver)
    english = person.get(URL)
    assert english.status_code == 200
    french = person.get(f"{URL}?lang=fr")
    assert french.status_code == 200
    for page, words in (
        (english.text, "Referrals, by grant"),
        (french.text, "Aiguillages, par subvention"),
    ):
        text = visible_text(page)
        assert words in text
        assert not mentions(text, PLANTED)
        assert '<abbr title="' in page
        assert re.search(r"<caption>", page) and 'scope="col"' in page and 'scope="row"' in page


def test_one_year_is_chosen_from_the_list(world: ApiWorld) -> None:
    page = signed_in(world.cast.finance).get(f"{URL}?fiscal_year=2027").text
    assert '<option value="2027" selected>' in page
    assert "2028-29</th>" not in page


def test_a_role_that_may_not_read_it_is_refused_and_has_no_link(world: ApiWorld) -> None:
    applicant = signed_in(world.applicant_of(0))
    assert applicant.get(URL).status_code == 403
    assert URL not in applicant.get("/").text
    assert URL in signed_in(world.cast.auditor).get("/").text


def test_an_unknown_fund_is_404(world: ApiWorld) -> None:
    assert signed_in(world.cast.approver).get("/funds/NOPE/outcomes").status_code == 404
