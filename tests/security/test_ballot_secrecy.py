"""Item 6: ballots stay secret, even from the database.

Each test repeats an attack: a service client issues a conference's tokens; a voter casts after the close time
or twice; someone reads the SQLite database file and replays its WAL (commit by commit) to map the token each
commit spent to the ballot it wrote; someone reads the logs, the outbox, the metrics and the audit trail for a
token. The selection app is production's composition, in process, on a real SQLite file (tests/security/support).
PostgreSQL's row versions are in test_ballot_secrecy_pg.py."""

from __future__ import annotations

import io
import json
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY, generate_latest
from sqlalchemy import text

from services.selection.service import ballots
from services.selection.service.ballots import token_hash
from shared.logging import configure_logging, get_logger
from tests.security.support import Services, build_services, official_body
from tests.unit.selection.support import campaign_payload

BOARD = ["organization_board"]
NOMINEES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")


@dataclass
class Conference:
    campaign_id: str
    conference_id: str
    candidates: list[str]


async def seed_nominees(s: Services) -> list[str]:
    """The nominees as officials of DONGXOAI in registration (a nomination names a real official of its unit)."""
    reg, board = s.client("registration"), s.headers(BOARD)
    r = await reg.post("/units", headers=board, json={"code": "DONGXOAI", "name": "Thành phố Đồng Xoài",
                                                     "kind": "district"})
    assert r.status_code in (201, 409), r.text
    ids = []
    for name in NOMINEES:
        pid = f"0010750{uuid.uuid4().int % 100000:05d}"
        r = await reg.post("/officials", headers=board, json=official_body(pid, "DONGXOAI", name))
        assert r.status_code in (200, 201), r.text
        ids.append(str(r.json()["id"]))
    return ids


async def open_conference(s: Services, *, roster: int = 8) -> Conference:
    """A campaign through the API with one conference (roster voters, at most two names) and four nominees."""
    sel, board = s.client("selection"), s.headers(BOARD, user="btc.nguyenvanhai")
    now = datetime.now(UTC)
    body = campaign_payload(f"{uuid.uuid4().hex[:6].upper()}-KH/TU", now, conferences=[
        {"code": "HN-DX", "unit_code": "DONGXOAI", "roster": [f"cử tri {i}" for i in range(roster)],
         "max_names": 2, "close_at": (now + timedelta(hours=1)).isoformat()}])
    created = await sel.post("/campaigns", headers=board, json=body)
    assert created.status_code == 201, created.text
    cid = created.json()["id"]
    officials = await seed_nominees(s)
    ids = []
    for official_id, name in zip(officials, NOMINEES, strict=True):
        resp = await sel.post(f"/campaigns/{cid}/nominations", headers=board, json={
            "official_id": official_id, "full_name": name, "unit_code": "DONGXOAI", "group_code": "G1",
            "evaluation": "Hoàn thành tốt nhiệm vụ"})
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["id"])
    async with s.contexts["selection"].sessions() as session:
        conf_id = (await session.execute(text("SELECT id FROM conferences WHERE campaign_id = :c"),
                                         {"c": cid})).scalar_one()
    return Conference(cid, conf_id, ids)


async def issue(s: Services, conf: Conference) -> list[str]:
    resp = await s.client("selection").post(f"/campaigns/{conf.campaign_id}/conferences/HN-DX/tokens",
                                            headers=s.headers(BOARD, user="btc.nguyenvanhai"))
    assert resp.status_code == 201, resp.text
    tokens: list[str] = resp.json()["tokens"]
    return tokens


async def cast(s: Services, token: str, names: list[str]) -> Any:
    return await s.client("selection").post("/ballots", json={"token": token, "nominees": names})


def distinct_ballots(ids: list[str]) -> list[list[str]]:
    """Eight ballots with eight different contents (each one findable in the files by its text)."""
    singles = [[i] for i in ids]
    pairs = [sorted([ids[0], ids[1]]), sorted([ids[0], ids[2]]), sorted([ids[1], ids[3]]), sorted([ids[2], ids[3]])]
    return singles + pairs


