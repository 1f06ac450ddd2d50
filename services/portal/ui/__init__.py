"""The web UI's words, typed task views and form checks, shared by the UI's routers and templates."""
