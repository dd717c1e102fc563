"""Min side as a service client: the token notification accepts for a citizen's letter."""

from __future__ import annotations

from minside.clients import DOCUMENTS_SCOPE
from runtime.local_issuer import LocalIssuer
from runtime.service_tokens import local_tokens


async def test_make_run_tokens_name_minside_and_carry_the_documents_scope(tmp_path):
    issue = local_tokens(tmp_path / "issuer", client_id="minside", orgnr="999999999")

    principal = (
        LocalIssuer.load_or_create(tmp_path / "issuer")
        .verifier()
        .verify(await issue([DOCUMENTS_SCOPE]))
    )

    assert principal.client_id == "minside"
    assert DOCUMENTS_SCOPE in principal.scopes
