"""The notification emails: every kind in both languages, facts filled in, nothing leaked to
staff, plain text that reads well in a mail client."""

from __future__ import annotations

import dataclasses
import re
import string
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from documents.formatting import NBSP, NNBSP
from documents.messages import (
    MESSAGE_KINDS,
    ComposedMessage,
    MessageFacts,
    compose,
    compose_digest,
    en,
    fr,
)
from documents.messages.compose import catalogue

ROOT = Path(__file__).resolve().parents[3]
LANGUAGES = ("en", "fr")
STAFF = [kind for kind, who in MESSAGE_KINDS.items() if who == "staff"]
ORGANISATION = [kind for kind, who in MESSAGE_KINDS.items() if who == "organisation"]
ALL = [(kind, language) for kind in MESSAGE_KINDS for language in LANGUAGES]
PROJECT = "Walking Together: Land-Based Healing for Survivors"
TITLES = ("Offer of Funding", "Transfer Payment Agreement")
LINK = "https://grants.example.org/grants/ILIF-2027-0001"
FACTS = MessageFacts(
    reference="ILIF-2027-0001",
    link=LINK,
    project_title=PROJECT,
    document_titles=TITLES,
    report_sequence=2,
    report_kind="annual",
    instalment_sequence=3,
    deadline=date(2027, 6, 1),
    days=5,
)
UNFILLED = re.compile(r"\{[a-z_]*\}")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def text_of(message: ComposedMessage) -> str:
    return f"{message.subject}\n{message.body}"


def squash(text: str) -> str:
    return " ".join(text.replace(NBSP, " ").replace(NNBSP, " ").split())


def test_the_kinds_and_their_audiences():
    assert ORGANISATION == [
        "documents_ready",
        "report_reminder",
        "report_overdue",
        "offer_expiring",
        "offer_lapsed",
        "cure_period_ending",
        "application_closed_incomplete",
        "report_returned",
        "report_accepted",
        "payment_held",
        "amendment_declined",
        "amendment_withdrawn",
    ]
    assert STAFF == [
        "application_to_screen",
        "panel_ready",
        "approval_pending",
        "payment_to_initiate",
        "payment_to_release",
        "report_to_review",
        "amendment_to_approve",
        "amendment_to_countersign",
    ]


def test_both_languages_have_exactly_the_same_keys_and_placeholders():
    assert set(en.MESSAGES) == set(fr.MESSAGES)
    mismatched = [
        k for k in en.MESSAGES if placeholders(en.MESSAGES[k]) != placeholders(fr.MESSAGES[k])
    ]
    assert mismatched == []


def test_every_kind_has_its_subject_and_every_staff_kind_its_digest_line():
    for kind in MESSAGE_KINDS:
        assert f"{kind}.subject" in en.MESSAGES
    for kind in STAFF:
        assert f"{kind}.line" in en.MESSAGES
        assert f"{kind}.body" in en.MESSAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_french_punctuation_and_typographic_quotes(language):
    for key, text in catalogue(language).messages.items():
        assert "'" not in text and '"' not in text, key
        if language == "fr":
            assert not re.search(r" [:;!?»]", text), key
            assert "« " not in text, key


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_every_kind_composes_with_every_placeholder_filled(kind, language):
    message = compose(kind, language, FACTS, "Wren Maplestone")
    assert not UNFILLED.search(message.subject), message.subject
    assert not UNFILLED.search(message.body), message.body
    assert "None" not in text_of(message)
    assert FACTS.reference in message.subject
    assert LINK in message.body
    assert "Wren Maplestone" in message.body.splitlines()[0]


def minimal(kind: str) -> MessageFacts:
    """Only the facts ``kind`` needs: the reference, the link and what compose asks for."""
    needs = {
        "documents_ready": {"document_titles": TITLES},
        "report_reminder": {"report_sequence": 1, "deadline": date(2027, 6, 29)},
        "report_overdue": {"report_sequence": 1, "deadline": date(2027, 6, 29)},
        "payment_to_initiate": {"instalment_sequence": 2, "deadline": date(2026, 10, 1)},
        "payment_to_release": {"instalment_sequence": 2},
        "report_to_review": {"report_sequence": 1},
        "report_returned": {"report_sequence": 1},
        "report_accepted": {"report_sequence": 1},
        "payment_held": {"instalment_sequence": 2},
    }
    fields = needs.get(kind, {"deadline": date(2026, 4, 9)} if kind in ORGANISATION else {})
    return MessageFacts(reference="ILIF-2027-0001", link=LINK, **fields)


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_every_kind_composes_from_only_the_facts_it_needs(kind, language):
    message = compose(kind, language, minimal(kind))
    assert not UNFILLED.search(text_of(message))
    assert "None" not in text_of(message)
    assert "()" not in message.body and "“”" not in message.body
    first = message.body.splitlines()[0]
    assert first == ("Hello," if language == "en" else "Bonjour,")


