"""Registration's use cases, one module each; each runs in a unit of work it is handed."""
