"""The pages' words in English and French, one catalogue per language, the same keys in both.

English labels of states and actions come from the lifecycle declaration itself (one name per
fact); French ones are written here beside every other French word. A test holds both
catalogues to the same keys, and every state, action, rule, payload field, option and document
kind of the declarations to having an entry.
"""

from __future__ import annotations

from service.web.texts import en, fr

CATALOGUES: dict[str, dict[str, str]] = {"en": en.catalogue(), "fr": fr.catalogue()}
