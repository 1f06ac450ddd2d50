"""Secret nomination ballots: single-use tokens, casting, and the tally at the close.

Nothing stored links a voter, or a token, to a ballot (docs/security.md, "Ballot secrecy"). Tokens are returned
once, in a shuffled order, to the Organization Board, who hands them out; only their SHA-256 hashes are kept,
written in hash order, with a ``used`` flag and no time. A cast marks its token used and stores its ballot only
sealed (adapters/seal.py: ciphertext of one length, a random id), so the commit that spends a token holds
no readable ballot. The close unseals the conference's ballots and writes them, and only then, as one shuffled
batch with fresh ids in one transaction. Casting is not audited, logged or published per ballot (each would
time-stamp it); the tally is.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import delete, select, text, update

from contracts.selection import ConferenceTallySummary, TalliedNominee
from services.selection.adapters.seal import conference_key, seal, unseal
from services.selection.domain.tally import NominationRule, ballot_is_valid, tally_ballots
from services.selection.models import Ballot, BallotToken, Candidate, Conference, SealedBallot
from services.selection.service.campaign_store import (
    SYSTEM,
    dumps,
    get_campaign,
    policy_book,
    proposal_date,
    record_decision,
    settings_of,
)
from shared.audit import Actor
from shared.errors import Problem, conflict, invalid, not_found
from shared.timestamps import as_utc
from shared.uow import UnitOfWork

_rng = secrets.SystemRandom()


def token_hash(token: str) -> str:
    """The stored form of a ballot token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def _conference(uow: UnitOfWork, campaign_id: str, code: str) -> Conference:
    conf = (await uow.session.execute(select(Conference).where(
        Conference.campaign_id == campaign_id, Conference.code == code))).scalar_one_or_none()
    if conf is None:
        raise not_found("Conference", "hội nghị", code)
    return conf


async def issue_tokens(uow: UnitOfWork, *, campaign_id: str, conference_code: str, actor: Actor) -> list[str]:
    """One single-use token per voter of the roster, returned once; only hashes are stored."""
    campaign = await get_campaign(uow, campaign_id)
    conf = await _conference(uow, campaign_id, conference_code)
    if conf.status != "open":
        raise conflict("conference_closed", "The conference is closed", "Hội nghị đã kết thúc",
                       field_name="conference")
    claimed = await uow.session.execute(update(Conference).where(
        Conference.id == conf.id, Conference.tokens_issued.is_(False)).values(tokens_issued=True))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise conflict("tokens_already_issued", "Ballot tokens were already issued for this conference",
                       "Phiếu của hội nghị này đã được phát", field_name="conference")
    tokens = [secrets.token_urlsafe(24) for _ in range(conf.convened)]
    _rng.shuffle(tokens)  # the order they are handed out in
    # stored in hash order: neither the rows' physical order nor SQLite's rowid follows the order handed out
    hashes = sorted(token_hash(t) for t in tokens)
    uow.session.add_all([BallotToken(token_hash=h, conference_id=conf.id, used=False) for h in hashes])
    await record_decision(uow, actor=actor, action="ballot.tokens_issued", subject=f"conference:{conf.id}",
                          reason_vi=f"Phát {len(tokens)} phiếu cho hội nghị {conf.code}",
                          reason_en=f"{len(tokens)} ballot tokens issued for conference {conf.code}",
                          inputs={"campaign_id": campaign_id, "conference": conf.code, "count": len(tokens)},
                          policy_version=None, workflow=(campaign.workflow_id, None))
    return tokens


def conference_workflow_id(campaign_workflow_id: str, code: str) -> str:
    """The id of a conference's workflow (a child of its campaign's, named after the conference)."""
    return f"{campaign_workflow_id}-conference-{code}"


async def close_early(uow: UnitOfWork, *, campaign_id: str, conference_code: str, reason: str,
                      actor: Actor) -> str:
    """The Board ends a conference's ballot before its close time (every voter has voted, or the conference ended):
    the request is audited here, and the caller signals the conference's workflow, which tallies as at the close.
    Returns that workflow's id."""
    campaign = await get_campaign(uow, campaign_id)
    conf = await _conference(uow, campaign_id, conference_code)
    if conf.status != "open":
        raise conflict("conference_closed", "The conference is closed", "Hội nghị đã kết thúc",
                       field_name="conference")
    await record_decision(uow, actor=actor, action="conference.close_early", subject=f"conference:{conf.id}",
                          reason_vi=f"Kết thúc bỏ phiếu hội nghị {conf.code} trước giờ: {reason}",
                          reason_en=f"Ballot of conference {conf.code} ended before its close time: {reason}",
                          inputs={"campaign_id": campaign_id, "conference": conf.code, "reason": reason},
                          policy_version=None, workflow=(campaign.workflow_id, None))
    return conference_workflow_id(campaign.workflow_id, conf.code)


