"""The debtor's name and address come in sealed and go out sealed; dunning opens them in between."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.claims import DebtorDetails
from dunning_harness import DEBTOR
from runtime.personal_data import PersonalDataKeys, open_details, seal_details

pytestmark = pytest.mark.integration


async def test_a_letter_request_carries_the_debtor_sealed_and_never_in_clear(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20))

    await dunning.run_days(date(2026, 3, 20), date(2026, 3, 23))

    [notice] = await dunning.events("notices.requested.v2", await dunning.case_of(claim))
    payload = notice["payload"]
    assert "debtor_name" not in payload
    assert "debtor_address" not in payload
    assert open_details(dunning.container.keys, payload["debtor_details_sealed"]) == DEBTOR
    [body] = await dunning.rows("SELECT body FROM outbox WHERE event_type LIKE 'notices.%'")
    assert "Kari" not in body.body
    assert "Storgata" not in body.body
    assert await dunning.events("notices.requested.v1") == []


async def test_the_hand_over_to_enforcement_names_the_debtor_it_opened(dunning):
    dunning.clock.set(date(2026, 3, 20))
    claim = await dunning.register(due=date(2026, 3, 20), municipality="3303")

    await dunning.run_days(date(2026, 3, 20), date(2026, 5, 15))

    [handover] = await dunning.work_items(kind="handover")
    assert handover["case_id"] == str(await dunning.case_of(claim))
    assert handover["details"]["debtor_name"] == "Kari Nordmann"


async def test_a_claim_left_in_the_topic_as_v1_gets_letters_with_its_name_sealed(dunning):
    dunning.clock.set(date(2026, 3, 20))
    before = DebtorDetails(name="Ola Fraførnå", address=None)
    claim = await dunning.register(due=date(2026, 3, 20), debtor=before, clear=True)

    await dunning.run_days(date(2026, 3, 20), date(2026, 3, 23))

    [notice] = await dunning.events("notices.requested.v2", await dunning.case_of(claim))
    assert (
        open_details(dunning.container.keys, notice["payload"]["debtor_details_sealed"]) == before
    )


async def test_details_no_configured_key_opens_are_refused_for_the_dead_letters(dunning):
    foreign = PersonalDataKeys.generate("gone1")

    with pytest.raises(Exception, match="debtor_details_sealed") as caught:
        await dunning.register(due=date(2026, 3, 20), details_sealed=seal_details(foreign, DEBTOR))

    assert "Kari" not in str(caught.value)
    assert type(caught.value).__name__ == "PermanentError"
