"""What registration talks to besides its tables: scheduling over HTTP, import and export files, the policy book."""
