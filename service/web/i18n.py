"""The pages' two languages: which one a request gets, its words, and its number formats.

English and French, as the French Language Services Act expects of a public fund. A page is
in one language only: every word on it comes from ``service.web.texts`` (a test holds the two
catalogues to the same keys and finds no English on a French page). Names people typed
(organisations, projects, communities) are shown as typed. Money and dates are formatted by
Babel for en_CA and fr_CA; times are shown in America/Toronto, where the fund works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.numbers import NumberFormatError, format_currency, format_decimal, parse_decimal
from fastapi import Request

from models.clock import as_utc
from service.web.texts import CATALOGUES

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")
LOCALES = {"en": "en_CA", "fr": "fr_CA"}
LANGUAGE_COOKIE = "grantflow_lang"
FUND_TIME_ZONE = ZoneInfo("America/Toronto")


def as_language(value: str | None) -> Language | None:
    return value if value in LANGUAGES else None  # type: ignore[return-value]


def requested_language(request: Request) -> Language | None:
    """The language ``?lang=`` asks for, if it names one of ours."""
    return as_language(request.query_params.get("lang"))


def negotiated_language(request: Request, chosen: str | None = None) -> Language:
    """``?lang=``, else the user's chosen language, else the language cookie (before signing
    in), else the browser's Accept-Language, else English."""
    for candidate in (
        requested_language(request),
        as_language(chosen),
        as_language(request.cookies.get(LANGUAGE_COOKIE)),
    ):
        if candidate:
            return candidate
    for part in request.headers.get("accept-language", "").split(","):
        primary = as_language(part.split(";")[0].strip().lower()[:2])
        if primary:
            return primary
    return "en"


@dataclass(frozen=True)
class Words:
    """One language's words and formats, handed to every template as ``t``."""

    language: Language

    @property
    def locale(self) -> str:
        return LOCALES[self.language]

    @property
    def other(self) -> Language:
        return "fr" if self.language == "en" else "en"

    def __call__(self, key: str, **values: object) -> str:
        text = CATALOGUES[self.language][key]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in CATALOGUES[self.language]

    def money(self, cents: int | None) -> str:
        if cents is None:
            return "—"
        return format_currency(Decimal(cents) / 100, "CAD", locale=self.locale)

    def amount(self, cents: int | None) -> str:
        """Cents as the number a person types back into a money field (no currency sign)."""
        if cents is None:
            return ""
        return format_decimal(Decimal(cents) / 100, format="#,##0.00", locale=self.locale)

    def day(self, value: date | None) -> str:
        return "—" if value is None else format_date(value, format="long", locale=self.locale)

    def moment(self, value: datetime | None) -> str:
        if value is None:
            return "—"
        local = as_utc(value).astimezone(FUND_TIME_ZONE)  # stored in UTC, shown in Toronto
        day = format_date(local.date(), format="medium", locale=self.locale)
        return f"{day}, {format_time(local.time(), format='short', locale=self.locale)}"

    def number(self, value: int | float) -> str:
        return format_decimal(value, locale=self.locale)

    def duration(self, seconds: float | None) -> str:
        if seconds is None:
            return "—"
        return self("unit.seconds", value=format_decimal(round(seconds, 1), locale=self.locale))


def parse_money(text: str, language: Language) -> int:
    """Dollars as typed in ``language`` ("12,500.00", "12 500,00 $") to cents.

    Raises ValueError with a key of the catalogue when it is not an amount of money.
    """
    cleaned = text.replace("$", "").replace("CAD", "").strip()
    for space in ("\u00a0", "\u202f", " "):
        cleaned = cleaned.replace(space, "" if language == "fr" else space)
    if not cleaned:
        raise ValueError("error.money_required")
    try:
        amount = parse_decimal(cleaned, locale=LOCALES[language], strict=True)
    except (NumberFormatError, InvalidOperation):
        raise ValueError("error.money_format") from None
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError("error.money_cents")
    return int(cents)
