"""Errors a document builder raises when its snapshot cannot make a truthful document."""


class DocumentDataError(ValueError):
    """The context lacks a fact the document needs, or holds one of the wrong type."""
