"""What the portal talks to besides its tables: the directory of people, Temporal (the decision's Update)."""
