"""Times are stored as UTC and come back as the same instant, whatever time zone the database
session is in (the PostgreSQL tests' sessions run in America/St_Johns, as a server configured
with its local time zone would: see ``tests.support.postgres``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models.clock import as_utc, utcnow
from models.engine import apply_action
from models.errors import GuardFailed
from models.fictional.cast import FUND
from models.provisioning import create_fund
from models.tables import AuditEvent, Fund
from tests.support.models_support import World, grant, new_grant

FUND_CODE = "DEADLINE"


@pytest.fixture(scope="module")
def deadline(world: World):
    """A call closing at a precise instant, 40 days from now."""
    moment = (utcnow() + timedelta(days=40)).replace(hour=21, minute=59, second=59, microsecond=0)
    create_fund(
        world.db,
        code=FUND_CODE,
        name_en="Fund with a precise deadline (fictional)",
        name_fr="Fonds à échéance précise (fictif)",
        call_deadline=moment,
        signer_name=FUND.signer_name,
        signer_title=FUND.signer_title,
        signer_email=FUND.signer_email,
        notice_address=FUND.notice_address,
        notice_email=FUND.notice_email,
        allocations={},
    )
    return moment


def test_a_stored_deadline_comes_back_as_the_same_instant(world, deadline):
    with world.db.reading() as session:
        fund = session.exec(select(Fund).where(Fund.code == FUND_CODE)).one()
    assert as_utc(fund.call_deadline) == deadline


@pytest.mark.parametrize("minutes", [-1, 1], ids=["a-minute-before", "a-minute-after"])
def test_the_call_deadline_holds_to_the_minute(world, deadline, minutes):
    grant_id = new_grant(world, fund_code=FUND_CODE)
    applicant = world.applicant_of(grant_id)
    moment = deadline + timedelta(minutes=minutes)
    if minutes > 0:
        with pytest.raises(GuardFailed) as refused:
            apply_action(world.db, grant_id, "submit", applicant, {}, now=moment)
        assert refused.value.rule == "before_call_deadline"
        return
    result = apply_action(world.db, grant_id, "submit", applicant, {}, now=moment)
    assert result.to_state == "submitted"
    assert as_utc(grant(world.db, grant_id).submitted_at) == moment
    with world.db.reading() as session:
        event = session.get(AuditEvent, result.event_id)
    assert as_utc(event.occurred_at) == moment
