"""Exports: the officers' CSV lists (``lists``) and an organisation's own records as a ZIP
(``organisation``)."""
