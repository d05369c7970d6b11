"""One builder module per document kind; each exposes build, AUDIENCE, TEMPLATE_VERSION."""