@pytest.mark.parametrize(("kind", "language"), [(k, lang) for k in STAFF for lang in LANGUAGES])
def test_staff_messages_never_name_the_project_or_the_documents(kind, language):
    secret = dataclasses.replace(
        FACTS, project_title="Secret Project Kestrel", document_titles=("Hidden Title Osprey",)
    )
    text = text_of(compose(kind, language, secret, "Sam"))
    assert "Kestrel" not in text and "Osprey" not in text
    digest = text_of(compose_digest(language, [(kind, secret)]))
    assert "Kestrel" not in digest and "Osprey" not in digest


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_subjects_are_one_line_and_bodies_wrap_at_78(kind, language):
    messy = dataclasses.replace(FACTS, project_title="Two\nlines", reference="ILIF-2027-0001")
    message = compose(kind, language, messy, "Wren\nMaplestone")
    assert "\n" not in message.subject and "\r" not in message.subject
    long = [line for line in message.body.splitlines() if len(line) > 78 and LINK not in line]
    assert long == []


@pytest.mark.parametrize(("kind", "language"), ALL)
def test_every_message_ends_with_the_footer_of_its_audience(kind, language):
    body = compose(kind, language, FACTS).body
    footer = squash(body.split("\n-- \n", 1)[1])
    assert footer == squash(catalogue(language)(f"footer.{MESSAGE_KINDS[kind]}"))
    if MESSAGE_KINDS[kind] == "staff":
        assert ("ask your administrator" in footer) == (language == "en")
        assert "account page" not in footer


@pytest.mark.parametrize("language", LANGUAGES)
def test_documents_ready_lists_every_title(language):
    body = compose("documents_ready", language, FACTS).body
    assert "  - Offer of Funding" in body and "  - Transfer Payment Agreement" in body
    assert PROJECT in squash(body)


@pytest.mark.parametrize(
    ("days", "en_says", "fr_says"),
    [
        (
            5,
            "is due on June 1, 2027, in 5 days.",
            "doit être remis le 1er juin 2027, soit dans 5 jours.",
        ),
        (1, "is due tomorrow, June 1, 2027.", "doit être remis demain, le 1er juin 2027."),
        (0, "is due today, June 1, 2027.", "doit être remis aujourd’hui, le 1er juin 2027."),
        (None, "is due on June 1, 2027.", "doit être remis le 1er juin 2027."),
    ],
)
def test_report_reminder_says_when_in_each_language(days, en_says, fr_says):
    facts = dataclasses.replace(FACTS, days=days)
    assert en_says in squash(compose("report_reminder", "en", facts).body)
    assert fr_says in squash(compose("report_reminder", "fr", facts).body)


def test_report_overdue_holds_payments_until_the_report_is_accepted():
    english = squash(compose("report_overdue", "en", FACTS).body)
    assert "was June 1, 2027; the report is now 5 days overdue." in english
    assert "resume once the report has been submitted and accepted" in english
    assert "received" not in english
    french = squash(compose("report_overdue", "fr", FACTS).body)
    assert "en retard de 5 jours" in french
    assert "soumis et accepté" in french
    one = compose("report_overdue", "en", dataclasses.replace(FACTS, days=1)).body
    assert "1 day overdue" in squash(one)


def test_report_names_follow_the_report_kind():
    final = dataclasses.replace(FACTS, report_kind="final")
    assert "your final report (report 2)" in squash(compose("report_reminder", "en", final).body)
    plain = dataclasses.replace(FACTS, report_kind=None)
    assert "votre rapport nº 2" in squash(compose("report_reminder", "fr", plain).body)


