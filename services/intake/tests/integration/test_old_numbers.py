"""Claims under a municipality's old number go to the successor that serves it today."""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from intake import db
from intake.domain.claims import CLAIM_TYPES, Municipality
from intake_factories import claim_body
from rules.municipalities import register_from

KONGSBERG = "942402465"
ORKLAND = "910000004"  # made up, valid check digit: the demo office does not serve Orkland


async def stored_claim(intake, claim_id: str) -> sa.Row:
    async with intake.app.state.container.runtime.engine.connect() as conn:
        return (await conn.execute(sa.select(db.claim).where(db.claim.c.id == claim_id))).one()


async def registered_payload(intake, claim_id: str) -> dict:
    async with intake.app.state.container.runtime.engine.connect() as conn:
        body = (
            await conn.execute(
                sa.text("SELECT body FROM outbox WHERE message_key = :key"), {"key": claim_id}
            )
        ).scalar_one()
    return json.loads(body)["payload"]


async def serve_orkland(intake) -> None:
    orkland = Municipality("5059", "Orkland kommune", ORKLAND, CLAIM_TYPES)
    async with intake.app.state.container.runtime.engine.begin() as conn:
        await db.upsert_municipality(conn, orkland)


async def test_a_claim_under_3005_registers_under_3301_with_3005_kept(intake):
    response = await intake.client.post(
        "/v1/claims", json=claim_body(municipality="3005"), headers=intake.token()
    )

    assert response.status_code == 201, response.text
    claim = response.json()
    assert (claim["municipality"], claim["original_municipality"]) == ("3301", "3005")
    row = await stored_claim(intake, claim["id"])
    assert (row.municipality, row.original_municipality) == ("3301", "3005")
    payload = await registered_payload(intake, claim["id"])
    assert (payload["municipality"], payload["original_municipality"]) == ("3301", "3005")


async def test_a_claim_of_merged_svelvik_is_collected_by_drammen(intake):
    response = await intake.client.post(
        "/v1/claims", json=[claim_body(municipality="0711")], headers=intake.token()
    )

    [result] = response.json()["results"]
    assert result["status"] == "registered", result
    assert (result["municipality"], result["original_municipality"]) == ("3301", "0711")


async def test_a_claim_under_the_current_number_keeps_no_original(intake):
    response = await intake.client.post("/v1/claims", json=claim_body(), headers=intake.token())

    assert response.json()["original_municipality"] is None


async def test_another_municipality_may_not_submit_under_drammens_old_number(intake):
    response = await intake.client.post(
        "/v1/claims", json=claim_body(municipality="3005"), headers=intake.token(KONGSBERG)
    )

    assert response.status_code == 403
    assert response.json()["code"] == "claim.municipality_not_permitted"


async def test_a_claim_under_split_snillfjord_is_refused_naming_the_candidates(intake):
    await serve_orkland(intake)

    response = await intake.client.post(
        "/v1/claims", json=claim_body(municipality="5012"), headers=intake.token(ORKLAND)
    )

    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "claim.municipality_split"
    assert "5055, 5056, 5059" in problem["errors"][0]["message"]


async def test_a_claim_under_snillfjord_naming_orkland_registers_under_orkland(intake):
    await serve_orkland(intake)
    body = claim_body(municipality="5012", successor_municipality="5059")

    response = await intake.client.post("/v1/claims", json=body, headers=intake.token(ORKLAND))

    assert response.status_code == 201, response.text
    claim = response.json()
    assert (claim["municipality"], claim["original_municipality"]) == ("5059", "5012")


async def test_a_named_municipality_that_is_no_successor_is_refused(intake):
    body = claim_body(municipality="5012", successor_municipality="3301")

    response = await intake.client.post("/v1/claims", json=body, headers=intake.token())

    assert response.status_code == 422
    assert response.json()["code"] == "claim.successor_invalid"


async def test_a_claim_for_a_municipality_that_left_the_office_is_refused(
    intake, tmp_path, monkeypatch
):
    office = tmp_path / "left.toml"
    office.write_text(f'[[departure]]\nnumber = "3301"\non = {date.today()}\n', encoding="utf-8")
    monkeypatch.setattr(intake.app.state.container, "register", register_from(str(office)))

    response = await intake.client.post(
        "/v1/claims", json=claim_body(municipality="3005"), headers=intake.token()
    )

    assert response.status_code == 422
    assert response.json()["code"] == "claim.municipality_left"
