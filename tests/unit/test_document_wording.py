"""The documents' wording: typographic apostrophes, French elision, one spelling per word and
French titles in running text.

Checked twice: on every string of the catalogues (documents, notification emails, the audit
report, the dossier's plain-text members, and for spelling the pages'), placeholders left out;
and on every kind as built from the samples, in both languages and for organisations whose
names start with a consonant, a vowel and syllabics, with what people typed masked (free text
is printed as typed). Each check is shown failing on a bad sample first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from documents import KINDS, DocumentContent, build_document
from documents.content import KeyValues, SignatureBlock, Table
from documents.context import DocumentContext, Language
from documents.formatting import running_title
from documents.messages.compose import catalogue as message_catalogue
from documents.text import audit_catalogue, catalogue
from models.fictional.cast import ORGANISATIONS
from service.web.texts import CATALOGUES as WEB_CATALOGUES
from tests.support.document_samples import SYLLABICS_ORGANISATION, organisation_info, sample_context
from tests.support.wording import (
    ENGLISH_VARIANTS,
    FRENCH_VARIANTS,
    ROOT,
    literal_text,
    masked,
    missing_elisions,
    module_strings,
    spelling_variants,
    straight_apostrophes,
    strings_of,
    typed_values,
    wrong_elisions,
)

# The French-speaking organisation of the cast: a name with a vowel, a capitalised title.
AURORE = organisation_info(ORGANISATIONS[2], "fr")
VARIANTS = {"en": ENGLISH_VARIANTS, "fr": FRENCH_VARIANTS}


def catalogue_strings() -> Iterator[tuple[Language, str, str]]:
    """(language, where, generated text) of every catalogue string the documents and emails
    print, and of the dossier's plain-text members."""
    sources = {
        "documents": (catalogue("en"), catalogue("fr")),
        "messages": (message_catalogue("en"), message_catalogue("fr")),
        "audit": (audit_catalogue(),),
    }
    for name, catalogues in sources.items():
        for cat in catalogues:
            for key, text in cat.messages.items():
                yield cat.language, f"{name} {cat.language} {key}", literal_text(text)
    for where, text in module_strings(ROOT / "documents/audit/dossier_texts.py"):
        yield "en", where, text


CATALOGUE_STRINGS = list(catalogue_strings())
FRENCH_STRINGS = [(where, text) for language, where, text in CATALOGUE_STRINGS if language == "fr"]


def samples() -> Iterator[DocumentContext]:
    for kind in KINDS:
        for language in ("en", "fr"):
            yield sample_context(kind, language)
        for organisation in (AURORE, SYLLABICS_ORGANISATION):
            yield sample_context(kind, "fr", organisation=organisation)


SAMPLES = [(ctx, build_document(ctx)) for ctx in samples()]
SAMPLE_IDS = [f"{ctx.kind}-{ctx.language}-{ctx.organisation.legal_name[:8]}" for ctx, _ in SAMPLES]


def generated(ctx: DocumentContext, content: DocumentContent, *, keep_first_word: bool) -> str:
    """Every string of ``content``, one a line, what people typed masked."""
    typed = typed_values(ctx)
    return "\n".join(masked(s, typed, keep_first_word=keep_first_word) for s in strings_of(content))


# ------------------------------------------------------------------- the checks can fail


def test_each_check_finds_what_it_looks_for():
    assert straight_apostrophes("the Fund's offer") == ["the Fund's offer"]
    assert missing_elisions("sous le nom de Aurore boréale") == ["de Aurore boréale"]
    assert missing_elisions("la annexe A") and missing_elisions("que il") == ["que il"]
    assert wrong_elisions("sous le nom d’Northern Lights") == ["d’Northern Lights"]
    assert spelling_variants("your organization", ENGLISH_VARIANTS)
    assert spelling_variants("par e-mail", FRENCH_VARIANTS)


def test_the_checks_pass_what_is_right():
    right = (
        "sous le nom d’Aurore boréale, de Northern Lights, de ᓂᑲᓇᐢ Youth Circle, de huit à "
        "dix semaines, de Hamilton, d’Harmonie, l’« Entente », aujourd’hui, le 1er avril"
    )
    assert missing_elisions(right) == wrong_elisions(right) == []
    assert straight_apostrophes("the Fund’s offer") == []


def test_masking_hides_typed_values_but_keeps_what_precedes_them():
    ctx = sample_context("decision_letter", "fr", organisation=AURORE)
    typed = typed_values(ctx)
    assert masked("sous le nom de Aurore boréale", typed, keep_first_word=True) == (
        "sous le nom de Aurore"
    )
    assert "'" not in masked(ctx.grant.project_description, typed, keep_first_word=False)


# ----------------------------------------------------------------- the catalogues' strings


def test_catalogue_strings_use_the_typographic_apostrophe():
    found = [(where, straight_apostrophes(text)) for _, where, text in CATALOGUE_STRINGS]
    assert [(where, quotes) for where, quotes in found if quotes] == []


