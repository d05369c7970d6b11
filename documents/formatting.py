"""Pure formatting helpers: money, counts, dates and fiscal years in English and French.

Amounts are integer cents. Instants are stored in UTC and shown in America/Toronto; a naive
datetime is taken to be UTC. French output follows Canadian usage: no-break space (U+00A0)
as the thousands separator and before ``$``, ``%`` and ``:``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from documents.context import Language

TORONTO = ZoneInfo("America/Toronto")
NBSP = "\u00a0"
NNBSP = "\u202f"

_MONTHS = {
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
    "fr": (
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ),
}  # fmt: skip


def _check_language(language: str) -> None:
    if language not in ("en", "fr"):
        raise ValueError(f"unsupported language: {language!r}")


def _check_amount(value: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, got {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{what} must not be negative, got {value}")


def _group(value: int, language: Language) -> str:
    grouped = f"{value:,}"
    return grouped.replace(",", NBSP) if language == "fr" else grouped


def format_money(cents: int, language: Language) -> str:
    """Integer cents as dollars: ``$1,234,567.89`` (en) or ``1 234 567,89 $`` (fr)."""
    _check_language(language)
    _check_amount(cents, "cents")
    dollars, rest = divmod(cents, 100)
    if language == "fr":
        return f"{_group(dollars, language)},{rest:02d}{NBSP}$"
    return f"${_group(dollars, language)}.{rest:02d}"


def format_count(value: int, language: Language) -> str:
    """A whole count with the language's thousands separator."""
    _check_language(language)
    _check_amount(value, "count")
    return _group(value, language)


def format_decimal(value: float, language: Language, places: int = 2) -> str:
    """A decimal number with a point (en) or a comma (fr)."""
    _check_language(language)
    text = f"{value:,.{places}f}"
    if language == "fr":
        return text.replace(",", NBSP).replace(".", ",")
    return text


def format_bps(bps: int, language: Language) -> str:
    """Basis points as a percentage: 2000 -> ``20%`` (en) or ``20 %`` (fr); 1250 -> 12.5."""
    _check_language(language)
    _check_amount(bps, "basis points")
    whole, rest = divmod(bps, 100)
    number = str(whole) if rest == 0 else f"{bps / 100:.2f}".rstrip("0")
    if language == "fr":
        return f"{number.replace('.', ',')}{NBSP}%"
    return f"{number}%"


def to_toronto(value: datetime) -> datetime:
    """The same instant in America/Toronto; naive values are taken to be UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TORONTO)


def local_date(value: date | datetime) -> date:
    """The calendar date in Toronto of an instant, or a plain date unchanged."""
    if isinstance(value, datetime):
        return to_toronto(value).date()
    return value


def format_date(value: date | datetime, language: Language) -> str:
    """``April 1, 2027`` (en) or ``1er avril 2027`` / ``15 avril 2027`` (fr)."""
    _check_language(language)
    day = local_date(value)
    month = _MONTHS[language][day.month - 1]
    if language == "fr":
        ordinal = "1er" if day.day == 1 else str(day.day)
        return f"{ordinal} {month} {day.year}"
    return f"{month} {day.day}, {day.year}"


def format_datetime(value: datetime, language: Language) -> str:
    """Date and time in Toronto: ``April 1, 2027, 2:05 p.m. Eastern Time`` or ``… à 14 h 05``."""
    local = to_toronto(value)
    day = format_date(local, language)
    if language == "fr":
        return f"{day} à {local.hour}{NBSP}h{NBSP}{local.minute:02d} (heure de l’Est)"
    hour = local.hour % 12 or 12
    meridiem = "a.m." if local.hour < 12 else "p.m."
    return f"{day}, {hour}:{local.minute:02d}{NBSP}{meridiem} Eastern Time"


def fiscal_year_label(year: int, language: Language) -> str:
    """Ontario's fiscal year starting in April of ``year``: ``2026-27`` (en), ``2026-2027`` (fr)."""
    _check_language(language)
    if language == "fr":
        return f"{year}-{year + 1}"
    return f"{year}-{(year + 1) % 100:02d}"


def fiscal_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of the fiscal year that starts on April 1 of ``year``."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def format_period(start: date, end: date, language: Language) -> str:
    """A date range: ``April 1, 2026 to March 31, 2027`` / ``du 1er avril 2026 au …``."""
    if language == "fr":
        return f"du {format_date(start, language)} au {format_date(end, language)}"
    return f"{format_date(start, language)} to {format_date(end, language)}"


def nfc(text: str) -> str:
    """Unicode NFC, nothing stripped or replaced (syllabics pass through untouched)."""
    return unicodedata.normalize("NFC", text)


