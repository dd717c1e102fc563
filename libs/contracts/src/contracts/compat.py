"""Find the changes between two JSON Schemas that would break a producer or a consumer.

Breaking: a removed (or renamed) property, a changed type or format, a property that became
required, a new required property, a changed enum (restriction added, value removed or added:
a consumer validating with the old enum rejects the new value) and a changed validation
constraint (pattern, length, bounds). Not breaking: a new optional property (consumers ignore
unknown fields), titles, descriptions, examples and defaults.
"""

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

Schema = Mapping[str, Any]

_CONSTRAINTS = (
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
)


def breaking_changes(old: Schema, new: Schema, event: str | None = None) -> list[str]:
    """Human-readable breaking changes from `old` to `new`, each naming event and field path."""
    name = event or str(old.get("title", "schema"))
    walk = _Walk(old, new)
    found = (f"{name}: {path or '(root)'}: {what}" for path, what in walk.compare(old, new, ""))
    return list(dict.fromkeys(found))


def breaking_changes_between(old: Mapping[str, Schema], new: Mapping[str, Schema]) -> list[str]:
    """Breaking changes across sets of schemas keyed by event type; a removed type breaks."""
    problems = [f"{event}: event type removed" for event in sorted(old) if event not in new]
    for event in sorted(old.keys() & new.keys()):
        problems += breaking_changes(old[event], new[event], event)
    return problems


class _Walk:
    """Walks two schemas side by side, resolving local `$ref`s against each root.

    Each pair of referenced definitions is compared once, at the first path that reaches it:
    that keeps recursive and widely shared definitions from being walked again.
    """

    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self._roots = (old_root, new_root)
        self._seen: set[tuple[str, str]] = set()

    def compare(self, old: Schema, new: Schema, path: str) -> Iterator[tuple[str, str]]:
        old_branches = self._branches(old, 0)
        new_branches = self._branches(new, 1)
        if old_branches.keys() != new_branches.keys():
            was, now = _kinds(old_branches), _kinds(new_branches)
            yield path, f"type changed from {was} to {now}"
        for kind in sorted(old_branches.keys() & new_branches.keys()):
            (old_branch, old_ref), (new_branch, new_ref) = old_branches[kind], new_branches[kind]
            if old_ref and new_ref:
                if (old_ref, new_ref) in self._seen:
                    continue
                self._seen.add((old_ref, new_ref))
            yield from self._compare_branch(old_branch, new_branch, path)

    def _compare_branch(self, old: Schema, new: Schema, path: str) -> Iterator[tuple[str, str]]:
        yield from ((path, what) for what in _enum_changes(old, new))
        yield from ((path, what) for what in _constraint_changes(old, new))
        if "items" in old and "items" in new:
            yield from self.compare(old["items"], new["items"], f"{path}[]")
        yield from self._compare_properties(old, new, path)

    def _compare_properties(self, old: Schema, new: Schema, path: str) -> Iterator[tuple[str, str]]:
        old_props: Schema = old.get("properties", {})
        new_props: Schema = new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name in old_props:
            field = f"{path}.{name}" if path else name
            if name not in new_props:
                yield field, "property removed (or renamed)"
                continue
            if name in new_required and name not in old_required:
                yield field, "property became required"
            yield from self.compare(old_props[name], new_props[name], field)
        for name in new_props.keys() - old_props.keys():
            if name in new_required:
                yield (f"{path}.{name}" if path else name), "new required property"

    def _branches(self, schema: Schema, side: int) -> dict[str, tuple[Schema, str]]:
        """The alternatives of a schema by kind ("integer", "string:date", "null", ...), each
        with the definition it was referenced from ("" when inline)."""
        schema, ref = self._resolve(schema, side)
        alternatives = schema.get("anyOf") or schema.get("oneOf")
        if alternatives:
            found: dict[str, tuple[Schema, str]] = {}
            for alternative in alternatives:
                found.update(self._branches(alternative, side))
            return found
        types = schema.get("type", "any")
        fmt = schema.get("format")
        return {
            (f"{name}:{fmt}" if fmt and name == "string" else str(name)): (schema, ref)
            for name in (types if isinstance(types, list) else [types])
        }

    def _resolve(self, schema: Schema, side: int) -> tuple[Schema, str]:
        """Follow `$ref` and single-element `allOf`; sibling keywords override the target."""
        ref = ""
        for _ in range(64):
            if "$ref" in schema:
                ref = str(schema["$ref"])
                target = _pointer(self._roots[side], ref)
                rest = {k: v for k, v in schema.items() if k != "$ref"}
            elif len(schema.get("allOf", ())) == 1:
                target = schema["allOf"][0]
                rest = {k: v for k, v in schema.items() if k != "allOf"}
            else:
                return schema, ref
            schema = {**target, **rest}
        msg = "reference chain too deep"
        raise ValueError(msg)


def _pointer(root: Schema, ref: str) -> Schema:
    if not ref.startswith("#"):
        msg = f"only local references are supported: {ref}"
        raise ValueError(msg)
    node: Any = root
    for part in unquote(ref[1:]).split("/")[1:]:
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return dict(node)


def _kinds(branches: Mapping[str, object]) -> str:
    return " | ".join(sorted(branches))


def _enum_values(schema: Schema) -> list[Any] | None:
    if "const" in schema:
        return [schema["const"]]
    values = schema.get("enum")
    return list(values) if values is not None else None


def _enum_changes(old: Schema, new: Schema) -> Iterator[str]:
    was, now = _enum_values(old), _enum_values(new)
    if now is None:
        return
    if was is None:
        yield f"enum restriction added: {now!r}"
        return
    yield from (f"enum value {value!r} removed" for value in was if value not in now)
    yield from (f"enum value {value!r} added" for value in now if value not in was)


def _constraint_changes(old: Schema, new: Schema) -> Iterator[str]:
    for key in _CONSTRAINTS:
        if old.get(key) != new.get(key):
            yield f"constraint {key} changed from {old.get(key)!r} to {new.get(key)!r}"
