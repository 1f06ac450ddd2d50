"""What selection talks to besides its tables: registration's officials over HTTP, the ballot seal."""
