"""What grantflow hands out in open formats: CSV text safe for spreadsheets, and the
organisation's export (a ZIP of JSON, CSV and documents with a SHA-256 manifest and a
standalone verifier)."""
