"""The test run turns warnings from our own code, and SQLAlchemy's SAWarning from anywhere, into failures
(pyproject.toml's filterwarnings): a lost statement cache or a deprecated call fails a test instead of printing."""

from __future__ import annotations

import warnings

import pytest
from sqlalchemy import column, select, table
from sqlalchemy.exc import SAWarning
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement


def test_a_warning_raised_in_our_code_is_an_error() -> None:
    with pytest.raises(DeprecationWarning):
        warnings.warn("old call", DeprecationWarning, stacklevel=1)


class _Uncacheable(ColumnElement[int]):
    """A custom construct that forgot `inherit_cache`: SQLAlchemy warns and compiles it on every use."""

    def __init__(self) -> None:
        self.type = column("n").type


@compiles(_Uncacheable)
def _render(element: _Uncacheable, compiler: object, **kw: object) -> str:
    return "1"


def test_an_uncacheable_statement_fails_the_test() -> None:
    statement = select(_Uncacheable()).select_from(table("t"))
    with pytest.raises(SAWarning, match="cache"):
        statement._generate_cache_key()  # what SQLAlchemy does before every execution
