"""Every string a DocumentContent holds, with where it sits: what checks on printed text walk.

A path names the field as the content spells it (``blocks[3].rows[0][1]``,
``labels.page_of``), so an error can say which part of a document holds a character.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from documents.content import DocumentContent


def content_strings(content: DocumentContent) -> Iterator[tuple[str, str]]:
    """(path, text) for every string of ``content``, in field order."""
    yield from _strings(content, "")


def _strings(value: object, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            child = f"{path}.{field.name}" if path else field.name
            yield from _strings(getattr(value, field.name), child)
