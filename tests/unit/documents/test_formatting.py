from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from documents.formatting import (
    NBSP,
    NNBSP,
    de_name,
    elide,
    elided_before_value,
    fiscal_year_bounds,
    fiscal_year_label,
    format_bps,
    format_count,
    format_date,
    format_datetime,
    format_decimal,
    format_money,
    format_period,
    french_typography,
    local_date,
    nfc,
    running_title,
)


@pytest.mark.parametrize(
    ("cents", "en", "fr"),
    [
        (0, "$0.00", f"0,00{NBSP}$"),
        (5, "$0.05", f"0,05{NBSP}$"),
        (100, "$1.00", f"1,00{NBSP}$"),
        (99_999, "$999.99", f"999,99{NBSP}$"),
        (100_000, "$1,000.00", f"1{NBSP}000,00{NBSP}$"),
        (123_456_789, "$1,234,567.89", f"1{NBSP}234{NBSP}567,89{NBSP}$"),
        (
            10**17 + 1,
            "$1,000,000,000,000,000.01",
            f"1{NBSP}000{NBSP}000{NBSP}000{NBSP}000{NBSP}000,01{NBSP}$",
        ),
    ],
)
def test_money_is_formatted_the_canadian_way_in_each_language(cents, en, fr):
    assert format_money(cents, "en") == en
    assert format_money(cents, "fr") == fr


def test_negative_money_is_refused():
    with pytest.raises(ValueError):
        format_money(-1, "en")
    with pytest.raises(ValueError):
        format_money(-100, "fr")


@pytest.mark.parametrize("value", [1.5, "100", True, None])
def test_money_takes_integer_cents_only(value):
    with pytest.raises(TypeError):
        format_money(value, "en")  # type: ignore[arg-type]


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        format_money(1, "de")  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**15))
def test_money_digits_read_back_as_the_same_cents(cents):
    en, fr = format_money(cents, "en"), format_money(cents, "fr")
    assert int("".join(ch for ch in en if ch.isdigit())) == cents
    assert int("".join(ch for ch in fr if ch.isdigit())) == cents
    assert " " not in fr and fr.endswith(f"{NBSP}$")
    assert en.startswith("$") and en[-3] == "."


def test_counts_and_decimals_use_each_language_separator():
    assert format_count(1_288, "en") == "1,288"
    assert format_count(1_288, "fr") == f"1{NBSP}288"
    assert format_count(0, "fr") == "0"
    assert format_decimal(4.666, "en") == "4.67"
    assert format_decimal(4.666, "fr") == "4,67"
    assert format_decimal(1234.5, "fr", places=1) == f"1{NBSP}234,5"


@pytest.mark.parametrize(
    ("bps", "en", "fr"),
    [(2_000, "20%", f"20{NBSP}%"), (1_250, "12.5%", f"12,5{NBSP}%"), (5, "0.05%", f"0,05{NBSP}%")],
)
def test_basis_points_read_as_percentages(bps, en, fr):
    assert format_bps(bps, "en") == en
    assert format_bps(bps, "fr") == fr


@pytest.mark.parametrize(
    ("day", "en", "fr"),
    [
        (date(2027, 4, 1), "April 1, 2027", "1er avril 2027"),
        (date(2027, 4, 15), "April 15, 2027", "15 avril 2027"),
        (date(2028, 2, 29), "February 29, 2028", "29 février 2028"),
        (date(2026, 8, 1), "August 1, 2026", "1er août 2026"),
        (date(2026, 12, 31), "December 31, 2026", "31 décembre 2026"),
    ],
)
def test_dates_are_written_out_in_each_language(day, en, fr):
    assert format_date(day, "en") == en
    assert format_date(day, "fr") == fr


def test_instants_show_the_toronto_calendar_date():
    late_evening_in_toronto = datetime(2027, 4, 1, 3, 30, tzinfo=UTC)
    assert format_date(late_evening_in_toronto, "en") == "March 31, 2027"
    assert format_date(late_evening_in_toronto, "fr") == "31 mars 2027"
    summer = datetime(2027, 7, 1, 3, 59, tzinfo=UTC)  # EDT is UTC-4
    assert local_date(summer) == date(2027, 6, 30)
    assert local_date(datetime(2027, 7, 1, 4, 0, tzinfo=UTC)) == date(2027, 7, 1)


def test_a_naive_instant_is_taken_to_be_utc():
    assert format_date(datetime(2027, 4, 1, 3, 30), "en") == "March 31, 2027"


