"""Selection's routers, one module per use case."""
