"""What the OpenAPI schema shares across resources: id formats, the common header and path
parameters, the one error shape on every operation, and fields that are present only sometimes.

The two ``schema_*`` hooks run after drf-spectacular builds the schema
(``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError
from drf_spectacular.utils import OpenApiParameter

from support.localcache import ProcessCache

ID_REGEX = r"[0-9]{1,18}"

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    description="The ETag you last read; the write is refused with 412 if it changed since.",
)
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    # What ``support.api.idempotency`` takes: 1-255 printable ASCII characters, no blank ends.
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~](?:[ -~]*[!-~])?$"},
    location=OpenApiParameter.HEADER,
    description="Retry-safe POST: the same key and body return the first response.",
)
TICKET_ID_PARAM = OpenApiParameter("ticket_id", int, location=OpenApiParameter.PATH)


def expand_schema(*choices: str) -> dict:
    """``?expand=``: comma-separated names from ``choices`` (``parse_expand`` refuses others)."""
    name = f"(?:{'|'.join(choices)})?"
    return {"type": "string", "pattern": f"^ *{name} *(?:, *{name} *)*$"}


# --- the error shape --------------------------------------------------------------------------

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "examples": ["invalid"]},
                "message": {"type": "string", "examples": ["The request is invalid."]},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "current": {
                    "type": "object",
                    "description": "On 412: the resource as it is now.",
                },
            },
        }
    },
}

_ERROR_DESCRIPTIONS = {
    "400": "Invalid input, unknown query parameter or field",
    "401": "Missing, unknown or revoked token",
    "403": "Not allowed (e.g. a read-only token writing)",
    "404": "Not found or not visible to you",
    "405": "Method not allowed",
    "406": "Not acceptable",
    "409": "Conflict (invalid state change, Idempotency-Key reuse)",
    "412": "If-Match no longer matches",
    "413": "Request body too large",
    "415": "Unsupported media type",
    "429": "Rate limit exceeded (see Retry-After)",
}


def schema_add_error_responses(result, generator, request, public):
    """Document the one error shape on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            codes = ["400", "401", "403", "404", "406", "429"]
            if method in ("post", "patch", "put", "delete"):
                codes += ["409", "413", "415"]
            takes_if_match = any(
                p.get("name") == "If-Match" for p in operation.get("parameters", [])
            )
            if method == "patch" or takes_if_match:
                codes.append("412")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(
                    code, {"description": _ERROR_DESCRIPTIONS[code], "content": ref}
                )
    return result


# --- fields present only sometimes ----------------------------------------------------------

# Response fields that are present only sometimes (expanded objects, agent-only fields): the
# schema lists them as optional. Filled by the serializer modules.
SCHEMA_OPTIONAL: dict[str, set[str]] = {}


def schema_optional(component: str, *fields: str) -> None:
    SCHEMA_OPTIONAL.setdefault(component, set()).update(fields)


def schema_relax_optional_fields(result, generator, request, public):
    schemas = result.get("components", {}).get("schemas", {})
    for component, fields in SCHEMA_OPTIONAL.items():
        schema = schemas.get(component)
        if schema and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in fields]
    return result


