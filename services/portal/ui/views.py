"""What a task page shows: the kind's typed view and the words the templates need (no codes, no reprs)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from contracts.tasks import CommitteeVoteView, DossierInvalid, TaskView, TieBreakView, parse_view
from services.portal.domain.forms import FormError
from services.portal.ui.i18n import CHOICES, LANGS, SIGNATURES, WORDS, word
from shared.logging import get_logger
from shared.policy import PolicyBook, PolicyError, load_policy_book

log = get_logger(__name__)

# the kinds with a template of their own (templates/kinds/<name>.html); the others show their dossier as rows
TEMPLATE_OF: dict[str, str] = {
    "registration_review": "registration_review", "class_below_target": "class_below_target",
    "nomination_confirmation": "nomination_confirmation", "screening_confirmation": "screening_confirmation",
    "essay_mark": "paper", "interview_score": "paper", "mark_discrepancy": "mark_discrepancy",
    "tie_break": "tie_break", "committee_vote": "committee_vote", "committee_decision": "committee_decision",
    "process_stalled": "process_stalled",
}


@cache
def _book() -> PolicyBook:
    return load_policy_book()


def policy_name(version_id: str | None, lang: str) -> str:
    """A rule version in words (its source's title), or an em dash when unknown: never the version code."""
    if not version_id:
        return "—"
    try:
        source = _book().version(version_id).source
    except (PolicyError, KeyError, LookupError):
        return "—"
    return source.vi if lang == "vi" else source.en


def view_of(kind: str, dossier: dict[str, Any]) -> TaskView | None:
    """The kind's typed view (None for a kind without one, or a dossier filed before its schema: shown as rows)."""
    try:
        return parse_view(kind, dossier)
    except DossierInvalid as exc:
        log.warning("task_dossier_unreadable", kind=kind, fields=exc.fields)
        return None


def template_of(kind: str, view: TaskView | None) -> str | None:
    """The kind's partial, when its view could be read."""
    name = TEMPLATE_OF.get(kind)
    return f"kinds/{name}.html" if name and view is not None else None


def majority_of(members: int | None, fraction: str) -> int | None:
    """The fewest approvals that are *more than* ``fraction`` of all members."""
    if not members:
        return None
    try:
        share = Decimal(fraction)
    except InvalidOperation:
        share = Decimal("0.5")
    return int(members * share) + 1


@dataclass(frozen=True)
class Confirmed:
    """One line of what a person confirms: the input's label and its value in words."""

    label: str
    value: str


def confirmed_lines(action: dict[str, Any] | None, inputs: dict[str, str], lang: str) -> list[Confirmed]:
    """The chosen action's inputs as the person will sign them (labels and values in words, in declared order)."""
    if action is None:
        return []
    lines = []
    for f in action.get("inputs", []):
        if f["name"] not in inputs:
            continue
        raw = inputs[f["name"]]
        value = word(CHOICES, raw, lang) if f.get("kind") == "choice" and raw in CHOICES else raw
        lines.append(Confirmed(f["label_vi"] if lang == "vi" else f["label_en"], value))
    return lines


def signature_text(action: dict[str, Any] | None, title: str, lang: str) -> str:
    """What the signature means, in the first person ("Tôi phê duyệt: …")."""
    if action is None:
        return ""
    label = action["label_vi"] if lang == "vi" else action["label_en"]
    pair = SIGNATURES.get(action.get("signature", ""))
    if pair is None:
        pair = SIGNATURES["decide"]
    return pair[LANGS.index(lang)].format(title=title, action=label)


def fill(key: str, lang: str, **values: Any) -> str:
    """A sentence with its blanks filled."""
    return WORDS[key][LANGS.index(lang)].format(**values)


def tie_order(view: TieBreakView, positions: dict[str, str]) -> tuple[str, list[FormError]]:
    """The chair's ranks (candidate id → 1…n) as the ids in order, or what is wrong with them."""
    known = [c.candidate_id for c in view.candidates]
    ranks = {cid: positions.get(cid, "") for cid in known}
    if any(not r.isdigit() for r in ranks.values()) or sorted(int(r) for r in ranks.values()) != list(
            range(1, len(known) + 1)):
        return "", [FormError("order", "Mỗi thí sinh cần một thứ tự khác nhau, từ 1 đến " + str(len(known)) + ".",
                              "Give each candidate a different place, from 1 to " + str(len(known)) + ".")]
    return ",".join(sorted(known, key=lambda cid: int(ranks[cid]))), []


def tie_lines(view: TieBreakView, inputs: dict[str, str]) -> list[Confirmed]:
    """The order the chair confirms, by name."""
    names = {c.candidate_id: c.full_name or c.code for c in view.candidates}
    ids = [x for x in inputs.get("order", "").split(",") if x]
    return [Confirmed(str(i), names.get(cid, "—")) for i, cid in enumerate(ids, start=1)]


def ballot_lines(view: CommitteeVoteView, inputs: dict[str, str], lang: str) -> list[Confirmed]:
    """A member's ballot as they will sign it: each candidate by rank and name, with the choice in words."""
    return [Confirmed(f"{c.rank}. {c.full_name}", word(CHOICES, inputs.get(c.candidate_id, ""), lang))
            for c in sorted(view.candidates, key=lambda c: c.rank)]


def decision_lines(view: TaskView | None, action: dict[str, Any] | None, inputs: dict[str, str],
                   lang: str) -> list[Confirmed]:
    """A decision's inputs as signed, for the confirm page and the printed record: a tie break's order by name, a
    member's ballot, else the action's inputs in words."""
    if isinstance(view, TieBreakView):
        return tie_lines(view, inputs)
    if isinstance(view, CommitteeVoteView):
        return ballot_lines(view, inputs, lang)
    return confirmed_lines(action, inputs, lang)