def stored_text(names: list[str]) -> bytes:
    """A ballot as the `ballots` table stores it."""
    return json.dumps(sorted(names)).encode("utf-8")


def assert_problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = resp.json()
    assert body["code"] == code and body["detail"] and body["detail_vi"] and body["title_vi"]
    return body


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    s = await build_services(tmp_path)
    yield s
    await s.close()


# --- 1. Only the Organization Board issues a conference's tokens -----------------------------------------------------

async def test_a_service_client_cannot_issue_ballot_tokens(services: Services) -> None:
    conf = await open_conference(services)
    url = f"/campaigns/{conf.campaign_id}/conferences/HN-DX/tokens"
    sel = services.client("selection")
    for roles in (["service"], ["service", "organization_board"], ["unit_officer"], ["auditor"]):
        resp = await sel.post(url, headers=services.headers(roles, user="svc.hrm"))
        body = assert_problem(resp, 403, "forbidden")
        assert "ballot.issue" in body["detail"]
    tokens = await issue(services, conf)  # the Board, a person, may
    assert len(tokens) == 8 and len(set(tokens)) == 8
    async with services.contexts["selection"].sessions() as session:
        issued_by = (await session.execute(text(
            "SELECT body FROM audit_log WHERE action = 'ballot.tokens_issued'"))).scalars().all()
    assert len(issued_by) == 1 and json.loads(issued_by[0])["actor"]["user_id"] == "btc.nguyenvanhai"


# --- 2. Tokens: only hashes, in an order unrelated to the order they were handed out -------------------------------

async def test_the_stored_tokens_say_nothing_of_who_got_which_or_in_what_order(services: Services) -> None:
    conf = await open_conference(services)
    tokens = await issue(services, conf)
    async with services.contexts["selection"].sessions() as session:
        cols = list((await session.execute(text("SELECT * FROM ballot_tokens"))).keys())
        stored = (await session.execute(text(
            "SELECT token_hash FROM ballot_tokens WHERE conference_id = :c ORDER BY rowid"),
            {"c": conf.conference_id})).scalars().all()
    assert cols == ["token_hash", "conference_id", "used"]  # no voter, no sequence, no time, no ballot
    hashes = [token_hash(t) for t in tokens]
    assert sorted(stored) == sorted(hashes)
    # written in hash order: physical order and rowid follow the hashes, not the order handed out
    assert list(stored) == sorted(hashes)
    files = b"".join(p.read_bytes() for p in sqlite_files(services))
    assert not any(t.encode() in files for t in tokens), "a plain token reached the database files"


# --- 3. The API refuses a ballot after close_at, and a reused token -------------------------------------------------

async def test_a_ballot_after_the_close_time_is_refused_by_the_api(services: Services) -> None:
    conf = await open_conference(services)
    tokens = await issue(services, conf)
    assert (await cast(services, tokens[0], [conf.candidates[0]])).status_code == 202
    reused = await cast(services, tokens[0], [conf.candidates[1]])
    assert_problem(reused, 409, "ballot_token_used")
    await close_at_passes(services, conf)
    # no workflow closed the conference (there is none here; it is still open): the API itself refuses
    late = await cast(services, tokens[1], [conf.candidates[1]])
    body = assert_problem(late, 409, "conference_closed")
    assert "hết thời gian bỏ phiếu" in body["detail_vi"] and "closed" in body["detail"]
    async with services.contexts["selection"].sessions() as session:
        status = (await session.execute(text("SELECT status FROM conferences"))).scalar_one()
        used = (await session.execute(text("SELECT count(*) FROM ballot_tokens WHERE used"))).scalar_one()
        sealed = (await session.execute(text("SELECT count(*) FROM sealed_ballots"))).scalar_one()
    assert status == "open"
    assert (used, sealed) == (1, 1)  # neither the reuse nor the late ballot left anything


