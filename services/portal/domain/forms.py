"""The server's check of a decision form, before it is confirmed and signed: what is missing or out of range, in
Vietnamese and English (the workflow's validator checks the same again when the decision arrives)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.portal.ui.i18n import CHOICES


@dataclass(frozen=True)
class FormError:
    """One problem with the form, in both languages, and the input it is about."""

    field: str
    vi: str
    en: str


def _label(f: dict[str, Any]) -> tuple[str, str]:
    return str(f["label_vi"]), str(f["label_en"])


def check_decision(action: dict[str, Any] | None, inputs: dict[str, str], comment: str) -> list[FormError]:
    """Every problem with a decision on ``action`` (None: no decision chosen)."""
    if action is None:
        return [FormError("action", "Hãy chọn một quyết định.", "Choose a decision.")]
    errors: list[FormError] = []
    if action.get("requires_comment") and not comment.strip():
        errors.append(FormError("comment", "Cần nhập ý kiến (lý do) cho quyết định này.",
                                "This decision needs a comment (the reason)."))
    for f in action.get("inputs", []):
        vi, en = _label(f)
        value = inputs.get(f["name"], "").strip()
        if not value:
            if f.get("required", True):
                errors.append(FormError(f["name"], f"Chưa nhập «{vi}».", f"“{en}” is missing."))
            continue
        if f.get("kind") == "number":
            try:
                number = float(value.replace(",", "."))
            except ValueError:
                errors.append(FormError(f["name"], f"«{vi}» phải là một số.", f"“{en}” must be a number."))
                continue
            low, high = f.get("minimum"), f.get("maximum")
            if (low is not None and number < low) or (high is not None and number > high):
                errors.append(FormError(f["name"], f"«{vi}» phải từ {_n(low)} đến {_n(high)}.",
                                        f"“{en}” must be between {_n(low)} and {_n(high)}."))
        elif f.get("kind") == "choice" and f.get("choices") and value not in f["choices"]:
            known = ", ".join(CHOICES.get(c, (c, c))[0] for c in f["choices"])
            errors.append(FormError(f["name"], f"«{vi}»: hãy chọn một trong: {known}.",
                                    f"“{en}”: choose one of the options."))
    return errors


def _n(value: Any) -> str:
    if value is None:
        return "…"
    return str(int(value)) if float(value).is_integer() else str(value)


def normalise(action: dict[str, Any] | None, inputs: dict[str, str]) -> dict[str, str]:
    """The chosen action's inputs only (a number written with a decimal comma is sent with a point)."""
    if action is None:
        return {}
    out = {}
    for f in action.get("inputs", []):
        value = inputs.get(f["name"], "").strip()
        if value:
            out[f["name"]] = value.replace(",", ".") if f.get("kind") == "number" else value
    return out
