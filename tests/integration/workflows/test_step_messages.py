"""Steps that change what the organisation must do, with no document of their own, still tell
it: a report returned for changes, then accepted; a payment put on hold. Read back from the
outbox files."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from models import fictional
from models.db import data_dir
from models.engine import apply_action
from models.fictional.script import actor, steps
from models.provisioning import create_application
from workflows.delivery import deliver_due


def outbox(kind: str, reference: str) -> list:  # type: ignore[type-arg]
    """The messages of ``kind`` about grant ``reference`` in this test's outbox."""
    found = []
    for path in sorted(Path(data_dir(), "outbox").glob("*.eml")):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["X-Grantflow-Kind"] == kind and reference in message["Subject"]:
            found.append(message)
    return found


def test_a_returned_then_accepted_report_and_a_held_payment_are_told_to_the_organisation(
    installation, monkeypatch, tmp_path
):
    monkeypatch.setenv("GRANTFLOW_DATA_DIR", str(tmp_path / "data"))  # an outbox of its own
    db = installation
    cast = fictional.seed(db)
    organisation, application = fictional.application_for(2, cast)  # in French
    grant = create_application(db, organisation.id, application)
    officer = actor(cast.payments_officer)
    submitted: dict = {}  # type: ignore[type-arg]
    for action, who, payload, at in steps(db, cast, grant.id):  # type: ignore[arg-type]
        if action == "initiate_payment" and payload["sequence"] == 1:  # held, then resumed
            hold = {"sequence": payload["sequence"], "reason": "Vérification bancaire."}
            apply_action(db, grant.id, "hold_payment", officer, hold, now=at)  # type: ignore[arg-type]
            apply_action(db, grant.id, "resume_payment", officer, payload, now=at)  # type: ignore[arg-type]
        if action == "submit_report":
            submitted = {"who": who, "payload": payload}
        if action == "accept_report":  # returned, submitted again, then accepted
            returned = {"sequence": payload["sequence"], "reason": "Ajoutez les aiguillages."}
            apply_action(db, grant.id, "return_report", who, returned, now=at)  # type: ignore[arg-type]
            apply_action(
                db, grant.id, "submit_report", submitted["who"], submitted["payload"], now=at
            )  # type: ignore[arg-type]
            apply_action(db, grant.id, "accept_report", who, payload, now=at)  # type: ignore[arg-type]
            break
        apply_action(db, grant.id, action, who, payload, now=at)  # type: ignore[arg-type]
    deliver_due()

    contacts = {c.email for c in cast_contacts(db, organisation.id)}
    held = outbox("payment_held", grant.reference)
    returned = outbox("report_returned", grant.reference)
    assert {m["To"].addresses[0].addr_spec for m in held} == contacts
    assert len(held) == len(returned) == len(contacts)  # one each, once
    assert {m["To"].addresses[0].addr_spec for m in returned} == contacts
    for message in (*held, *returned):
        assert message["Content-Language"] == "fr"
        assert grant.reference in message["Subject"]
    assert "versement nº 1" in held[0].get_content().lower()
    assert "rapport" in returned[0].get_content() and "soumettez" in returned[0].get_content()
    accepted = outbox("report_accepted", grant.reference)
    assert {m["To"].addresses[0].addr_spec for m in accepted} == contacts
    assert len(accepted) == len(contacts)
    assert "a accepté votre rapport" in " ".join(accepted[0].get_content().split())


def cast_contacts(db, organisation_id: int):  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from models.tables import Contact

    with db.reading() as session:
        return list(session.exec(select(Contact).where(Contact.organisation_id == organisation_id)))
