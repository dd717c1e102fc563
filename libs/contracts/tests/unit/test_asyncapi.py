import json
from typing import Any
from urllib.parse import unquote

from contracts import EVENTS
from contracts.export import asyncapi_document


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in refs(item)]
    return []


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in unquote(ref.removeprefix("#/")).split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_asyncapi_document_is_version_3_json() -> None:
    document = json.loads(json.dumps(asyncapi_document()))

    assert document["asyncapi"].startswith("3.")
    assert document["info"]["title"] == "Kravflyt events"


def test_asyncapi_has_a_channel_per_event_type_on_its_own_subject() -> None:
    channels = asyncapi_document()["channels"]

    assert set(channels) == set(EVENTS)
    assert {c["address"] for c in channels.values()} == {f"kravflyt.{e}" for e in EVENTS}


def test_asyncapi_messages_carry_the_whole_envelope() -> None:
    document = asyncapi_document()

    message = resolve(
        document, document["channels"]["claims.registered.v1"]["messages"]["Message"]["$ref"]
    )
    payload = resolve(document, message["payload"]["$ref"])

    assert payload["title"] == "Envelope[ClaimRegisteredV1]"
    assert {"id", "type", "tenant", "subject", "occurred_at", "payload"} <= set(payload["required"])


def test_every_reference_in_the_asyncapi_document_resolves() -> None:
    document = asyncapi_document()

    for ref in refs(document):
        assert resolve(document, ref) is not None, ref
