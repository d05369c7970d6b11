"""Every kind of read, channel and role the access log can show has its words on the page, in
English and French (the page looks each one up by its key)."""

from __future__ import annotations

import pytest

from service.web.texts import CATALOGUES
from service.web.texts.access_words import KEYS_WANTED


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_kind_channel_and_role_of_the_access_log_has_words(language):
    assert KEYS_WANTED
    assert [key for key in KEYS_WANTED if key not in CATALOGUES[language]] == []
