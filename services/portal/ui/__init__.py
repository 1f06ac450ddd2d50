"""The web UI's words and typed task views, shared by the UI's routers and templates."""