async def cast_ballot(uow: UnitOfWork, *, token: str, nominees: list[str]) -> None:
    """Cast a secret ballot with a single-use token; a used or unknown token is refused."""
    h = token_hash(token)
    row = (await uow.session.execute(select(BallotToken).where(BallotToken.token_hash == h))).scalar_one_or_none()
    if row is None:
        raise Problem(403, "ballot_token_invalid", "Invalid ballot token", "Phiếu không hợp lệ",
                      "The ballot token is not valid", "Mã phiếu không hợp lệ")
    # shared with other casts, exclusive of the close (PostgreSQL): a ballot commits before the close reads them all,
    # or sees the conference closed
    conf = await uow.session.get(Conference, row.conference_id, with_for_update={"read": True})
    assert conf is not None
    if conf.status != "open" or _now() >= await _close_at(uow, conf):
        raise conflict("conference_closed", f"The ballot of conference {conf.code} is closed",
                       f"Hội nghị {conf.code} đã hết thời gian bỏ phiếu", field_name="token")
    if len(nominees) > conf.max_names or len(set(nominees)) != len(nominees):
        raise invalid("nominees", "too_many_names",
                      f"A ballot names at most {conf.max_names} distinct people",
                      f"Mỗi phiếu giới thiệu tối đa {conf.max_names} người, không trùng lặp")
    eligible = set(await _eligible(uow, conf))
    if not ballot_is_valid(nominees, max_names=conf.max_names, eligible=eligible):
        raise invalid("nominees", "unknown_nominee", "A name on the ballot is not a nominee of this conference",
                      "Phiếu có người không thuộc danh sách giới thiệu của hội nghị")
    used = await uow.session.execute(update(BallotToken).where(
        BallotToken.token_hash == h, BallotToken.used.is_(False)).values(used=True))
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise conflict("ballot_token_used", "This ballot token has already been used",
                       "Phiếu này đã được sử dụng", field_name="token")
    # the names only sealed: this commit, the one that spends the token, carries no readable ballot
    uow.session.add(SealedBallot(id=str(uuid.uuid4()), conference_id=conf.id, sealed=seal(
        conference_key(uow.ctx.settings, conf.id), conf.id, nominees, max_names=conf.max_names)))


def _now() -> datetime:
    return datetime.now(UTC)


async def _close_at(uow: UnitOfWork, conf: Conference) -> datetime:
    """When the conference's ballot closes (from the campaign's settings; a time without offset is UTC)."""
    confs = settings_of(await get_campaign(uow, conf.campaign_id))["conferences"]
    at = datetime.fromisoformat(next(c["close_at"] for c in confs if c["code"] == conf.code))
    return as_utc(at)


async def _eligible(uow: UnitOfWork, conf: Conference) -> list[str]:
    query = select(Candidate.id).where(Candidate.campaign_id == conf.campaign_id)
    if conf.unit_code:
        query = query.where(Candidate.unit_code == conf.unit_code)
    return list((await uow.session.execute(query)).scalars().all())


async def _unseal_all(uow: UnitOfWork, conf: Conference) -> list[list[str]]:
    """Every ballot of the conference, its sealed rows deleted (their pages overwritten with zeros on SQLite).
    Plain rows already in `ballots` (cast before ballots were sealed) are taken too, and rewritten."""
    key = conference_key(uow.ctx.settings, conf.id)
    sealed = (await uow.session.execute(
        select(SealedBallot.sealed).where(SealedBallot.conference_id == conf.id))).scalars().all()
    plain = (await uow.session.execute(select(Ballot.names).where(Ballot.conference_id == conf.id))).scalars().all()
    sqlite = uow.ctx.engine.dialect.name == "sqlite"
    if sqlite:
        await uow.session.execute(text("PRAGMA secure_delete = ON"))
    await uow.session.execute(delete(SealedBallot).where(SealedBallot.conference_id == conf.id))
    await uow.session.execute(delete(Ballot).where(Ballot.conference_id == conf.id))
    if sqlite:
        await uow.session.execute(text("PRAGMA secure_delete = OFF"))
    return [unseal(key, conf.id, b) for b in sealed] + [json.loads(r) for r in plain]


def _rule(settings: dict[str, object], code: str, default: NominationRule) -> NominationRule:
    confs = settings["conferences"]
    assert isinstance(confs, list)
    conf = next(c for c in confs if c["code"] == code)
    threshold = Fraction(str(conf["threshold"])) if conf.get("threshold") is not None else default.threshold
    base = conf.get("base") or default.base
    return NominationRule(threshold, "present" if base == "present" else "convened", default.version_id)


