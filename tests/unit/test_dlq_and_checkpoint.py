"""Operators' tools on the embedded transport: `cadre events dlq list|replay`, and the audit checkpoint event."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from shared.audit import Actor, AuditEntry
from shared.events.envelope import AUDIT_CHECKPOINT_TOPIC, CloudEvent, dlq_of
from shared.events.relay import Relay
from shared.events.transport import OutgoingMessage
from shared.uow import unit_of_work
from tests.support.pipeline import make_pipeline, unique_topic
from tests.support.stack import ROOT


def cadre(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CADRE_")} | {"CADRE_DATA_DIR": str(tmp)}
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


async def test_dead_letters_are_listed_and_replayed(tmp_path: Path) -> None:
    pipe = await make_pipeline("embedded", tmp_path)
    topic = unique_topic()
    good = CloudEvent(type="TestPinged", source="/cadreflow/registration", subject="k", data={"key": "k", "n": 7})
    await pipe.sink().publish([OutgoingMessage(topic, "k", b"garbage", {"origin": "t"}),
                               OutgoingMessage(topic, "k", good.to_json().encode())])
    consumer = pipe.consumer(f"dlq-{topic}", topic)
    while len(await pipe.effects()) < 1:
        await consumer.run_once(timeout=0.1)
    listed = cadre(tmp_path, "events", "dlq", "list", "--topic", topic)
    assert listed.returncode == 0, listed.stderr
    assert f"{dlq_of(topic)}[" in listed.stdout and "undecodable" in listed.stdout
    replayed = cadre(tmp_path, "events", "dlq", "replay", "--topic", topic)
    assert replayed.returncode == 0 and "replayed 1" in replayed.stdout
    back = pipe.source(f"reader-{topic}", [topic])
    values = [m.value for m in await back.poll(timeout=0.1, max_records=10)]
    assert values.count(b"garbage") == 2, "the dead letter is back on its original topic"
    await back.close()
    await pipe.ctx.dispose()


async def test_checkpoint_publishes_the_chain_head_once_per_change(tmp_path: Path) -> None:
    pipe = await make_pipeline("embedded", tmp_path)
    relay = Relay(pipe.ctx, pipe.sink())
    assert not await relay.checkpoint(), "an empty chain has no head to publish"
    async with unit_of_work(pipe.ctx) as uow:
        rec = uow.audit(AuditEntry(actor=Actor("kt.a", "auditor"), action="audit.verify", subject="chain",
                                   reason_vi="Kiểm tra", reason_en="Checked"))
    assert await relay.checkpoint()
    assert not await relay.checkpoint(), "nothing new, nothing published"
    while await relay.publish_batch():
        pass
    source = pipe.source("auditor", ["cadre.registration.v1", AUDIT_CHECKPOINT_TOPIC])
    got = await source.poll(timeout=0.1, max_records=50)
    by_topic = {t: [CloudEvent.from_json(m.value).type for m in got if m.topic == t] for t in {m.topic for m in got}}
    # the checkpoint goes to the checkpoint topic only (what the keepers read), the audit record to the service's
    assert by_topic == {AUDIT_CHECKPOINT_TOPIC: ["AuditCheckpointed"], "cadre.registration.v1": ["AuditRecorded"]}
    [checkpoint] = [CloudEvent.from_json(m.value) for m in got if m.topic == AUDIT_CHECKPOINT_TOPIC]
    assert checkpoint.subject == "audit:registration"
    assert checkpoint.data == {"chain": "registration", "seq": 1, "hash": rec.record.hash,
                               "checkpointed_at": checkpoint.data["checkpointed_at"]}
    await source.close()
    await pipe.ctx.dispose()
