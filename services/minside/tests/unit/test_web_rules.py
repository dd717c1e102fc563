"""Small web rules: where a login may return to, and what the CSP allows."""

from __future__ import annotations

import pytest

from minside.web.auth_routes import safe_next
from minside.web.security import content_security_policy


@pytest.mark.parametrize(
    ("asked", "allowed"),
    [
        ("/claims/1", "/claims/1"),
        (None, "/"),
        ("https://evil.example/", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_a_login_returns_only_to_a_local_path(asked, allowed):
    assert safe_next(asked) == allowed


def test_the_csp_allows_no_inline_code_and_forms_only_to_known_origins():
    csp = content_security_policy(["https://login.idporten.no", ""])

    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "form-action 'self' https://login.idporten.no;" in csp
    assert "unsafe" not in csp and "frame-ancestors 'none'" in csp