_FR_BEFORE = re.compile(r" ([:;!?»%])")
_FR_AFTER = re.compile(r"« ")


def french_typography(text: str) -> str:
    """Swap the plain spaces French punctuation needs for no-break ones.

    U+00A0 before ``:``, ``»`` and ``%`` and after ``«``; narrow U+202F before ``;``, ``!``
    and ``?`` (Office québécois de la langue française usage).
    """

    def before(match: re.Match[str]) -> str:
        mark = match.group(1)
        return (NNBSP if mark in ";!?" else NBSP) + mark

    return _FR_AFTER.sub("«" + NBSP, _FR_BEFORE.sub(before, text))


# French elision: these words drop their last vowel for an apostrophe before a vowel sound.
ELIDING_WORDS = ("de", "que", "le", "la", "je", "ne", "se", "jusque", "lorsque", "puisque")
_VOWELS = frozenset("aeiouàâäéèêëîïôöùûüæœ")
# Words (and the names made of them) whose h is mute, by their start: "l’heure", "d’Harmonie".
# Any other h keeps the full word before it: an aspirated h ("de huit", "la hauteur") and names
# of English origin, whose h is sounded ("de Hamilton", "de Healing Waters").
H_MUET_STARTS = (
    "habil", "habit", "harmoni", "hébergement", "hectare", "herbe", "hérit", "heure",
    "heureu", "hippo", "hirondelle", "histoire", "histori", "hiver", "homm", "honnête",
    "honneur", "honor", "hôpita", "horaire", "horizon", "hospita", "hôte", "huile", "huître",
    "humain", "humanit", "humble", "humeur", "humid", "humili", "humour", "hygiène", "hypoth",
    "hélène",
)  # fmt: skip
APOSTROPHE = "\u2019"


def elides_before(text: str) -> bool:
    """Whether a French eliding word drops its vowel before ``text``: a Latin vowel, a ``y``
    sounded as a vowel (``y``, ``Yves``; not ``Yukon``), or a mute ``h`` (``H_MUET_STARTS``).
    Digits, syllabics and every other script never elide."""
    word = text.lstrip("«“\u00a0 ").casefold()
    if not word:
        return False
    first = word[0]
    if first in _VOWELS:
        return True
    if first == "y":  # the pronoun "y" and "Yves" are vowel sounds, "Yukon" is not
        return len(word) == 1 or not word[1].isalpha() or word[1] not in _VOWELS
    return first == "h" and word.startswith(H_MUET_STARTS)


def elide(word: str, following: str) -> str:
    """``word`` then ``following``, elided when French asks for it: ``elide("de", "Aurore
    boréale")`` is ``d’Aurore boréale``, ``elide("de", "Northern Lights")`` is ``de Northern
    Lights``. The word keeps its case (``De`` -> ``D’``)."""
    if word.casefold() not in ELIDING_WORDS or not elides_before(following):
        return f"{word} {following}"
    return f"{word[:-1]}{APOSTROPHE}{following}"


def de_name(name: str) -> str:
    """``de`` before a name, elided by the name's first sound: ``d’Aurore``, ``de Cedar``."""
    return elide("de", name)


_ELIDING_END = re.compile(r"(?<![\w’'])(" + "|".join(ELIDING_WORDS) + r") $", re.IGNORECASE)


def elided_before_value(literal: str, value: str) -> str:
    """The text written before a filled-in ``value``, its last word elided when that word is
    one of ``ELIDING_WORDS`` and ``value`` begins with a vowel sound: ``"sous le nom de "``
    before ``"Aurore boréale"`` becomes ``"sous le nom d’"``."""
    match = _ELIDING_END.search(literal)
    if match is None or not elides_before(value):
        return literal
    word = match.group(1)
    return f"{literal[: match.start()]}{word[:-1]}{APOSTROPHE}"


def running_title(title: str, language: Language) -> str:
    """A person's title as written in running text. French writes a title in lower case there
    (``Élise Sauvageau, directrice générale``); only its first letter changes, and only when
    its first word is an ordinary capitalised word (``PDG`` or ``ᐅᒋᒪᐤ`` stay as typed).
    English keeps the title as typed. A signature block or a contacts table shows the title
    as typed, not through this."""
    if language != "fr" or not title:
        return title
    first_word = title.split(maxsplit=1)[0].rstrip(",;:")
    ordinary = (
        first_word[:1].isupper()
        and first_word[:1].lower() != first_word[:1]
        and (len(first_word) == 1 or first_word[1:] == first_word[1:].lower())
    )
    return title[0].lower() + title[1:] if ordinary else title