def test_french_catalogue_strings_elide_before_a_vowel_sound():
    found = [
        (where, missing_elisions(text) + wrong_elisions(text)) for where, text in FRENCH_STRINGS
    ]
    assert [(where, phrases) for where, phrases in found if phrases] == []


def test_catalogues_write_one_spelling_per_word():
    found = [
        (where, spelling_variants(text, VARIANTS[language]))
        for language, where, text in CATALOGUE_STRINGS
    ]
    for language, web in WEB_CATALOGUES.items():
        found += [
            (f"pages {language} {key}", spelling_variants(text, VARIANTS[language]))
            for key, text in web.items()
        ]
    assert [(where, words) for where, words in found if words] == []


# ------------------------------------------------------------------ the documents as built


@pytest.mark.parametrize(("ctx", "content"), SAMPLES, ids=SAMPLE_IDS)
def test_documents_as_built_use_the_typographic_apostrophe(ctx, content):
    assert straight_apostrophes(generated(ctx, content, keep_first_word=False)) == []


@pytest.mark.parametrize(("ctx", "content"), SAMPLES, ids=SAMPLE_IDS)
def test_documents_as_built_write_one_spelling_per_word(ctx, content):
    text = generated(ctx, content, keep_first_word=False)
    assert spelling_variants(text, VARIANTS[ctx.language]) == []


@pytest.mark.parametrize(
    ("ctx", "content"),
    [(ctx, content) for ctx, content in SAMPLES if ctx.language == "fr"],
    ids=[i for (ctx, _), i in zip(SAMPLES, SAMPLE_IDS, strict=True) if ctx.language == "fr"],
)
def test_french_documents_elide_by_the_value_filled_in(ctx, content):
    text = generated(ctx, content, keep_first_word=True)
    assert missing_elisions(text) == []
    assert wrong_elisions(text) == []


@pytest.mark.parametrize(
    ("organisation", "operating_as"),
    [
        (AURORE, "Exerçant ses activités sous le nom d’Aurore boréale"),
        (SYLLABICS_ORGANISATION, "Exerçant ses activités sous le nom de ᓂᑲᓇᐢ Youth Circle"),
    ],
)
def test_the_operating_name_is_introduced_by_its_first_sound(organisation, operating_as):
    content = build_document(sample_context("decision_letter", "fr", organisation=organisation))
    assert operating_as in content.addressee


def test_an_organisation_named_with_a_vowel_is_elided_wherever_de_precedes_it():
    aurore = dataclasses.replace(AURORE, legal_name="Aurore boréale, cercle de guérison")
    content = build_document(sample_context("approval_memo", "fr", organisation=aurore))
    text = "\n".join(strings_of(content))
    assert "Approbation du financement d’Aurore boréale, cercle de guérison" in text
    assert "de Aurore" not in text


# ------------------------------------------------------------ French titles in running text


def leaf_blocks(blocks: tuple[object, ...]) -> Iterator[object]:
    """Every block, those grouped inside another (kept together on a page) included."""
    for block in blocks:
        inner = getattr(block, "blocks", None)
        if isinstance(inner, tuple):
            yield from leaf_blocks(inner)
        else:
            yield block


def running_and_tabled(content: DocumentContent) -> tuple[list[str], list[str]]:
    """The strings of running text (address, paragraphs, clauses, notices) and those of
    signature blocks and tables, where a title stays as typed."""
    blocks = list(leaf_blocks(content.blocks))
    tabled = [
        text
        for block in blocks
        if isinstance(block, SignatureBlock | Table | KeyValues)
        for text in strings_of(block)
    ]
    running = [
        text
        for block in blocks
        if not isinstance(block, SignatureBlock | Table | KeyValues)
        for text in strings_of(block)
    ]
    return [*content.addressee, *running], tabled


@pytest.mark.parametrize("kind", [k for k in KINDS if KINDS[k].audience == "applicant"])
def test_french_running_text_writes_a_title_in_lower_case(kind):
    contact = AURORE.contacts[0]
    assert running_title(contact.title, "fr") != contact.title  # "Directrice générale"
    content = build_document(sample_context(kind, "fr", organisation=AURORE))
    running, _ = running_and_tabled(content)
    assert not [line for line in running if f"{contact.name}, {contact.title}" in line]
    if content.addressee:
        attention = f"{contact.name}, {running_title(contact.title, 'fr')}"
        assert any(line.endswith(attention) for line in content.addressee)


def test_signature_blocks_and_the_contacts_table_keep_a_title_as_typed():
    contact = AURORE.contacts[0]
    content = build_document(sample_context("grant_agreement", "fr", organisation=AURORE))
    _, tabled = running_and_tabled(content)
    assert any(contact.title in text for text in tabled)
    signatures = [b for b in leaf_blocks(content.blocks) if isinstance(b, SignatureBlock)]
    assert contact.title in [block.title for block in signatures]


def test_english_keeps_a_title_as_typed():
    contact = AURORE.contacts[0]
    content = build_document(sample_context("decision_letter", "en", organisation=AURORE))
    assert any(line.endswith(f"{contact.name}, {contact.title}") for line in content.addressee)
