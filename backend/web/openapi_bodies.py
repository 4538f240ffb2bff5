"""OpenAPI request bodies for handlers that read their body themselves (the raw bytes for a
signature or a strict decoder, or ``request.form()``), so the schema (and the generated-input run
against it, tests/fuzzing.py) knows what they take."""

from __future__ import annotations

from dataclasses import dataclass

from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def text_fields(*names: str) -> Schema:
    """A form of optional text fields."""
    return Schema(type="object", properties={name: Schema(type="string") for name in names})


def body_operation(media_type: str, schema: Schema, description: str = "") -> type[Operation]:
    """An ``operation_class`` for a route decorator that documents this request body."""

    @dataclass
    class DocumentedBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(required=True, description=description or None,
                                            content={media_type: OpenAPIMediaType(schema=schema)})

    return DocumentedBody