async def close_at_passes(s: Services, conf: Conference) -> None:
    """The conference's close time passes: moved to a second ago in the campaign's settings (rather than waited
    for, so the casts before it never race a short deadline on a loaded machine)."""
    async with s.contexts["selection"].sessions() as session, session.begin():
        settings = json.loads((await session.execute(text("SELECT settings FROM campaigns WHERE id = :c"),
                                                     {"c": conf.campaign_id})).scalar_one())
        settings["conferences"][0]["close_at"] = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
        await session.execute(text("UPDATE campaigns SET settings = :s WHERE id = :c"),
                              {"s": json.dumps(settings), "c": conf.campaign_id})


# --- 4. The database files and the WAL link no ballot to a token ---------------------------------------------------

def sqlite_files(s: Services) -> list[Path]:
    """Selection's database file and its companions (-wal, -shm, -journal)."""
    db = Path(s.settings.db_url("selection").split("///", 1)[1])
    return sorted(p for p in db.parent.iterdir() if p.name.startswith(db.name))


def wal_path(s: Services) -> Path:
    db = Path(s.settings.db_url("selection").split("///", 1)[1])
    return db.with_name(db.name + "-wal")


def wal_commits(wal: bytes) -> list[list[tuple[int, bytes]]]:
    """Replay a SQLite WAL: its committed transactions in order, each the (page number, page image) frames it
    wrote (https://www.sqlite.org/fileformat.html#the_write_ahead_log). Frames of an earlier generation of the
    file (another salt) and an uncommitted tail are left out, as SQLite's own recovery does."""
    if len(wal) < 32:
        return []
    page_size, salt = int.from_bytes(wal[8:12], "big"), wal[16:24]
    commits: list[list[tuple[int, bytes]]] = []
    frames: list[tuple[int, bytes]] = []
    offset = 32
    while offset + 24 + page_size <= len(wal):
        header = wal[offset:offset + 24]
        if header[8:16] != salt:
            break
        frames.append((int.from_bytes(header[0:4], "big"), wal[offset + 24:offset + 24 + page_size]))
        if int.from_bytes(header[4:8], "big"):  # a commit frame: the database size after it
            commits.append(frames)
            frames = []
        offset += 24 + page_size
    return commits


def pages(commit: list[tuple[int, bytes]]) -> bytes:
    return b"".join(image for _, image in commit)


async def test_replaying_the_wal_maps_no_token_to_a_ballot(services: Services) -> None:
    conf = await open_conference(services)
    tokens = await issue(services, conf)
    votes = distinct_ballots(conf.candidates)
    plain = [stored_text(v) for v in votes]
    candidate_ids = [c.encode() for c in conf.candidates]
    before = len(wal_commits(wal_path(services).read_bytes()))
    for token, names in zip(tokens, votes, strict=True):
        assert (await cast(services, token, names)).status_code == 202

    commits = wal_commits(wal_path(services).read_bytes())
    casts = commits[before:]
    assert len(casts) == len(votes), "one commit per cast, none lost to a checkpoint"
    for token, commit in zip(tokens, casts, strict=True):
        written = pages(commit)
        # the attacker's replay finds the token this commit spent (its hash is on the page it rewrote) …
        assert token_hash(token).encode() in written
        # … and no ballot in it: no candidate id at all on any page the commit wrote, only ciphertext
        assert not any(c in written for c in candidate_ids), "a token's commit carries a ballot's names"
    async with services.contexts["selection"].sessions() as session:
        sealed = (await session.execute(text("SELECT sealed FROM sealed_ballots"))).scalars().all()
        assert (await session.execute(text("SELECT count(*) FROM ballots"))).scalar_one() == 0
    assert len(sealed) == len(votes) and len({len(b) for b in sealed}) == 1  # one length: no size tells
    files = b"".join(p.read_bytes() for p in sqlite_files(services))
    assert not any(p in files for p in plain), "a plaintext ballot is in the files before the close"
    assert not any(t.encode() in files for t in tokens)

    assert await ballots_close(services, conf) == len(votes)
    commits = wal_commits(wal_path(services).read_bytes())
    close_commits = commits[before + len(votes):]
    assert len(close_commits) == 1, "the close is one transaction"
    written = pages(close_commits[0])
    # every ballot is written by the close, and only there: one batch, fresh ids, no token hash beside it
    for p in plain:
        assert p in written
        assert not any(p in pages(c) for c in commits[:before + len(votes)])
    assert not any(token_hash(t).encode() in written for t in tokens), "a token hash in the close's pages"
    page = next(image for _, image in close_commits[0] if all(p in image for p in plain))
    order = [plain.index(p) for p in sorted(plain, key=page.find)]
    cast_order = list(range(len(votes)))
    # shuffled: neither the order of voting nor its reverse (SQLite fills a page from its end); 2 in 8! by chance
    assert order not in (cast_order, cast_order[::-1]), "the ballots lie in the order they were cast"

    # the sealed rows are gone from the database file itself, overwritten (secure_delete), once checkpointed
    path = Path(services.settings.db_url("selection").split("///", 1)[1])
    with closing(sqlite3.connect(path)) as conn:
        busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    assert busy == 0 and wal_path(services).stat().st_size == 0
    db = path.read_bytes()
    assert not any(b in db for b in sealed), "a sealed ballot survives its deletion in the database file"
    assert all(p in db for p in plain)


