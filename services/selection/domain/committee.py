"""Standing Committee vote on a proposed list: approved iff approvals > fraction × ALL members."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from shared.domain_errors import DomainValidationError
from shared.policy import PolicyDataError, PolicyVersion


class VoteChoice(StrEnum):
    """A member's vote on one candidate."""

    APPROVE = "approve"
    REJECT = "reject"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class CommitteeVote:
    """One member's vote on one candidate."""

    member_id: str
    candidate_id: str
    choice: VoteChoice


@dataclass(frozen=True)
class CandidateDecision:
    """The count for one candidate and whether the committee approved them."""

    candidate_id: str
    approvals: int
    rejections: int
    abstentions: int
    not_voted: int
    approved: bool


@dataclass(frozen=True)
class CommitteeResult:
    """The committee's decision on every candidate."""

    members_total: int
    fraction: Fraction
    decisions: tuple[CandidateDecision, ...]
    version_id: str | None = None

    @property
    def approved_ids(self) -> tuple[str, ...]:
        """Ids of the approved candidates, in the order they were listed."""
        return tuple(d.candidate_id for d in self.decisions if d.approved)


def approval_fraction(version: PolicyVersion) -> Fraction:
    """The approval fraction of a `committee_approval` policy version (strictly more, of all members)."""
    if version.param("strictly_more") is not True or version.param("base") != "all_members":
        raise PolicyDataError(f"{version.version_id}: only 'more than fraction x all members' is implemented")
    return Fraction(str(version.param("fraction")))


def validate_vote(vote: CommitteeVote, *, members: Collection[str], candidates: Collection[str],
                  already_cast: Iterable[CommitteeVote] = ()) -> None:
    """Reject a vote by a non-member, on an unlisted candidate, or a second vote on the same one."""
    if vote.member_id not in members:
        raise DomainValidationError("committee_vote_non_member", "Người bỏ phiếu không phải là ủy viên",
                                    "The voter is not a member of the committee", "member_id")
    if vote.candidate_id not in candidates:
        raise DomainValidationError("committee_vote_unknown_candidate", "Nhân sự không có trong danh sách",
                                    "The candidate is not on the list", "candidate_id")
    if any(v.member_id == vote.member_id and v.candidate_id == vote.candidate_id for v in already_cast):
        raise DomainValidationError("committee_vote_duplicate", "Ủy viên đã biểu quyết cho nhân sự này",
                                    "The member has already voted on this candidate", "member_id")
    VoteChoice(vote.choice)


def decide(*, members: Collection[str], candidates: Sequence[str], votes: Iterable[CommitteeVote],
           fraction: Fraction = Fraction(1, 2), version_id: str | None = None) -> CommitteeResult:
    """Count the votes; a candidate is approved iff approvals > fraction × number of members."""
    member_set = set(members)
    if not member_set:
        raise DomainValidationError("committee_no_members", "Ban Thường vụ chưa có ủy viên",
                                    "The committee has no members", "members")
    if len(set(candidates)) != len(candidates):
        raise DomainValidationError("committee_duplicate_candidate", "Danh sách có nhân sự trùng lặp",
                                    "The list names a candidate twice", "candidates")
    cast: list[CommitteeVote] = []
    seen: dict[tuple[str, str], CommitteeVote] = {}
    for vote in votes:
        earlier = seen.get((vote.member_id, vote.candidate_id))
        validate_vote(vote, members=member_set, candidates=candidates, already_cast=(earlier,) if earlier else ())
        seen[(vote.member_id, vote.candidate_id)] = vote
        cast.append(vote)
    decisions = []
    for cid in candidates:
        choices = [VoteChoice(v.choice) for v in cast if v.candidate_id == cid]
        approvals = choices.count(VoteChoice.APPROVE)
        decisions.append(CandidateDecision(
            candidate_id=cid, approvals=approvals, rejections=choices.count(VoteChoice.REJECT),
            abstentions=choices.count(VoteChoice.ABSTAIN), not_voted=len(member_set) - len(choices),
            approved=approvals > fraction * len(member_set)))
    return CommitteeResult(members_total=len(member_set), fraction=fraction, decisions=tuple(decisions),
                           version_id=version_id)
