"""The Fund's signatory is a setting, and the person who signs: ``grantflow fund
signing-authority`` names the user who countersigns (their name from their account, their
title as given), ``grantflow fund notices`` where notices go; only that user countersigns, and
the offer and the executed agreement both name them with their title. Real Prefect, a real
database and the stored PDF and DOCX read back.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from models import fictional
from models.errors import ActionRejected
from models.fictional.script import actor, steps
from models.provisioning import create_application, create_user
from models.tables import AuditEvent, Fund, Grant
from service.cli import app
from tests.support.reading import docx_text, pdf_text, squash
from workflows.actions import run_action_inline

pytestmark = pytest.mark.usefixtures("prefect_harness")

ACTING = "Devon Ashgrove"  # fictional
TITLE = "Acting Director, Indigenous-Led Initiatives"
TITLE_FR = "Directeur par intérim, Initiatives dirigées par des Autochtones"
NOTICES = "notices@demonstration-fund.example"
ADDRESS = "12 Example Lane\nToronto ON M0M 0M1"


def cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["fund", *args])


def stored_text(db, grant_id: int, kind: str) -> str:  # type: ignore[no-untyped-def]
    from tests.integration.workflows.test_full_lifecycle import stored

    texts = []
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        _row, data = stored(db, grant_id, kind, fmt)
        texts.append(squash(read(data)))
    return "\n".join(texts)


def test_the_fund_s_signing_authority_signs_and_both_agreements_name_them(installation):
    db = installation
    cast = fictional.seed(db)
    acting = create_user(db, name=ACTING, roles=["approver"], email="devon@fund.example")

    finance = cli("signing-authority", "--email", cast.finance.email, "--title", TITLE)
    assert finance.exit_code == 2 and "may countersign" in finance.output
    unknown = cli(
        "signing-authority", "--fund", "NOPE", "--email", "devon@fund.example", "--title", TITLE
    )
    assert unknown.exit_code == 2 and "no fund has the code NOPE" in unknown.output
    named = cli(
        "signing-authority",
        "--email",
        "Devon@Fund.example",
        "--title",
        TITLE,
        "--title-fr",
        TITLE_FR,
    )
    assert named.exit_code == 0, named.output
    bad_notices = cli("notices", "--address", "x", "--email", "not-an-address")
    assert bad_notices.exit_code == 2
    notices = cli("notices", "--address", ADDRESS.replace("\n", "\\n"), "--email", NOTICES)
    assert notices.exit_code == 0, notices.output
    with db.reading() as session:
        fund = session.exec(select(Fund)).one()
        assert (fund.signer_name, fund.signer_email, fund.signer_title) == (
            ACTING,
            "devon@fund.example",
            TITLE,
        )
        assert (fund.notice_address, fund.notice_email) == (ADDRESS, NOTICES)
        changes = session.exec(
            select(AuditEvent).where(AuditEvent.subject == "fund").order_by(AuditEvent.id)
        ).all()
    assert [e.action for e in changes][-2:] == ["set_fund_signing_authority", "set_fund_notices"]
    assert changes[-2].payload_summary == {"user_id": acting.id}

    organisation, application = fictional.application_for(0, cast)
    grant = create_application(db, organisation.id, application)
    for action, who, payload, at in steps(db, cast, grant.id):
        if action == "countersign":
            with pytest.raises(ActionRejected) as refused:
                asyncio.run(
                    run_action_inline(grant.id, grant.reference, action, who, payload, now=at)
                )
            assert refused.value.rule == "countersigner_is_fund_signing_authority"
            who = actor(acting)
        asyncio.run(run_action_inline(grant.id, grant.reference, action, who, payload, now=at))
        if action == "countersign":
            break
    with db.reading() as session:
        signed = session.get(Grant, grant.id)
        assert signed.state == "active" and signed.countersigned_by_id == acting.id
        assert (signed.countersigner_title, signed.countersigner_title_fr) == (TITLE, TITLE_FR)
    offer = stored_text(db, grant.id, "grant_agreement")
    executed = stored_text(db, grant.id, "executed_agreement")
    for text in (offer, executed):
        assert squash(ACTING) in text and squash(TITLE) in text
        assert squash(NOTICES) in text and squash("12 Example Lane") in text
    assert squash(cast.approver.name) not in executed
