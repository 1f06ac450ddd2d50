"""No rule without a reader: every rule names the code that applies it, and code reads only rules in the book.

Each rule document lists `applied_by` (module paths). A check fails when a rule names no module, when a
named module neither names the rule nor reads any of its parameters, when a parameter of a rule appears
in none of its modules, when code looks up a rule key that is not in the book or does not list that code,
and when code reads a parameter (`.param("name")`) that no rule it applies has.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from shared.policy import PolicyBook, load_policy_book

ROOT = Path(__file__).resolve().parents[2]
BOOK = load_policy_book()
CODE_DIRS = ("services", "shared", "workflows", "cli")


def _parameters(book: PolicyBook, key: str) -> set[str]:
    return {name for v in book.versions_of(key) for name in v.parameters}


@cache
def _strings(module: str) -> frozenset[str]:
    path = ROOT / module
    if not path.is_file():
        return frozenset()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str))


def _calls(module: str, name: str) -> Iterator[str]:
    """The literal first arguments of calls to `name(...)` or `x.name(...)` in a module."""
    for node in ast.walk(ast.parse((ROOT / module).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called == name and isinstance(node.args[0].value, str):
                yield node.args[0].value


@cache
def _code() -> tuple[str, ...]:
    return tuple(sorted(p.relative_to(ROOT).as_posix() for d in CODE_DIRS for p in (ROOT / d).rglob("*.py")
                        if "migrations" not in p.parts))


def rules_without_reader(book: PolicyBook) -> list[str]:
    """Rules that name no module, or name a module that does not apply them."""
    out = []
    for key in book.rule_keys:
        if not book.applied_by(key):
            out.append(f"{key}: names no module in applied_by, so it is read by nothing")
        for module in book.applied_by(key):
            if not (ROOT / module).is_file():
                out.append(f"{key}: applied_by names {module}, which does not exist")
            elif key not in _strings(module) and not _strings(module) & _parameters(book, key):
                out.append(f"{key}: {module} neither names the rule nor reads any of its parameters")
    return out


def parameters_without_reader(book: PolicyBook) -> list[str]:
    """Parameters of a rule that none of its modules mentions."""
    out = []
    for key in book.rule_keys:
        seen = set().union(*(_strings(m) for m in book.applied_by(key)))
        out += [f"{key}: parameter {p!r} is read by no module in applied_by"
                for p in sorted(_parameters(book, key) - seen)]
    return out


def lookups_outside_the_book(book: PolicyBook) -> list[str]:
    """Rule keys code looks up that are not in the book, or whose document does not list that code."""
    out = []
    for module in _code():
        for key in _calls(module, "in_force"):
            if key not in book.rule_keys:
                out.append(f"{module}: looks up {key!r}, which is not in the policy book")
            elif module not in book.applied_by(key):
                out.append(f"{module}: applies {key!r} but the rule's applied_by does not list it")
    return out


def parameters_outside_the_book(book: PolicyBook) -> list[str]:
    """Parameters code reads that no rule it applies has."""
    out = []
    for module in _code():
        mine = set().union(*(_parameters(book, k) for k in book.rule_keys if module in book.applied_by(k)))
        out += [f"{module}: reads parameter {name!r}, which no rule it applies has"
                for name in _calls(module, "param") if name not in mine]
    return out


CHECKS = (rules_without_reader, parameters_without_reader, lookups_outside_the_book, parameters_outside_the_book)


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_the_policy_book_has_a_reader_for_every_rule_and_nothing_else(check: Any) -> None:
    problems = check(BOOK)
    assert not problems, "\n".join(problems)


def _documents(**edits: Any) -> list[dict[str, Any]]:
    docs = []
    for key in BOOK.rule_keys:
        versions = [v.to_dict() for v in BOOK.versions_of(key)]
        docs.append({"rule_key": key, "versions": versions, "applied_by": list(BOOK.applied_by(key))})
    for doc in docs:
        edits.get(doc["rule_key"], lambda d: None)(doc)
    return docs


def test_a_rule_read_by_nothing_is_caught() -> None:
    def orphan(doc: dict[str, Any]) -> None:
        doc["applied_by"] = []
        for v in doc["versions"]:
            v["parameters"]["ghost"] = 1

    book = PolicyBook.from_documents(_documents(annual_training_obligation=orphan))
    assert rules_without_reader(book) == ["annual_training_obligation: names no module in applied_by, so it is "
                                          "read by nothing"]
    assert "annual_training_obligation: parameter 'ghost' is read by no module in applied_by" in (
        parameters_without_reader(book))
    assert "services/registration/service/reports.py: applies 'annual_training_obligation' but the rule's " \
           "applied_by does not list it" in lookups_outside_the_book(book)


def test_code_reading_a_parameter_the_book_lacks_is_caught() -> None:
    def drop(doc: dict[str, Any]) -> None:
        for v in doc["versions"]:
            del v["parameters"]["commitment_factor"]

    book = PolicyBook.from_documents(_documents(postgraduate_dispatch=drop))
    assert parameters_outside_the_book(book) == [
        "services/registration/domain/dispatch.py: reads parameter 'commitment_factor', which no rule it applies has"]
    assert book.in_force("postgraduate_dispatch", date(2025, 7, 1)).version_id == "postgraduate/decree-171-2025"
