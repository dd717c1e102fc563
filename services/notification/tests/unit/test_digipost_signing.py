"""Digipost's canonical request string, byte for byte as its documentation shows."""

from __future__ import annotations

from notification.adapters.digipost import canonical_string


def test_a_post_signs_method_path_date_hash_sender_and_an_empty_query_line():
    text = canonical_string("post", "/Messages", "Wed, 29 Jun 2011 14:58:11 GMT", "q1MK=", "9999")

    assert text == (
        "POST\n/messages\ndate: Wed, 29 Jun 2011 14:58:11 GMT\n"
        "x-content-sha256: q1MK=\nx-digipost-userid: 9999\n\n"
    )


def test_a_get_has_no_hash_line():
    text = canonical_string("GET", "/", "D", None, "9999", "a=1")

    assert text == "GET\n/\ndate: D\nx-digipost-userid: 9999\na=1\n"
