import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Annotated, Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey

from runtime.auth import (
    AuthError,
    ForbiddenError,
    JwksUnavailableError,
    Principal,
    TokenVerifier,
    bearer_principal,
    bearer_token,
    require_scope,
    requires_scope,
)
from runtime.local_issuer import LocalIssuer

ORGNR = "974760673"


@pytest.fixture
def issuer(tmp_path: Path) -> LocalIssuer:
    return LocalIssuer.load_or_create(tmp_path / "issuer")


@pytest.fixture
def verifier(issuer: LocalIssuer) -> TokenVerifier:
    return issuer.verifier()


def valid_claims(issuer: LocalIssuer) -> dict[str, Any]:
    now = int(datetime.now(UTC).timestamp())
    return {
        "iss": issuer.issuer,
        "aud": issuer.audience,
        "client_id": "client-1",
        "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{ORGNR}"},
        "scope": "kravflyt:krav.write",
        "iat": now,
        "exp": now + 60,
    }


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def sign_with_issuer_key(issuer: LocalIssuer, claims: dict[str, Any]) -> str:
    pem = (issuer.directory / "signing-key.pem").read_bytes()
    return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": issuer.kid})


def auth_code(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(AuthError) as caught:
        verifier.verify(token)
    assert caught.value.status == 401
    return caught.value.code


def test_valid_token_verifies_to_its_principal(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    token = issuer.issue_token(orgnr=ORGNR, scopes=["a:read", "a:write"], client_id="c-1")

    principal = verifier.verify(token)

    assert principal == Principal(
        client_id="c-1", orgnr=ORGNR, scopes=frozenset({"a:read", "a:write"})
    )


def test_expired_token_is_rejected_as_expired(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    token = issuer.issue_token(
        orgnr=ORGNR, scopes=["s"], now=datetime.now(UTC) - timedelta(hours=2)
    )

    assert auth_code(verifier, token) == "auth.token_expired"


def test_token_expired_within_the_leeway_is_still_accepted(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    token = issuer.issue_token(
        orgnr=ORGNR,
        scopes=["s"],
        lifetime_seconds=60,
        now=datetime.now(UTC) - timedelta(seconds=70),
    )

    assert verifier.verify(token).orgnr == ORGNR


def test_token_for_another_audience_is_rejected(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    other = LocalIssuer.load_or_create(issuer.directory, issuer=issuer.issuer, audience="other")

    token = other.issue_token(orgnr=ORGNR, scopes=["s"])

    assert auth_code(verifier, token) == "auth.wrong_audience"


def test_token_from_another_issuer_is_rejected(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    other = LocalIssuer.load_or_create(issuer.directory, issuer="https://evil.example")

    token = other.issue_token(orgnr=ORGNR, scopes=["s"])

    assert auth_code(verifier, token) == "auth.wrong_issuer"


def test_token_signed_by_another_key_under_a_known_kid_is_rejected(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    token = jwt.encode(
        valid_claims(issuer), stranger, algorithm="RS256", headers={"kid": issuer.kid}
    )

    assert auth_code(verifier, token) == "auth.token_invalid"


def test_token_from_an_unknown_key_is_rejected(
    tmp_path: Path, verifier: TokenVerifier, issuer: LocalIssuer
) -> None:
    stranger = LocalIssuer.load_or_create(tmp_path / "stranger", issuer=issuer.issuer)

    token = stranger.issue_token(orgnr=ORGNR, scopes=["s"])

    assert auth_code(verifier, token) == "auth.token_invalid"


@pytest.mark.parametrize(
    "change",
    [
        {"consumer": None},
        {"consumer": {"authority": "other", "ID": f"0192:{ORGNR}"}},
        {"consumer": {"authority": "iso6523-actorid-upis", "ID": ORGNR}},
        {"consumer": {"authority": "iso6523-actorid-upis", "ID": "0192:12345"}},
        {"client_id": None},
        {"scope": ["a", "b"]},
        {"exp": None},
        {"iss": None},
        {"aud": None},
        {"iat": "yesterday"},
    ],
)
def test_token_with_missing_or_malformed_claims_is_rejected(
    issuer: LocalIssuer, verifier: TokenVerifier, change: dict[str, Any]
) -> None:
    claims = valid_claims(issuer) | change
    token = sign_with_issuer_key(issuer, {k: v for k, v in claims.items() if v is not None})

    assert auth_code(verifier, token) == "auth.token_invalid"


def test_token_not_yet_valid_is_rejected(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    claims = valid_claims(issuer) | {"nbf": int(datetime.now(UTC).timestamp()) + 600}

    token = sign_with_issuer_key(issuer, claims)

    assert auth_code(verifier, token) == "auth.token_invalid"


def test_unsigned_token_with_alg_none_is_rejected(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    token = jwt.encode(valid_claims(issuer), "", algorithm="none", headers={"kid": issuer.kid})

    assert auth_code(verifier, token) == "auth.token_invalid"


def test_hmac_token_keyed_with_the_public_key_is_rejected(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    # PyJWT refuses to sign this, so build the classic key-confusion token by hand.
    public_pem = (
        serialization.load_pem_private_key(
            (issuer.directory / "signing-key.pem").read_bytes(), password=None
        )
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": issuer.kid}).encode())
    payload = b64(json.dumps(valid_claims(issuer)).encode())
    mac = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()

    token = f"{header}.{payload}.{b64(mac)}"

    assert auth_code(verifier, token) == "auth.token_invalid"


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.e30."])
def test_garbage_is_rejected_as_invalid(verifier: TokenVerifier, token: str) -> None:
    assert auth_code(verifier, token) == "auth.token_invalid"


def test_empty_token_is_reported_missing(verifier: TokenVerifier) -> None:
    assert auth_code(verifier, "") == "auth.token_missing"


def test_file_jwks_picks_up_a_rotated_key(issuer: LocalIssuer, verifier: TokenVerifier) -> None:
    verifier.verify(issuer.issue_token(orgnr=ORGNR, scopes=["s"]))
    issuer.rotate_key()

    principal = verifier.verify(issuer.issue_token(orgnr=ORGNR, scopes=["s"]))

    assert principal.orgnr == ORGNR


def test_es256_token_verifies_against_an_ec_key_in_the_jwks(tmp_path: Path) -> None:
    private_key = ec.generate_private_key(ec.SECP256R1())
    jwk = dict(ECKey.import_key(private_key.public_key()).as_dict(private=False))
    jwks_path = tmp_path / "jwks.json"
    jwks_path.write_text(json.dumps({"keys": [jwk | {"kid": "ec1", "alg": "ES256"}]}))
    verifier = TokenVerifier("https://issuer", "kravflyt", jwks_path.as_uri())
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "iss": "https://issuer",
        "aud": "kravflyt",
        "iat": now,
        "exp": now + 60,
        "client_id": "c",
        "consumer": {"authority": "iso6523-actorid-upis", "ID": f"0192:{ORGNR}"},
    }

    token = jwt.encode(claims, private_key, algorithm="ES256", headers={"kid": "ec1"})

    assert verifier.verify(token) == Principal("c", ORGNR, frozenset())


def test_missing_jwks_file_is_reported_as_unavailable_not_as_a_bad_token(
    tmp_path: Path, issuer: LocalIssuer
) -> None:
    verifier = TokenVerifier(issuer.issuer, issuer.audience, (tmp_path / "none.json").as_uri())

    with pytest.raises(JwksUnavailableError) as caught:
        verifier.verify(issuer.issue_token(orgnr=ORGNR, scopes=["s"]))

    assert caught.value.status == 503
    assert caught.value.code == "auth.jwks_unavailable"


def test_unsupported_jwks_url_scheme_is_refused() -> None:
    with pytest.raises(ValueError):
        TokenVerifier("https://issuer", "kravflyt", "ftp://example/jwks.json")


@pytest.fixture
def jwks_server(issuer: LocalIssuer) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = issuer.jwks_path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()
    server.server_close()


def test_http_jwks_verifies_a_token(issuer: LocalIssuer, jwks_server: str) -> None:
    verifier = TokenVerifier(issuer.issuer, issuer.audience, jwks_server)

    principal = verifier.verify(issuer.issue_token(orgnr=ORGNR, scopes=["s"]))

    assert principal.orgnr == ORGNR


def test_require_scope_passes_a_granted_scope_and_forbids_a_missing_one() -> None:
    principal = Principal("c", ORGNR, frozenset({"krav.read"}))

    require_scope(principal, "krav.read")
    with pytest.raises(ForbiddenError) as caught:
        require_scope(principal, "krav.write")

    assert caught.value.code == "auth.scope_missing"
    assert caught.value.status == 403


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer a b"])
def test_bearer_token_rejects_missing_or_malformed_headers(header: str | None) -> None:
    with pytest.raises(AuthError) as caught:
        bearer_token(header)

    assert caught.value.code == "auth.token_missing"
    assert caught.value.headers == {"WWW-Authenticate": "Bearer"}


def test_bearer_token_accepts_any_case_of_the_scheme() -> None:
    assert bearer_token("bearer abc.def.ghi") == "abc.def.ghi"


def make_app(verifier: TokenVerifier) -> TestClient:
    app = FastAPI()

    # Stand-in for the problems module, which maps errors carrying code/message/status.
    @app.exception_handler(AuthError)
    @app.exception_handler(ForbiddenError)
    async def as_json(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AuthError | ForbiddenError)
        return JSONResponse({"code": exc.code}, status_code=exc.status, headers=exc.headers)

    @app.get("/whoami")
    def whoami(principal: Annotated[Principal, Depends(bearer_principal(verifier))]) -> str:
        return principal.orgnr

    @app.post("/claims")
    def submit(
        principal: Annotated[Principal, Depends(requires_scope(verifier, "krav.write"))],
    ) -> str:
        return principal.client_id

    return TestClient(app)


def test_dependency_answers_401_with_a_bearer_challenge_without_a_header(
    verifier: TokenVerifier,
) -> None:
    client = make_app(verifier)

    response = client.get("/whoami")

    assert response.status_code == 401
    assert response.json() == {"code": "auth.token_missing"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_dependency_answers_401_for_an_invalid_token(verifier: TokenVerifier) -> None:
    client = make_app(verifier)

    response = client.get("/whoami", headers={"Authorization": "Bearer garbage"})

    assert response.status_code == 401
    assert response.json() == {"code": "auth.token_invalid"}
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_dependency_gives_the_route_the_verified_principal(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    client = make_app(verifier)
    token = issuer.issue_token(orgnr=ORGNR, scopes=["krav.read"])

    response = client.get("/whoami", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert response.json() == ORGNR


def test_scoped_dependency_answers_403_without_the_scope_and_200_with_it(
    issuer: LocalIssuer, verifier: TokenVerifier
) -> None:
    client = make_app(verifier)
    reader = issuer.issue_token(orgnr=ORGNR, scopes=["krav.read"])
    writer = issuer.issue_token(orgnr=ORGNR, scopes=["krav.write"], client_id="w")

    forbidden = client.post("/claims", headers={"Authorization": f"Bearer {reader}"})
    allowed = client.post("/claims", headers={"Authorization": f"Bearer {writer}"})

    assert forbidden.status_code == 403
    assert forbidden.json() == {"code": "auth.scope_missing"}
    assert allowed.status_code == 200
    assert allowed.json() == "w"


def test_bearer_principal_returns_one_dependency_per_verifier(verifier: TokenVerifier) -> None:
    assert bearer_principal(verifier) is bearer_principal(verifier)


def test_a_staff_token_names_the_caseworker_roles_and_municipalities(tmp_path):
    from runtime.auth import staff_principal
    from runtime.local_issuer import LocalIssuer

    issuer = LocalIssuer.load_or_create(
        tmp_path / "office-idp", issuer="http://idp", audience="kravflyt-staff"
    )
    token = issuer.issue_staff_token(
        subject="cw-1",
        name="Kari Saksbehandler",
        roles=["caseworker"],
        municipalities=["3301", "3312"],
    )

    staff = staff_principal(issuer.verifier().verify_claims(token))

    assert staff.subject == "cw-1"
    assert staff.roles == frozenset({"caseworker"})
    assert staff.serves("3301") and not staff.serves("3303")


def test_a_staff_token_with_a_malformed_municipality_is_refused(tmp_path):
    from runtime.auth import staff_principal
    from runtime.local_issuer import LocalIssuer

    issuer = LocalIssuer.load_or_create(tmp_path / "office-idp")
    token = issuer.issue_staff_token(subject="cw-1", name="x", roles=[], municipalities=["33"])

    with pytest.raises(AuthError) as raised:
        staff_principal(issuer.verifier().verify_claims(token))

    assert raised.value.code == "auth.token_invalid"
