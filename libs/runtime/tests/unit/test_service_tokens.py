"""Service tokens: the JWT grant a service sends to Maskinporten, and its cache."""

from urllib.parse import parse_qs

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from runtime.service_tokens import GRANT_TYPE, JwtGrantTokens


async def test_the_grant_names_client_scope_and_audience_and_the_token_is_cached():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    grants: list[dict[str, object]] = []

    def maskinporten(request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        assert form["grant_type"] == [GRANT_TYPE]
        grants.append(
            jwt.decode(form["assertion"][0], key.public_key(), algorithms=["RS256"], audience="mp")
        )
        return httpx.Response(200, json={"access_token": f"t{len(grants)}", "expires_in": 120})

    tokens = JwtGrantTokens(
        token_url="https://mp.example/token",
        audience="mp",
        client_id="kravflyt-minside",
        private_key_pem=pem,
        resource="https://kravflyt.example",
        http=httpx.AsyncClient(transport=httpx.MockTransport(maskinporten)),
    )

    first = await tokens(["kravflyt:payments.citizen"])
    again = await tokens(["kravflyt:payments.citizen"])
    other = await tokens(["kravflyt:documents.citizen"])

    assert (first, again, other) == ("t1", "t1", "t2")
    assert grants[0]["iss"] == "kravflyt-minside"
    assert grants[0]["scope"] == "kravflyt:payments.citizen"
    assert grants[0]["resource"] == "https://kravflyt.example"


async def test_local_tokens_are_kept_per_scope_until_shortly_before_they_expire(tmp_path):
    from runtime.local_issuer import LocalIssuer
    from runtime.service_tokens import local_tokens

    issue = local_tokens(tmp_path, client_id="minside", orgnr="999999999")

    first, again = await issue(["a", "b"]), await issue(["b", "a"])
    other = await issue(["c"])

    assert first == again != other
    principal = LocalIssuer.load_or_create(tmp_path).verifier().verify(first)
    assert (principal.client_id, principal.scopes) == ("minside", frozenset({"a", "b"}))
