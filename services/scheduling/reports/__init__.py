"""The annual training report (owned by the scenario/report work): rows, charts, renderers, route."""