def schema_closed_request_bodies(result, generator, request, public):
    """Request bodies name every field they take: another one is refused ("Unknown field",
    ``StrictInputSerializer``), so the schema says ``additionalProperties: false``."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and schema.get("type") == "object":
            schema.setdefault("additionalProperties", False)
    return result


# --- rules a serializer field can't state ----------------------------------------------------

# Keywords added to a component as the server enforces them ("send at least one of these
# fields": ``minProperties``), and property schemas more exact than a field can declare. Filled
# by the serializer modules, beside the serializer they describe.
SCHEMA_CONSTRAINTS: dict[str, dict] = {}


def schema_constrain(component: str, *, properties: dict | None = None, **keywords) -> None:
    entry = SCHEMA_CONSTRAINTS.setdefault(component, {})
    entry.update(keywords)
    if properties:
        entry.setdefault("properties", {}).update(properties)


def schema_exact_constraints(result, generator, request, public):
    """The constraints above; and a list filter (``?status=open,pending``) takes at least one
    value — an empty one is refused ("Give a value, or leave the parameter out")."""
    schemas = result.get("components", {}).get("schemas", {})
    for component, keywords in SCHEMA_CONSTRAINTS.items():
        schema = schemas.get(component)
        if schema is None:
            continue
        for key, value in keywords.items():
            if key == "properties":
                schema.setdefault("properties", {}).update(value)
            else:
                schema[key] = value
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") == "query" and schema.get("type") == "array":
                    schema["minItems"] = 1
                if parameter.get("in") == "query":
                    _no_null_characters(schema)
    for name, schema in schemas.items():
        if name.endswith("Request"):
            for prop in schema.get("properties", {}).values():
                _no_null_characters(prop)
                _no_null_characters(prop.get("items", {}))
    return result


def _no_null_characters(schema: dict) -> None:
    """Django refuses a NUL in any text it reads ("Null characters are not allowed")."""
    plain = "pattern" not in schema and "enum" not in schema and "format" not in schema
    if schema.get("type") == "string" and plain:
        schema["pattern"] = "^[^\\u0000]*$"


# --- objects whose keys admins define at run time ---------------------------------------------

# Custom field values by key (a macro's ``actions.fields``, a customer's ``fields``): which keys
# exist and what each takes is defined by admins, so the served schema is built with the
# current definitions. Filled by the apps that own the definitions: a function returning
# ``{key: value schema}``, and the caches whose change makes the served schema stale
# (``SchemaView`` keeps one copy per version of them).
# ``customer``: the keys a customer may send, for the schema served to a customer's token
# (``schema_reader_is_customer``); without it customers are served the same keys as agents.
Properties = Callable[[], dict[str, dict]]
SCHEMA_RUNTIME: dict[tuple[str, str], tuple[Properties, Properties | None, dict]] = {}
SCHEMA_SOURCES: list[ProcessCache] = []


def schema_runtime_object(
    component: str,
    prop: str,
    properties: Properties,
    *,
    sources: tuple[ProcessCache, ...],
    customer: Properties | None = None,
    **keywords,
) -> None:
    SCHEMA_RUNTIME[(component, prop)] = (properties, customer, keywords)
    SCHEMA_SOURCES.extend(s for s in sources if s not in SCHEMA_SOURCES)


# Whole property schemas built from run-time definitions (a rule's ``conditions`` and
# ``actions`` name the custom fields): a function returning the property's schema.
SCHEMA_RUNTIME_WHOLE: dict[tuple[str, str], Callable[[], dict]] = {}


def schema_runtime_property(
    component: str, prop: str, build: Callable[[], dict], *, sources: tuple[ProcessCache, ...]
) -> None:
    SCHEMA_RUNTIME_WHOLE[(component, prop)] = build
    SCHEMA_SOURCES.extend(s for s in sources if s not in SCHEMA_SOURCES)


def schema_runtime_properties(result, generator, request, public):
    """The run-time objects above: their current keys, each with its value schema, closed; and
    the whole run-time property schemas."""
    schemas = result.get("components", {}).get("schemas", {})
    for_customer = schema_reader_is_customer(request)
    for (component, prop), build in SCHEMA_RUNTIME_WHOLE.items():
        properties = schemas.get(component, {}).get("properties", {})
        if prop not in properties:
            continue
        try:
            properties[prop] = build()
        except DatabaseError:  # no tables: as loose as the serializer field says
            continue
    for (component, prop), (properties, customer, keywords) in SCHEMA_RUNTIME.items():
        target = schemas.get(component, {}).get("properties", {}).get(prop)
        if target is None:
            continue
        try:
            current = (customer if for_customer and customer else properties)()
        except DatabaseError:  # no tables (``check --deploy`` builds it too): any keys
            continue
        target.pop("additionalProperties", None)
        target.update({"type": "object", "properties": current, "additionalProperties": False})
        target.update(keywords)
    return result


def schema_version() -> tuple[str, ...] | None:
    """What the served schema depends on beyond the code: the versions of the run-time
    definitions' caches (``None`` when the cache can't say: then build it afresh)."""
    versions = tuple(source.version() for source in SCHEMA_SOURCES)
    return None if None in versions else versions  # type: ignore[return-value]


# --- the schema by role -----------------------------------------------------------------------


def schema_reader_is_customer(request) -> bool:
    """Whether the schema is being built for a customer's token (or login): agents and anonymous
    readers get the agents' schema (``SchemaView`` keeps one copy per role)."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and not user.is_agent)


def schema_customer_request_bodies(result, generator, request, public):
    """For a customer's schema, each request body whose serializer names what a customer may
    send (``StrictInputSerializer.customer_fields``) states those fields only: another is
    refused ("Customers can't set this field"), and one customers can't send is not required
    of them. Agents' and anonymous readers' schemas are left as they are."""
    if not schema_reader_is_customer(request):
        return result
    schemas = result.get("components", {}).get("schemas", {})
    for component in generator.registry._components.values():
        allowed = getattr(component.object, "customer_fields", None)
        schema = schemas.get(component.name)
        if allowed is None or schema is None or not component.name.endswith("Request"):
            continue
        properties = schema.get("properties", {})
        for name in [n for n in properties if n not in allowed]:
            del properties[name]
        if "required" in schema:
            schema["required"] = [n for n in schema["required"] if n in allowed]
            if not schema["required"]:
                del schema["required"]
    return result
