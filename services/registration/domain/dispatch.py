"""Postgraduate dispatch (cử đi đào tạo sau đại học): conditions, service commitment, refund for leaving early.

Pure rules on one version of `postgraduate_dispatch` (Decree 101/2017 until 30 June 2025, Decree 171/2025
from 1 July 2025); the caller chooses the version in force on the dispatch date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_DOWN, Decimal

from shared.policy import PolicyDataError, PolicyVersion
from shared.retirement import BirthDate, age_on, full_months_between

REFUND_FORMULA = "cost * (T1 - T2) / T1"
RATING_WORDS = {"HTXSNV": "hoàn thành xuất sắc nhiệm vụ", "HTTNV": "hoàn thành tốt nhiệm vụ",
                "HTNV": "hoàn thành nhiệm vụ", "KHTNV": "không hoàn thành nhiệm vụ"}


def _vi(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def unmet_conditions(*, birth: BirthDate, service_start: date | None, ratings: Mapping[int, str],
                     policy: PolicyVersion, on: date, first_dispatch: bool = True) -> list[tuple[str, str]]:
    """The dispatch conditions not met on `on`, as (vi, en) sentences quoting the numbers (age: first dispatch)."""
    out: list[tuple[str, str]] = []
    max_age, years = int(policy.param("max_age")), int(policy.param("min_service_years"))
    age = age_on(birth, on)
    if first_dispatch and age > max_age:
        out.append((f"{age} tuổi tại ngày {_vi(on)}, quá tuổi tối đa {max_age} khi được cử đi đào tạo lần đầu",
                    f"aged {age} on {on.isoformat()}, above the maximum age {max_age} at first dispatch"))
    served = full_months_between(service_start, on) if service_start and service_start <= on else 0
    if served < 12 * years:
        out.append((f"mới có {served // 12} năm {served % 12} tháng công tác, cần ít nhất {years} năm",
                    f"{served // 12} years {served % 12} months of service, at least {years} years required"))
    out.extend(_ratings_unmet(ratings, policy, on))
    return out


def _ratings_unmet(ratings: Mapping[int, str], policy: PolicyVersion, on: date) -> list[tuple[str, str]]:
    count, floor = int(policy.param("consecutive_rated_years")), str(policy.param("min_rating"))
    order: Sequence[str] = policy.param("rating_order")
    years = range(on.year - count, on.year)
    short = [y for y in years if ratings.get(y) not in order or order.index(ratings[y]) < order.index(floor)]
    if not short:
        return []
    shown = ", ".join(f"{y}: {ratings.get(y, '—')}" for y in years)
    return [(f"chưa đủ {count} năm liên tục xếp loại từ {RATING_WORDS.get(floor, floor)} trở lên ({shown})",
             f"not {count} consecutive years rated {floor} or better ({shown})")]


def commitment_months(training_months: int, policy: PolicyVersion) -> int:
    """The months of service owed after training: the rule's multiple of the training time."""
    return int(policy.param("commitment_factor")) * training_months


def refund_due(*, cost: Decimal, owed_months: int, served_months: int, policy: PolicyVersion) -> Decimal:
    """The pro-rata refund `cost × (T1 − T2) / T1`, in whole đồng (rounded down); nothing once T2 ≥ T1."""
    formula = str(policy.param("refund_formula"))
    if formula != REFUND_FORMULA:
        raise PolicyDataError(f"{policy.version_id}: refund formula {formula!r} is not implemented")
    if owed_months <= 0 or served_months >= owed_months:
        return Decimal(0)
    served = max(0, served_months)
    return (cost * (owed_months - served) / owed_months).quantize(Decimal(1), rounding=ROUND_DOWN)
