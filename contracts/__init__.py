"""What services and workflows exchange without importing each other: the stable error types (errors.py)."""
