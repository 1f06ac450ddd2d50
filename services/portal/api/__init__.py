"""The portal's routers: the inbox API and the web UI."""
