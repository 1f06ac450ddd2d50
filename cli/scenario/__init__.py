"""Scenario files: schema, loader, runner and actions (`cadre scenario run`, `cadre demo`)."""
