"""Registration's routers, one module per use case."""