@pytest.mark.parametrize(
    ("kind", "en_says", "fr_says"),
    [
        (
            "offer_expiring",
            "by June 1, 2027. There are 5 days left.",
            "le 1er juin 2027. Il reste 5 jours.",
        ),
        (
            "offer_lapsed",
            "was not signed by June 1, 2027",
            "n’a pas été signée au plus tard le 1er juin 2027",
        ),
        ("cure_period_ending", "resubmitted, by June 1, 2027.", "au plus tard le 1er juin 2027."),
        (
            "application_closed_incomplete",
            "the application has been closed",
            "la demande a donc été fermée",
        ),
        (
            "payment_to_initiate",
            "Instalment 3 of grant ILIF-2027-0001 is due on June 1, 2027",
            "prévu le 1er juin 2027",
        ),
        (
            "payment_to_release",
            "someone other than the person who initiated it",
            "une autre personne que celle qui l’a amorcé",
        ),
        (
            "report_to_review",
            "Report 2 of grant ILIF-2027-0001 has been submitted",
            "Le rapport nº 2",
        ),
        (
            "panel_ready",
            "record the panel’s recommendation",
            "consigner la recommandation du comité",
        ),
    ],
)
def test_each_kind_states_its_facts(kind, en_says, fr_says):
    assert en_says in squash(compose(kind, "en", FACTS).body)
    assert fr_says in squash(compose(kind, "fr", FACTS).body)


def test_days_left_today_and_one():
    today = squash(compose("offer_expiring", "en", dataclasses.replace(FACTS, days=0)).body)
    assert "Today is the last day." in today
    one = squash(compose("cure_period_ending", "fr", dataclasses.replace(FACTS, days=1)).body)
    assert "Il reste un jour." in one


@pytest.mark.parametrize("language", LANGUAGES)
def test_digest_lists_every_entry_with_its_link_and_counts_them(language):
    entries = [
        (
            "application_to_screen",
            dataclasses.replace(FACTS, reference="ILIF-2027-0001", link=LINK),
        ),
        (
            "payment_to_release",
            dataclasses.replace(FACTS, reference="ILIF-2027-0002", link=LINK + "2"),
        ),
        (
            "report_to_review",
            dataclasses.replace(FACTS, reference="ILIF-2027-0003", link=LINK + "3"),
        ),
    ]
    digest = compose_digest(language, entries, "Sam Ashgrove")
    assert squash(digest.subject) == (
        "grantflow: 3 items wait for you"
        if language == "en"
        else "grantflow : 3 éléments vous attendent"
    )
    lines = digest.body.splitlines()
    for kind, facts in entries:
        wanted = squash(
            catalogue(language)(
                f"{kind}.line",
                reference=facts.reference,
                instalment=facts.instalment_sequence,
                sequence=facts.report_sequence,
                deadline="",
            )
        )
        assert any(squash(line).startswith(f"- {wanted}") for line in lines), wanted
        assert f"  {facts.link}" in lines
    assert not UNFILLED.search(digest.body)
    assert digest.body.split("\n-- \n", 1)[1].strip()


def test_a_digest_of_one_says_item_not_items():
    assert (
        compose_digest("en", [("approval_pending", FACTS)]).subject
        == "grantflow: 1 item waits for you"
    )


def test_a_digest_refuses_organisation_kinds_and_nothing():
    with pytest.raises(ValueError, match="staff kinds only"):
        compose_digest("en", [("report_overdue", FACTS)])
    with pytest.raises(ValueError, match="at least one"):
        compose_digest("en", [])


def test_unknown_kinds_and_languages_are_refused_by_name():
    with pytest.raises(ValueError, match="known: documents_ready, .*report_to_review"):
        compose("payment_reminder", "en", FACTS)
    with pytest.raises(ValueError, match="known: en, fr"):
        compose("panel_ready", "de", FACTS)
    with pytest.raises(ValueError, match="known: en, fr"):
        compose_digest("es", [("panel_ready", FACTS)])


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        ("documents_ready", "document_titles"),
        ("report_reminder", "deadline"),
        ("report_overdue", "report_sequence"),
        ("offer_lapsed", "deadline"),
        ("payment_to_initiate", "instalment_sequence"),
        ("report_to_review", "report_sequence"),
        ("panel_ready", "link"),
    ],
)
def test_a_missing_fact_is_named(kind, missing):
    empty = () if missing == "document_titles" else ("" if missing == "link" else None)
    facts = dataclasses.replace(FACTS, **{missing: empty})
    with pytest.raises(ValueError, match=f"facts.{missing}"):
        compose(kind, "en", facts)


def test_impossible_days_are_refused():
    with pytest.raises(ValueError, match="days"):
        compose("report_overdue", "en", dataclasses.replace(FACTS, days=0))
    with pytest.raises(ValueError, match="days"):
        compose("report_reminder", "en", dataclasses.replace(FACTS, days=-1))


def test_messages_import_no_orchestration_or_web_framework():
    script = (
        "import sys, documents.messages; "
        "loaded = {m.split('.')[0] for m in sys.modules}; "
        "print(sorted(loaded & {'prefect', 'fastapi', 'starlette'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"
