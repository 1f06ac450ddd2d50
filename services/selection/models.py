"""Selection's own tables.

Secret ballot (docs/security.md, "Ballot secrecy"): `ballot_tokens` holds only SHA-256 hashes of the single-use
tokens (inserted in hash order, so physical order says nothing of the order they were handed out) and a `used`
flag, with no time of use and nothing that points at a ballot. A cast writes its ballot only as a
`sealed_ballots` row: AES-GCM ciphertext of a fixed length under the conference's sealing key (never stored),
a random id, no token, no time. `ballots` (random id, conference, names) is written only at the close, as one
shuffled batch in one transaction, so no plaintext ballot shares a commit, a transaction id or an order with a
token.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, LargeBinary, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.tables import define_infra_tables

metadata = MetaData()
INFRA = define_infra_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Campaign(Base):
    """A selection campaign (e.g. Kế hoạch 134-KH/TU) with its settings and progress."""

    __tablename__ = "campaigns"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30))  # running | decided
    step: Mapped[str] = mapped_column(String(30))  # nomination | screening | examination | committee | decided
    settings: Mapped[str] = mapped_column(Text)  # canonical JSON of the campaign settings
    policy: Mapped[str] = mapped_column(Text)  # JSON: rule key → version id in force on the proposal date
    workflow_id: Mapped[str] = mapped_column(String(200))
    marking_closed: Mapped[bool] = mapped_column(Boolean, default=False)
    screening_snapshot_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    screening_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(120))


class Candidate(Base):
    """A nominee, followed through every step; each step's result is a JSON document."""

    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("campaign_id", "official_id", name="uq_candidate_official"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(36), index=True)
    official_id: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    unit_code: Mapped[str] = mapped_column(String(40))
    group_code: Mapped[str] = mapped_column(String(40))
    evaluation: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(120))
    stage: Mapped[str] = mapped_column(String(30))  # nominated | proposed | not_proposed | eligible | …
    nomination: Mapped[str | None] = mapped_column(Text, nullable=True)
    screening: Mapped[str | None] = mapped_column(Text, nullable=True)
    exam_code: Mapped[str | None] = mapped_column(String(12), unique=True, nullable=True)
    exam: Mapped[str | None] = mapped_column(Text, nullable=True)
    committee: Mapped[str | None] = mapped_column(Text, nullable=True)


class Conference(Base):
    """A nomination conference (hội nghị lấy phiếu giới thiệu) and, once closed, its tally."""

    __tablename__ = "conferences"
    __table_args__ = (UniqueConstraint("campaign_id", "code", name="uq_conference_code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(36), index=True)
    code: Mapped[str] = mapped_column(String(40))
    unit_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    convened: Mapped[int] = mapped_column(Integer)
    max_names: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # open | closed
    tokens_issued: Mapped[bool] = mapped_column(Boolean, default=False)
    tally: Mapped[str | None] = mapped_column(Text, nullable=True)


class BallotToken(Base):
    """The hash of a single-use ballot token; nothing here names a voter or a ballot."""

    __tablename__ = "ballot_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    conference_id: Mapped[str] = mapped_column(String(36), index=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class SealedBallot(Base):
    """A ballot cast while its conference is open, sealed: ciphertext of one fixed length per conference under a
    key derived from the service's secret (services.selection.adapters.seal), a random id, nothing else. Its row is a
    WITHOUT ROWID table on SQLite, so its physical order is that of the random ids, not of the casts. The close
    unseals every row, writes `ballots` and deletes these."""

    __tablename__ = "sealed_ballots"
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conference_id: Mapped[str] = mapped_column(String(36), index=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class Ballot(Base):
    """One secret ballot, written at the close in one shuffled batch: a random id and the names, nothing else."""

    __tablename__ = "ballots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    conference_id: Mapped[str] = mapped_column(String(36), index=True)
    names: Mapped[str] = mapped_column(Text)  # JSON list of candidate ids, sorted


class Mark(Base):
    """One examiner's (or panel member's) independent mark on one anonymous paper."""

    __tablename__ = "marks"
    __table_args__ = (UniqueConstraint("campaign_id", "exam_code", "component", "marker_id",
                                       name="uq_mark_marker"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(36), index=True)
    exam_code: Mapped[str] = mapped_column(String(12))
    component: Mapped[str] = mapped_column(String(40))
    marker_id: Mapped[str] = mapped_column(String(120))
    mark: Mapped[str] = mapped_column(String(10))  # a Decimal's text
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GroupDecision(Base):
    """The Standing Committee's decision on one target group."""

    __tablename__ = "group_decisions"
    __table_args__ = (UniqueConstraint("campaign_id", "group_code", name="uq_group_decision"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(36), index=True)
    group_code: Mapped[str] = mapped_column(String(40))
    decision_number: Mapped[str] = mapped_column(String(60))
    result: Mapped[str] = mapped_column(Text)  # JSON: counts per candidate, selected ids, policy version
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