def test_date_and_time_are_shown_in_eastern_time():
    moment = datetime(2026, 1, 15, 19, 30, tzinfo=UTC)
    assert format_datetime(moment, "en") == f"January 15, 2026, 2:30{NBSP}p.m. Eastern Time"
    assert format_datetime(moment, "fr") == (
        f"15 janvier 2026 à 14{NBSP}h{NBSP}30 (heure de l’Est)"
    )
    midnight = datetime(2026, 7, 1, 4, 5, tzinfo=UTC)
    assert format_datetime(midnight, "en") == f"July 1, 2026, 12:05{NBSP}a.m. Eastern Time"


@pytest.mark.parametrize(
    ("year", "en", "fr"),
    [
        (2026, "2026-27", "2026-2027"),
        (2009, "2009-10", "2009-2010"),
        (2099, "2099-00", "2099-2100"),
    ],
)
def test_fiscal_year_labels(year, en, fr):
    assert fiscal_year_label(year, "en") == en
    assert fiscal_year_label(year, "fr") == fr


def test_fiscal_year_runs_april_to_march():
    assert fiscal_year_bounds(2026) == (date(2026, 4, 1), date(2027, 3, 31))
    start, end = fiscal_year_bounds(2026)
    assert format_period(start, end, "en") == "April 1, 2026 to March 31, 2027"
    assert format_period(start, end, "fr") == "du 1er avril 2026 au 31 mars 2027"


def test_french_typography_uses_no_break_spaces():
    assert french_typography("Objet : x") == f"Objet{NBSP}: x"
    assert french_typography("« Fonds »") == f"«{NBSP}Fonds{NBSP}»"
    assert french_typography("Quoi ? Oui ! a ; b") == f"Quoi{NNBSP}? Oui{NNBSP}! a{NNBSP}; b"
    assert french_typography("10 %") == f"10{NBSP}%"
    assert french_typography("https://example.org/a?b") == "https://example.org/a?b"


def test_nfc_composes_without_stripping_anything():
    assert nfc("Cafe\u0301") == "Café"
    syllabics = " ᐀ᐊᓂᔑᓈᐯᒧᐎᓐ ᐨ "
    assert nfc(syllabics) == syllabics


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Aurore boréale", "d’Aurore boréale"),  # a vowel
        ("Élise", "d’Élise"),  # an accented vowel
        ("Harmonie des Premières Nations", "d’Harmonie des Premières Nations"),  # mute h
        ("Hamilton Healing Centre", "de Hamilton Healing Centre"),  # a sounded h
        ("Northern Lights Lodge", "de Northern Lights Lodge"),  # a consonant
        ("ᓂᑲᓇᐢ Youth Circle", "de ᓂᑲᓇᐢ Youth Circle"),  # syllabics never elide
        ("Yves", "d’Yves"),
        ("Yukon", "de Yukon"),
        ("2026", "de 2026"),
        ("", "de "),
    ],
)
def test_de_before_a_name_elides_by_the_name_s_first_sound(name, expected):
    assert de_name(name) == expected


@pytest.mark.parametrize(
    ("word", "following", "expected"),
    [
        ("que", "il", "qu’il"),
        ("Le", "Ontario", "L’Ontario"),
        ("la", "annexe", "l’annexe"),
        ("jusque", "à", "jusqu’à"),
        ("lorsque", "elle", "lorsqu’elle"),
        ("la", "hauteur", "la hauteur"),  # an aspirated h
        ("le", "huit", "le huit"),
        ("par", "Aurore", "par Aurore"),  # not an eliding word
    ],
)
def test_elide_takes_every_eliding_word(word, following, expected):
    assert elide(word, following) == expected


def test_the_text_before_a_value_is_elided_only_at_its_end():
    assert elided_before_value("sous le nom de ", "Aurore") == "sous le nom d’"
    assert elided_before_value("sous le nom de ", "Cercle") == "sous le nom de "
    assert elided_before_value("Bonjour ", "Aurore") == "Bonjour "
    assert elided_before_value("la demande de ", "ᓂᑲᓇᐢ") == "la demande de "
    assert elided_before_value("aide ", "Aurore") == "aide "  # "de" inside a word


@pytest.mark.parametrize(
    ("title", "french"),
    [
        ("Directrice générale", "directrice générale"),
        ("Agent de programme", "agent de programme"),
        (
            "Directrice, Initiatives dirigées par des Autochtones",
            "directrice, Initiatives dirigées par des Autochtones",
        ),
        ("PDG", "PDG"),  # an abbreviation stays
        ("McLeod Lead", "McLeod Lead"),  # not an ordinary word
        ("ᐅᒋᒪᐤ", "ᐅᒋᒪᐤ"),
        ("directrice", "directrice"),
        ("", ""),
    ],
)
def test_a_title_in_french_running_text_starts_in_lower_case(title, french):
    assert running_title(title, "fr") == french
    assert running_title(title, "en") == title