async def ballots_close(s: Services, conf: Conference) -> int:
    """The close, as the NominationConference workflow's activity runs it."""
    from shared.uow import unit_of_work

    async with unit_of_work(s.contexts["selection"]) as uow:
        returned, _ = await ballots.close_conference(uow, campaign_id=conf.campaign_id,
                                                     conference_id=conf.conference_id, workflow=("wf", "run"))
    return returned


# --- 4b. Logs, events, metrics and audit records carry no token ----------------------------------------------------

async def test_logs_events_metrics_and_audit_name_no_token_and_no_ballot(services: Services) -> None:
    out = io.StringIO()
    configure_logging("DEBUG", process="selection", stream=out)
    get_logger(__name__).info("ballot_secrecy_probe")  # the capture works: every line below lands here too
    try:
        conf = await open_conference(services)
        tokens = await issue(services, conf)
        votes = distinct_ballots(conf.candidates)[:6]
        for token, names in zip(tokens, votes, strict=False):
            assert (await cast(services, token, names)).status_code == 202
        assert (await cast(services, tokens[0], votes[1])).status_code == 409  # a reuse, on the error path too
        assert (await cast(services, "x" * 32, votes[1])).status_code == 403
        async with services.contexts["selection"].sessions() as session:
            sealed_ids = (await session.execute(text("SELECT id FROM sealed_ballots"))).scalars().all()
        await ballots_close(services, conf)
    finally:
        configure_logging("WARNING")
    async with services.contexts["selection"].sessions() as session:
        ballot_ids = (await session.execute(text("SELECT id FROM ballots"))).scalars().all()
        events = (await session.execute(text("SELECT event_type, payload FROM outbox"))).all()
        audit = (await session.execute(text("SELECT action, body FROM audit_log"))).all()
    secrets = ([t for t in tokens] + [token_hash(t) for t in tokens] + list(sealed_ids) + list(ballot_ids)
               + [t[:16] for t in tokens] + [token_hash(t)[:16] for t in tokens])
    metrics = generate_latest(REGISTRY).decode("utf-8")
    logs = out.getvalue()
    assert "ballot_secrecy_probe" in logs
    places = {"logs": logs, "metrics": metrics, "events": json.dumps([list(e) for e in events]),
              "audit": json.dumps([list(a) for a in audit], ensure_ascii=False)}
    for where, content in places.items():
        found = [s for s in secrets if s in content]
        assert not found, f"{where} name a ballot token, its hash or a ballot: {found[:3]}"
    # nothing per ballot: no event, no audit record, no metric label for a cast
    # (AuditRecorded: the audit chain's checkpoints, one per audit record below)
    assert {e[0] for e in events} == {"CampaignCreated", "AuditRecorded", "NominationConferenceClosed"}
    assert sorted({a[0] for a in audit}) == ["ballot.tokens_issued", "campaign.create", "conference.tally",
                                             "nomination.propose"]
    assert not any("ballot" in line and "cast" in line for line in metrics.splitlines() if not line.startswith("#"))
