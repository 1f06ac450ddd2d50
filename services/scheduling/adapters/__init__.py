"""What scheduling talks to besides its tables: the policy book, the annual report's charts and renderings."""
