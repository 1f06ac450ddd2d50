"""What services and workflows exchange without importing each other, typed and free of I/O: the stable
error types (errors.py) and the typed view of each task kind (tasks.py)."""
