"""Security tests (issue #16): each repeats an attack and asserts that it is refused."""
