"""Units reorganisation: merge, split, rename, close — officials move, earlier records stay under the old unit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from services.registration.models import Official, Unit, UnitReorganisation
from services.registration.schemas import NewUnit, ReorganisationCreate, UnitCreate
from services.registration.service import units as service
from services.registration.service.officials import move_official
from shared.audit import Actor, AuditEntry
from shared.errors import invalid
from shared.uow import UnitOfWork
from shared.vietnamese import fold

_END_STATUS = {"merge": "merged", "split": "split", "close": "closed"}


async def _unit(uow: UnitOfWork, code: str, field_name: str) -> Unit:
    unit = (await uow.session.execute(select(Unit).where(Unit.code == code))).scalar_one_or_none()
    if unit is None:
        raise invalid(field_name, "unknown_unit", f"Unit {code} does not exist", f"Đơn vị {code} không tồn tại")
    if unit.status != "active":
        raise invalid(field_name, "unit_not_active", f"Unit {code} is already {unit.status}",
                      f"Đơn vị {code} đã {unit.status}")
    return unit


async def _target(uow: UnitOfWork, new: NewUnit, actor: Actor) -> Unit:
    found = (await uow.session.execute(select(Unit).where(Unit.code == new.code))).scalar_one_or_none()
    if found is not None:
        if found.status != "active":
            raise invalid("targets", "unit_not_active", f"Unit {new.code} is {found.status}",
                          f"Đơn vị {new.code} đã {found.status}")
        return found
    return await service.create_unit(uow, data=UnitCreate(**new.model_dump()), actor=actor)


def _shape_errors(data: ReorganisationCreate) -> None:
    n_src, n_tgt = len(data.sources), len(data.targets)
    if len(set(data.sources)) != n_src:
        raise invalid("sources", "duplicate_source", "A unit is named twice", "Một đơn vị được nêu hai lần")
    if data.kind == "merge" and (n_src < 2 or n_tgt != 1):
        raise invalid("targets", "merge_shape", "A merge needs at least two sources and exactly one target",
                      "Hợp nhất cần ít nhất hai đơn vị nguồn và đúng một đơn vị đích")
    if data.kind == "split" and (n_src != 1 or n_tgt < 2):
        raise invalid("targets", "split_shape", "A split needs one source and at least two targets",
                      "Chia tách cần một đơn vị nguồn và ít nhất hai đơn vị đích")
    if data.kind == "rename" and (n_src != 1 or not data.new_name):
        raise invalid("new_name", "rename_shape", "A rename needs one source and a new name",
                      "Đổi tên cần một đơn vị và tên mới")
    if data.kind == "close" and n_src != 1:
        raise invalid("sources", "close_shape", "A closure names one unit", "Giải thể chỉ nêu một đơn vị")
    if data.kind in ("merge", "split") and {t.code for t in data.targets} & set(data.sources):
        raise invalid("targets", "target_is_source", "A target cannot also be a source",
                      "Đơn vị đích không thể đồng thời là đơn vị nguồn")


async def reorganise(uow: UnitOfWork, *, data: ReorganisationCreate, actor: Actor) -> UnitReorganisation:
    """Apply a reorganisation in one transaction: units, officials' memberships, event and audit."""
    _shape_errors(data)
    sources = [await _unit(uow, code, "sources") for code in data.sources]
    on = data.effective_date
    officials = (await uow.session.execute(select(Official).where(
        Official.unit_code.in_(data.sources), Official.status == "active"))).scalars().all()
    targets = [await _target(uow, t, actor) for t in data.targets]
    target_codes = [t.code for t in targets]
    old_name = sources[0].name if data.kind == "rename" else None
    moved = 0
    if data.kind == "close" and officials:
        if not data.move_to:
            raise invalid("move_to", "officials_remain", "The unit still has officials: name where they move",
                          "Đơn vị còn cán bộ: cần nêu đơn vị tiếp nhận")
        target_codes = [(await _unit(uow, data.move_to, "move_to")).code]
    for o in officials:
        if data.kind == "rename":
            break
        if data.kind == "split":
            dest = data.assignments.get(o.id, target_codes[0])
            if dest not in target_codes:
                raise invalid("assignments", "unknown_target", f"{dest} is not a target of the split",
                              f"{dest} không phải đơn vị đích của việc chia tách")
        else:
            dest = target_codes[0]
        await move_official(uow, official=o, to_unit=dest, on=on, reason=f"reorganisation:{data.kind}")
        moved += 1
    for unit in sources:
        if data.kind == "rename":
            assert data.new_name is not None
            unit.name, unit.name_folded = data.new_name, fold(data.new_name)
        else:
            unit.status = _END_STATUS[data.kind]
            unit.closed_on = on
            unit.successor_code = target_codes[0] if target_codes else None
    reorg = UnitReorganisation(id=str(uuid.uuid4()), kind=data.kind, source_codes=list(data.sources),
                               target_codes=target_codes, old_name=old_name, new_name=data.new_name,
                               effective_date=on, decision_ref=data.decision_ref, officials_moved=moved,
                               recorded_at=datetime.now(UTC), recorded_by=actor.user_id)
    uow.session.add(reorg)
    await uow.session.flush()
    uow.emit("UnitsReorganised", subject=reorg.id, data={
        "reorganisation_id": reorg.id, "kind": data.kind, "source_codes": list(data.sources),
        "target_codes": target_codes, "new_name": data.new_name, "effective_date": on.isoformat(),
        "decision_ref": data.decision_ref, "officials_moved": moved})
    uow.audit(AuditEntry(
        actor=actor, action=f"unit.{data.kind}", subject=f"reorganisation:{reorg.id}",
        reason_vi=f"Sắp xếp đơn vị ({data.kind}) theo {data.decision_ref}, hiệu lực {on.isoformat()}: "
                  f"{', '.join(data.sources)} → {', '.join(target_codes) or data.new_name}; {moved} cán bộ chuyển",
        reason_en=f"Units {data.kind} under {data.decision_ref} effective {on.isoformat()}; {moved} officials moved",
        inputs=data.model_dump(mode="json")))
    return reorg
