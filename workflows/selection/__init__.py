"""The selection campaign's workflows: the parent campaign and its children (conference, paper, committee)."""

from __future__ import annotations


def workflow_types() -> list[type]:
    """The selection workflows, for the workflows worker."""
    from workflows.selection.campaign import SelectionCampaign
    from workflows.selection.committee import CommitteeVote
    from workflows.selection.essay import PaperMarking
    from workflows.selection.nomination import NominationConference

    return [SelectionCampaign, NominationConference, PaperMarking, CommitteeVote]
