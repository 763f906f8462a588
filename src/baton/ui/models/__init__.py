"""Item models filled from plain rows (``set_rows``), testable without a database."""
