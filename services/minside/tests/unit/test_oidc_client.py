"""The relying party's answers when the provider cannot be reached or says too little."""

from __future__ import annotations

import pytest

from minside.oidc import LoginError, OidcClient, _check_person
from runtime.embedded import free_port


async def test_an_unreachable_provider_is_a_login_error_not_a_crash():
    client = OidcClient(f"http://127.0.0.1:{free_port()}", "minside", "secret", "https://x/cb")

    with pytest.raises(LoginError) as refused:
        await client.start("nb")

    assert refused.value.code == "login.provider_unavailable"


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        (
            {"nonce": "other", "acr": "idporten-loa-high", "pid": "15038512345"},
            "login.nonce_mismatch",
        ),
        ({"nonce": "n", "acr": "idporten-loa-low", "pid": "15038512345"}, "login.acr_too_low"),
        ({"nonce": "n", "pid": "15038512345"}, "login.acr_too_low"),
        ({"nonce": "n", "acr": "idporten-loa-substantial"}, "login.pid_missing"),
        ({"nonce": "n", "acr": "idporten-loa-substantial", "pid": "kari"}, "login.pid_missing"),
    ],
)
def test_a_token_without_the_right_nonce_level_or_person_is_refused(claims, code):
    with pytest.raises(LoginError) as refused:
        _check_person(claims, "n")

    assert refused.value.code == code
