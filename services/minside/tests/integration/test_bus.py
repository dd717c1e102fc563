"""Events from the real NATS JetStream stream reach the pages, once each."""

from __future__ import annotations

import asyncio

import nats

from minside_factories import balance, event, fodselsnummer, payment, registered


async def _publish(nats_url: str, *envelopes, msg_id_suffix: str = "") -> None:
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        for e in envelopes:
            headers = {"Nats-Msg-Id": f"{e.id}{msg_id_suffix}"}
            await js.publish(f"kravflyt.{e.type}", e.model_dump_json().encode(), headers=headers)
    finally:
        await nc.close()


async def _eventually(check, within: float = 15.0):
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(0.1)


async def test_a_payment_on_the_bus_lowers_the_balance_on_the_page(minside, nats_url):
    pid = fodselsnummer()
    ref = minside.ref(pid)
    claim = registered(ref, principal_ore=400_000, description="Husleie desember")
    claim_id = claim.payload.claim_id
    await _publish(nats_url, claim, balance(ref, claim_id, principal_ore=400_000))
    client = await minside.login(minside.idporten.person(pid))

    async def shows(amount: str):
        page = await client.get(f"/claims/{claim_id}")
        return page.status_code == 200 and amount in page.text.replace("\u00a0", " ")

    before = await _eventually(lambda: shows("4 000,00 kr"))
    received, allocated = payment(claim_id, 150_000)
    after_balance = balance(ref, claim_id, principal_ore=250_000, paid_ore=150_000, cause="payment")
    await _publish(nats_url, received, allocated, after_balance)
    after = await _eventually(lambda: shows("2 500,00 kr"))

    assert before and after


async def test_an_event_published_twice_is_shown_once(minside, nats_url):
    pid = fodselsnummer()
    ref = minside.ref(pid)
    claim = registered(ref)
    received, allocated = payment(claim.payload.claim_id, 25_000)
    # A republish outside JetStream's duplicate window reaches the consumer again.
    await _publish(nats_url, claim, received, allocated)
    await _publish(nats_url, allocated, msg_id_suffix="-again")
    client = await minside.login(minside.idporten.person(pid))

    async def page_text():
        page = await client.get(f"/claims/{claim.payload.claim_id}")
        return page.text if "Vipps" in page.text else ""

    text = await _eventually(page_text)
    await asyncio.sleep(0.5)
    text = (await client.get(f"/claims/{claim.payload.claim_id}")).text

    assert text.count("<td>Vipps</td>") == 1


async def test_a_claim_left_in_the_topic_as_claims_registered_v1_still_reaches_the_page(
    minside, nats_url
):
    pid = fodselsnummer()
    ref = minside.ref(pid)
    sealed = registered(ref, principal_ore=123_400, description="Feiing fra før omleggingen")
    fields = sealed.payload.model_dump(exclude={"debtor_details_sealed"})
    clear = event(
        "claims.registered.v1", **fields, debtor_name="Kari Nordmann", debtor_address=None
    )
    await _publish(nats_url, clear)
    client = await minside.login(minside.idporten.person(pid))

    async def shows():
        page = await client.get(f"/claims/{fields['claim_id']}")
        return page.status_code == 200 and "Feiing fra før omleggingen" in page.text

    assert await _eventually(shows)
