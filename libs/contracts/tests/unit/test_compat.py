from typing import Any

from contracts.compat import breaking_changes, breaking_changes_between


def envelope(**payload_properties: Any) -> dict[str, Any]:
    return {
        "$defs": {
            "Payload": {
                "properties": payload_properties,
                "required": sorted(payload_properties),
                "type": "object",
            },
        },
        "properties": {"payload": {"$ref": "#/$defs/Payload"}},
        "required": ["payload"],
        "title": "Envelope[Payload]",
        "type": "object",
    }


DATE = {"format": "date", "type": "string"}
OPTIONAL_ADDRESS = {"anyOf": [{"$ref": "#/$defs/Address"}, {"type": "null"}], "default": None}


def with_address(schema: dict[str, Any], *lines: str) -> dict[str, Any]:
    schema["$defs"]["Address"] = {
        "properties": {line: {"type": "string"} for line in lines},
        "type": "object",
    }
    return schema


def test_date_becoming_a_timestamp_is_breaking() -> None:
    old = envelope(due_date=DATE)
    new = envelope(due_date={"format": "date-time", "type": "string"})

    assert breaking_changes(old, new, "claims.registered.v1") == [
        "claims.registered.v1: payload.due_date: type changed from string:date to string:date-time"
    ]


def test_event_name_defaults_to_the_schema_title() -> None:
    old = envelope(amount_ore={"type": "integer"})

    assert breaking_changes(old, envelope()) == [
        "Envelope[Payload]: payload.amount_ore: property removed (or renamed)"
    ]


def test_making_a_field_nullable_is_breaking() -> None:
    old = envelope(kid={"type": "string"})
    new = envelope(kid={"anyOf": [{"type": "string"}, {"type": "null"}]})

    assert breaking_changes(old, new, "e") == [
        "e: payload.kid: type changed from string to null | string"
    ]


def test_optional_field_becoming_required_is_breaking() -> None:
    old = envelope(kid={"type": "string"})
    old["$defs"]["Payload"]["required"] = []

    assert breaking_changes(old, envelope(kid={"type": "string"}), "e") == [
        "e: payload.kid: property became required"
    ]


def test_enum_restriction_added_and_values_removed_or_added_are_breaking() -> None:
    free = envelope(kind={"type": "string"})
    two = envelope(kind={"enum": ["person", "organisation"], "type": "string"})
    one = envelope(kind={"const": "person", "type": "string"})

    assert breaking_changes(free, two, "e") == [
        "e: payload.kind: enum restriction added: ['person', 'organisation']"
    ]
    assert breaking_changes(two, one, "e") == ["e: payload.kind: enum value 'organisation' removed"]
    assert breaking_changes(one, two, "e") == ["e: payload.kind: enum value 'organisation' added"]


def test_changes_inside_a_nullable_nested_model_are_found() -> None:
    old = with_address(envelope(address=OPTIONAL_ADDRESS), "city", "postal_code")
    new = with_address(envelope(address=OPTIONAL_ADDRESS), "city")

    assert breaking_changes(old, new, "e") == [
        "e: payload.address.postal_code: property removed (or renamed)"
    ]


def test_changes_inside_array_items_are_found() -> None:
    old = envelope(lines={"items": {"type": "string"}, "type": "array"})
    new = envelope(lines={"items": {"type": "integer"}, "type": "array"})

    assert breaking_changes(old, new, "e") == [
        "e: payload.lines[]: type changed from string to integer"
    ]


def test_tightened_constraint_is_breaking() -> None:
    old = envelope(invoice_number={"maxLength": 64, "type": "string"})
    new = envelope(invoice_number={"maxLength": 32, "type": "string"})

    assert breaking_changes(old, new, "e") == [
        "e: payload.invoice_number: constraint maxLength changed from 64 to 32"
    ]


def test_descriptions_titles_and_definition_names_do_not_matter() -> None:
    old = envelope(amount_ore={"type": "integer"})
    new = envelope(amount_ore={"description": "The reduction.", "title": "A", "type": "integer"})
    new["$defs"] = {"Renamed": new["$defs"].pop("Payload")}
    new["properties"]["payload"] = {"$ref": "#/$defs/Renamed", "description": "The payload."}

    assert breaking_changes(old, new, "e") == []


def test_self_referencing_schema_terminates() -> None:
    node = {"$ref": "#/$defs/Node"}
    schema = {
        "$defs": {"Node": {"properties": {"next": node}, "type": "object"}},
        "properties": {"head": node},
        "type": "object",
    }

    assert breaking_changes(schema, schema, "e") == []


def test_new_event_type_is_not_breaking() -> None:
    schema = envelope(amount_ore={"type": "integer"})

    assert breaking_changes_between({"a.b.v1": schema}, {"a.b.v1": schema, "a.c.v1": {}}) == []


def test_branching_self_reference_is_walked_once() -> None:
    tree = {"$ref": "#/$defs/Tree"}
    schema = {
        "$defs": {"Tree": {"properties": {"left": tree, "right": tree}, "type": "object"}},
        "properties": {"root": tree},
        "type": "object",
    }
    changed = {**schema, "$defs": {"Tree": {"properties": {"left": tree}, "type": "object"}}}

    assert breaking_changes(schema, changed, "e") == [
        "e: root.right: property removed (or renamed)"
    ]
