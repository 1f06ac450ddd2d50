"""The campaign workflow continues as new at step boundaries once its history is long, and resumes at the next
step from selection's database (here forced with a threshold of one event)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from contracts import queues
from contracts.selection import CampaignInput
from services.selection.schemas import CampaignCreate
from services.selection.service import campaigns
from shared.audit import Actor
from shared.uow import unit_of_work
from tests.unit.selection.support import campaign_payload, harness, unique_number


async def test_the_campaign_continues_as_new_between_steps_and_still_decides(tmp_path: Path) -> None:
    async with harness(tmp_path) as h:
        now = datetime.now(UTC)
        body = campaign_payload(unique_number(), now, conferences=[
            {"code": "HN-1", "roster": ["v1", "v2"], "max_names": 1,
             "close_at": (now + timedelta(days=1)).isoformat()}])
        async with unit_of_work(h.ctx) as uow:
            campaign = await campaigns.create_campaign(uow, data=CampaignCreate.model_validate(body),
                                                       actor=Actor("btc.nguyenvanhai", "organization_board"))
        handle = await h.env.client.start_workflow("SelectionCampaign", CampaignInput(campaign.id,
                                                                                      continue_after_events=1),
                                                   id=campaign.workflow_id, task_queue=queues.WORKFLOWS)
        first_run = handle.result_run_id
        await h.env.sleep(timedelta(days=2))
        confirm = (await h.portal.wait_for("nomination_confirmation", 1))[0]
        assert confirm.run_id == first_run
        await h.portal.complete(confirm, actor="btc.tranthithu", role="organization_board", action="confirm")
        screening = (await h.portal.wait_for("screening_confirmation", 1))[0]
        assert screening.run_id != first_run  # a new run, resumed at the screening step
        await h.portal.complete(screening, actor="btc.nguyenvanhai", role="organization_board", action="confirm")
        result = await h.env.client.get_workflow_handle(campaign.workflow_id).result()
        assert result["step"] == "decided"
        runs = {t.run_id for t in h.portal.created if t.workflow_id == campaign.workflow_id}
        assert len(runs) == 2
        status = (await h.http.get(f"/campaigns/{campaign.id}", headers=h.board)).json()
        assert status["step"] == "decided"
