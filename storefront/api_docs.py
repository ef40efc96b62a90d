"""The API's docs page (/api/v1/docs), rendered here from the OpenAPI document:
no Swagger UI (it would need a script from a CDN, which the
Content-Security-Policy forbids), and schemas as tables people read, each
field's type linking to the schema it names, instead of a JSON dump."""

from __future__ import annotations

from dataclasses import dataclass

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    ref: str | None  # the schema this field's type names (an anchor on the page)
    required: bool
    description: str


def ref_name(schema: dict | None) -> str | None:
    """The schema a `$ref` (or an array of them, or an allOf of one) points at."""
    if not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return ref_name(schema.get("items"))
    for key in ("allOf", "oneOf", "anyOf"):
        if len(schema.get(key) or []) == 1:
            return ref_name(schema[key][0])
    return None


def type_text(schema: dict) -> str:
    ref = ref_name(schema)
    if schema.get("type") == "array":
        return f"list of {ref or type_text(schema.get('items') or {})}"
    if ref:
        return ref
    text = schema.get("type", "any")
    if schema.get("format"):
        text += f" ({schema['format']})"
    if schema.get("enum"):
        text += ": " + ", ".join(str(v) for v in schema["enum"])
    if "minimum" in schema:
        text += f", at least {schema['minimum']}"
    if schema.get("nullable"):
        text += ", or null"
    return text


def fields_of(schema: dict) -> list[Field]:
    required = set(schema.get("required") or [])
    return [
        Field(name, type_text(prop), ref_name(prop), name in required, prop.get("description", ""))
        for name, prop in (schema.get("properties") or {}).items()
    ]


def body_schema(part: dict | None) -> str | None:
    """The schema of a request body or response (JSON), by name."""
    content = (part or {}).get("content") or {}
    return ref_name((content.get("application/json") or {}).get("schema"))


def docs_context(spec: dict) -> dict:
    operations = [
        (path, method, op)
        for path, ops in spec.get("paths", {}).items()
        for method, op in ops.items()
        if method in METHODS
    ]
    schemas = {name: fields_of(schema) for name, schema in spec.get("components", {}).get("schemas", {}).items()}
    return {"spec": spec, "operations": operations, "schemas": schemas, "body_schema": body_schema}
