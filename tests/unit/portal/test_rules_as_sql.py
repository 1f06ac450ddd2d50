"""The inbox's SQL is built from shared.authz.TASK_RULES: every rule has its readings, and the exclusion index the
portal writes is the one the inbox reads (test_one_place.py checks that the readings decide as authorize_task)."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import sqlite

from services.portal.service import inbox as queries
from shared.auth import Principal
from shared.authz import TASK_ACTIONS, TASK_RELATIONS, TASK_RULES, TaskFacts, TaskRule, authorize_task
from shared.errors import Problem

ME = Principal(user_id="cb.o'brien", roles=frozenset({"unit_officer"}), units=frozenset({"DONGXOAI"}),
               unit="DONGXOAI")


def test_every_rule_reads_a_fact_through_a_known_relation() -> None:
    facts = set(TaskFacts.__dataclass_fields__)
    for rule in TASK_RULES:
        assert rule.fact in facts, rule
        assert rule.relation in TASK_RELATIONS, rule


def test_every_rule_has_a_reading_over_the_task_row_and_over_the_inbox_index() -> None:
    for rule in TASK_RULES:
        assert rule.relation in queries._ROW_SQL, rule
        if rule.relation in queries._CALLER_KEY:  # a "not among" rule: read from the exclusion index
            assert rule.fact in queries.EXCLUSION_KEYS, rule
        else:
            assert rule.relation in queries._INDEX_SQL and rule.fact in queries._INDEX_COLUMNS, rule


def test_the_caller_is_looked_up_under_the_keys_a_task_excluding_them_is_filed_under() -> None:
    filed = queries.exclusion_keys(users=[ME.user_id, "someone.else"], units=[ME.unit or "", "BINHLONG"])
    assert queries.caller_exclusion_keys(ME) == [f"user:{ME.user_id}", f"unit:{ME.unit}"]
    assert set(queries.caller_exclusion_keys(ME)) <= set(filed)
    no_unit = Principal(user_id="btc.a", roles=frozenset({"organization_board"}), units=frozenset({"*"}))
    assert queries.caller_exclusion_keys(no_unit) == ["user:btc.a"]


def test_both_readings_compile_with_the_callers_values_escaped() -> None:
    excluded = queries.excluding(ME)
    for clause in (queries.decidable_row(ME),
                   *(queries.decidable_index(ME, part=p, excluded=excluded) for p in queries.unit_parts(ME))):
        sql = str(clause.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        assert "'cb.o''brien'" in sql and "unit_officer" in sql


def test_a_caller_without_roles_decides_nothing_in_either_reading() -> None:
    nobody = Principal(user_id="x", roles=frozenset(), units=frozenset({"DONGXOAI"}))
    for clause in (queries.decidable_row(nobody),
                   queries.decidable_index(nobody, part="mine", excluded=queries.excluding(nobody))):
        sql = str(clause.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
        assert "0 = 1" in sql or "false" in sql.lower()


@pytest.mark.parametrize("rule", TASK_RULES, ids=lambda r: r.name)
def test_each_rule_alone_refuses_with_its_own_reason(rule: TaskRule) -> None:
    """A task that fails only this rule is refused with this rule's text (the table is what authorize_task reads)."""
    ok = TaskFacts(candidate_roles=frozenset({"unit_officer"}), unit_scope="DONGXOAI")
    breaking = {"four_eyes": {"excluded_users": frozenset({ME.user_id})},
                "own_case": {"subject_user_id": ME.user_id},
                "conflict_of_interest": {"excluded_units": frozenset({"DONGXOAI"})},
                "holder": {"assignee": "someone.else"},
                "candidate_role": {"candidate_roles": frozenset({"examiner"})},
                "kind_role": {"kind": "process_stalled"},
                "unit_scope": {"unit_scope": "BINHLONG"}}
    assert set(breaking) == {r.name for r in TASK_RULES}
    authorize_task(ME, ok, "complete")
    bad = TaskFacts(**{**ok.__dict__, **breaking[rule.name]})
    with pytest.raises(Problem) as refused:
        authorize_task(ME, bad, "complete")
    assert refused.value.detail_en.startswith(rule.refusal_en.split("{")[0])


def test_the_board_oversees_only_where_the_action_table_says() -> None:
    board = Principal(user_id="btc.a", roles=frozenset({"organization_board"}), units=frozenset({"*"}))
    held = TaskFacts(candidate_roles=frozenset({"unit_officer"}), unit_scope=None, assignee="someone.else")
    allowed = set()
    for action in TASK_ACTIONS:
        try:
            authorize_task(board, held, action)
            allowed.add(action)
        except Problem:
            pass
    assert allowed == {a for a, who in TASK_ACTIONS.items() if "board" in who} == {"view", "release", "delegate",
                                                                                     "assign"}