async def close_conference(uow: UnitOfWork, *, campaign_id: str, conference_id: str,
                           workflow: tuple[str | None, str | None]) -> tuple[int, list[str]]:
    """Close the conference, unseal its ballots and write them as one shuffled batch, tally them; idempotent on a
    closed conference."""
    campaign = await get_campaign(uow, campaign_id)
    conf = await uow.session.get(Conference, conference_id, with_for_update=True)
    if conf is None:
        raise not_found("Conference", "hội nghị", conference_id)
    if conf.status == "closed":
        done = json.loads(conf.tally or "{}")
        return int(done.get("ballots_returned", 0)), list(done.get("proposed", []))
    conf.status = "closed"
    await uow.session.flush()
    ballots = await _unseal_all(uow, conf)
    _rng.shuffle(ballots)  # one batch in a random order with fresh ids: nothing follows the order of voting
    uow.session.add_all([Ballot(id=str(uuid.uuid4()), conference_id=conf.id, names=json.dumps(b))
                         for b in ballots])
    version = policy_book().in_force("nomination_threshold", proposal_date(campaign))
    rule = _rule(settings_of(campaign), conf.code, NominationRule.from_policy(version))
    eligible = await _eligible(uow, conf)
    present = len(ballots)  # those present = ballots returned (no separate attendance count is kept)
    result = tally_ballots(ballots, max_names=conf.max_names, convened=conf.convened, present=present,
                           threshold=rule.threshold, base=rule.base, eligible=eligible)
    tally = {"ballots_returned": result.ballots_returned, "valid": result.valid_ballots,
             "invalid": result.invalid_ballots, "blank": result.blank_ballots, "convened": result.convened,
             "present": result.present, "base": result.base, "base_count": result.base_count,
             "threshold": str(result.threshold), "policy_version": version.version_id,
             "nominees": [{"candidate_id": n.nominee_id, "votes": n.votes, "percentage": str(n.percentage),
                           "proposed": n.proposed} for n in result.nominees],
             "proposed": list(result.proposed_ids)}
    conf.tally = dumps(tally)
    for n in result.nominees:
        cand = await uow.session.get(Candidate, n.nominee_id)
        if cand is not None:
            cand.nomination = dumps({"conference": conf.code, "votes": n.votes, "percentage": str(n.percentage),
                                     "base": result.base, "base_count": result.base_count,
                                     "threshold": str(result.threshold), "proposed": n.proposed,
                                     "explanation_vi": f"{n.votes}/{result.base_count} phiếu ({n.percentage}%), "
                                                       f"cần trên {result.threshold * 100}%",
                                     "explanation_en": f"{n.votes}/{result.base_count} votes ({n.percentage}%), "
                                                       f"more than {result.threshold * 100}% required"})
            cand.stage = "proposed" if n.proposed else "not_proposed"
    uow.emit("NominationConferenceClosed", subject=campaign_id, workflow_id=workflow[0], data={
        "campaign_id": campaign_id, "conference": conf.code, "ballots_returned": result.ballots_returned,
        "valid_ballots": result.valid_ballots, "proposed": list(result.proposed_ids)})
    await record_decision(uow, actor=SYSTEM, action="conference.tally", subject=f"conference:{conf.id}",
                          reason_vi=f"Kiểm phiếu hội nghị {conf.code}: {len(result.proposed_ids)} người đạt trên "
                                    f"{result.threshold * 100}% của {result.base_count}",
                          reason_en=f"Tally of conference {conf.code}: {len(result.proposed_ids)} nominee(s) above "
                                    f"{result.threshold * 100}% of {result.base_count}",
                          inputs=tally, policy_version=version.version_id, workflow=workflow, kind="tally")
    return result.ballots_returned, list(result.proposed_ids)


async def conference_count(uow: UnitOfWork, *, conference_id: str) -> ConferenceTallySummary | None:
    """A closed conference's count for the Board's dossier, read back from its stored tally (None while open)."""
    conf = await uow.session.get(Conference, conference_id)
    if conf is None or not conf.tally:
        return None
    done = json.loads(conf.tally)
    nominees: list[TalliedNominee] = []
    for n in done.get("nominees", []):
        cand = await uow.session.get(Candidate, n["candidate_id"])
        nominees.append(TalliedNominee(candidate_id=n["candidate_id"], full_name=cand.full_name if cand else "",
                                       votes=int(n["votes"]), proposed=bool(n["proposed"])))
    return ConferenceTallySummary(
        code=conf.code, convened=int(done.get("convened", conf.convened)),
        ballots_returned=int(done.get("ballots_returned", 0)),
        threshold=_decimal_text(str(done.get("threshold", "1/2"))),
        base=str(done.get("base", "convened")), base_count=int(done.get("base_count", conf.convened)),
        nominees=nominees)


def _decimal_text(fraction: str) -> str:
    """A stored threshold ("1/2", "2/3", "0.5") as decimal text ("0.5", "0.667")."""
    value = Fraction(fraction)
    return format(round(Decimal(value.numerator) / Decimal(value.denominator), 3).normalize(), "f")
