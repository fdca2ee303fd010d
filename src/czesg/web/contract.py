"""The API's published contract for its refusals: every operation documents the error statuses it
can answer with, each an RFC 7807 problem document (``application/problem+json``) described by
one shared ``Problem`` schema. The statuses follow from what the platform does in front of every
operation (czesg.web.guards, the token middleware, the throttles) and from the operation itself
(path parameters, authentication, a request body)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 7807 problem document; ``code`` is stable, ``detail`` is translated.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "problems": {"type": "array", "items": {"type": "object"}},
    },
}

# Why each status can be answered; the description published with it.
DESCRIPTIONS = {
    400: "Refused: the body is no JSON, or the domain refused the change.",
    401: "Not authenticated, or the bearer token is unknown, revoked or expired.",
    403: "Not allowed: the role, membership or token scope does not allow it, or the CSRF "
           "check of a session write failed.",
    404: "Nothing visible to the caller at this address.",
    409: "The object's state forbids the change (e.g. already published).",
    413: "The request body is larger than the platform accepts.",
    422: "A parameter or field is invalid (including a NUL character in any text).",
    429: "Too many requests; see Retry-After.",
}


def error_statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation can answer with."""
    statuses = {401, 422, 429}  # any request: a bad token, a NUL, the throttles
    if "{" in path:
        statuses.add(404)
    if operation.get("security"):
        statuses.add(403)
    if method != "get" or "requestBody" in operation:
        statuses.update({400, 403, 404, 409, 413})
    return sorted(statuses)


def add_problem_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Document the error statuses of every operation in ``schema`` (an OpenAPI dict)."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                # An error an operation declares itself is written as a problem document too.
                content = response.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    content.setdefault("application/problem+json", content.pop("application/json"))
            for status in error_statuses(path, method, operation):
                responses.setdefault(status, {
                    "description": DESCRIPTIONS[status],
                    "content": {"application/problem+json": {"schema": PROBLEM_REF}},
                })
    return schema


class ProblemDocumentedAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI schema documents every operation's problem responses."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any):
        """The generated schema with the problem responses added."""
        schema = super().get_openapi_schema(*args, **kwargs)
        add_problem_responses(schema)
        return schema
