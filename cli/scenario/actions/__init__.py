"""The scenario steps, one module per area."""
