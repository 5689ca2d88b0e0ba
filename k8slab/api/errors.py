"""API errors as the apiserver reports them and as kubectl prints them.

`FieldError` is apimachinery's `field.Error`; `ApiError` is a `metav1.Status` failure. Both render
byte-for-byte like kubectl (see reference/kubernetes-services.md section 3.1), so a learner sees the
same text here as on a real cluster.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Optional, Sequence, Tuple

from k8slab.errors import UserError

# Marks a FieldError created without a value (apimachinery's `omitValue`), distinct from None.
UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()

REQUIRED = "Required value"
INVALID = "Invalid value"
UNSUPPORTED = "Unsupported value"
DUPLICATE = "Duplicate value"
FORBIDDEN = "Forbidden"
NOT_FOUND = "Not found"
TOO_LONG = "Too long"
TOO_MANY = "Too many"
INTERNAL = "Internal error"

# Types whose body never shows the bad value, as in field.Error.ErrorBody().
_VALUELESS = {REQUIRED, FORBIDDEN, TOO_LONG, INTERNAL}

HTTP_CODES = {
    "BadRequest": 400,
    "Forbidden": 403,
    "NotFound": 404,
    "MethodNotAllowed": 405,
    "AlreadyExists": 409,
    "Conflict": 409,
    "Invalid": 422,
    "InternalError": 500,
}


class GoValue:
    """A bad value shown verbatim, as Go's `%#v` printed it (`[]string{"10.0.0.1"}`).

    apiservers up to v1.30 rendered non-scalar values this way; the Service allocation errors learners
    meet are quoted in that form (reference section 3.2), so those errors carry one of these.
    """

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"GoValue({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoValue) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def go_quote(text: str) -> str:
    """Go's `%q` for the plain strings API values hold (JSON escaping agrees with it there)."""
    return json.dumps(text, ensure_ascii=False)


def go_strings(values: Optional[Sequence[str]]) -> GoValue:
    """A `[]string` as `%#v` prints it: `[]string{"a", "b"}`, or `[]string(nil)` when unset."""
    if not values:
        return GoValue("[]string(nil)")
    return GoValue("[]string{" + ", ".join(go_quote(v) for v in values) + "}")


def render_value(value: Any) -> str:
    """Render a bad value like apimachinery: ints bare, strings quoted, anything else as JSON."""
    if isinstance(value, GoValue):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class FieldError:
    """One validation failure on one field (apimachinery `field.Error`)."""

    __slots__ = ("type", "field", "value", "detail")

    def __init__(self, type: str, field: str, value: Any = UNSET, detail: str = ""):
        self.type = type
        self.field = field
        self.value = value
        self.detail = detail

    @classmethod
    def required(cls, field: str, detail: str = "") -> "FieldError":
        """`<field>: Required value[: detail]`."""
        return cls(REQUIRED, field, UNSET, detail)

    @classmethod
    def invalid(cls, field: str, value: Any, detail: str = "") -> "FieldError":
        """`<field>: Invalid value: <value>: <detail>`."""
        return cls(INVALID, field, value, detail)

    @classmethod
    def unsupported(cls, field: str, value: Any, supported: Sequence[str]) -> "FieldError":
        """`<field>: Unsupported value: <value>: supported values: "a", "b"`."""
        detail = "supported values: " + ", ".join(json.dumps(s) for s in supported) if supported else ""
        return cls(UNSUPPORTED, field, value, detail)

    @classmethod
    def duplicate(cls, field: str, value: Any) -> "FieldError":
        """`<field>: Duplicate value: <value>`."""
        return cls(DUPLICATE, field, value)

    @classmethod
    def forbidden(cls, field: str, detail: str) -> "FieldError":
        """`<field>: Forbidden: <detail>`."""
        return cls(FORBIDDEN, field, UNSET, detail)

    @classmethod
    def not_found(cls, field: str, value: Any) -> "FieldError":
        """`<field>: Not found: <value>`."""
        return cls(NOT_FOUND, field, value)

    def body(self) -> str:
        """The part after `<field>: `, as field.Error.ErrorBody() builds it."""
        text = self.type
        if self.type not in _VALUELESS and self.value is not UNSET:
            text += ": " + render_value(self.value)
        if self.detail:
            text += ": " + self.detail
        return text

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}" if self.field else self.body()

    def __repr__(self) -> str:
        return f"FieldError({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldError):
            return NotImplemented
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


class ApiError(UserError):
    """A failed API call: `reason` is the Status reason, `message` the Status message."""

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        kind: Optional[str] = None,
        name: Optional[str] = None,
        causes: Iterable[FieldError] = (),
    ):
        self.reason = reason
        self.message = message
        self.kind = kind
        self.name = name
        self.causes: Tuple[FieldError, ...] = tuple(causes)
        super().__init__(self.render())

    @property
    def code(self) -> int:
        """The HTTP status code the apiserver would answer with."""
        return HTTP_CODES.get(self.reason, 500)

    def render(self, context: Optional[str] = None) -> str:
        """What kubectl prints; `context` is e.g. `error when creating "pod.yaml"`."""
        if self.reason == "Invalid":
            # kubectl rebuilds Invalid errors from the Status details and drops any context.
            head = "The request is invalid"
            if self.kind or self.name:
                head = f'The {self.kind or ""} "{self.name or ""}" is invalid'
            if not self.causes:
                return head
            if len(self.causes) == 1:
                return f"{head}: {self.causes[0]}"
            # The trailing space after the colon is real: kubectl prints `prefix + ": "` then "\n".
            return f"{head}: \n" + "\n".join(f"* {c}" for c in self.causes)
        prefix = f"{context}: " if context else ""
        return f"Error from server ({self.reason}): {prefix}{self.message}"

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"ApiError({self.reason!r}, {self.message!r})"


class DecodeError(UserError):
    """A manifest that cannot be decoded into its kind (unknown field, wrong type)."""


class UnknownKindError(UserError):
    """A resource type or manifest kind the cluster does not serve."""


def _resource(kind_info: Any) -> str:
    # kubectl names the resource by plural plus group: `pods`, `deployments.apps`.
    resource = getattr(kind_info, "resource", None)
    return resource if resource is not None else str(kind_info)


def not_found(kind_info: Any, name: str) -> ApiError:
    """`Error from server (NotFound): pods "x" not found`."""
    res = _resource(kind_info)
    return ApiError("NotFound", f'{res} "{name}" not found', kind=res, name=name)


def already_exists(kind_info: Any, name: str) -> ApiError:
    """`Error from server (AlreadyExists): pods "x" already exists`."""
    res = _resource(kind_info)
    return ApiError("AlreadyExists", f'{res} "{name}" already exists', kind=res, name=name)


def invalid(kind: str, name: str, causes: Iterable[FieldError]) -> ApiError:
    """An Invalid (422) error carrying every field error."""
    causes = tuple(causes)
    if len(causes) == 1:
        detail = str(causes[0])
    else:
        detail = "[" + ", ".join(str(c) for c in causes) + "]"
    return ApiError("Invalid", f'{kind} "{name}" is invalid: {detail}', kind=kind, name=name, causes=causes)


def namespace_not_found(namespace: str) -> ApiError:
    """`namespaces "foo" not found`."""
    return ApiError("NotFound", f'namespaces "{namespace}" not found', kind="namespaces", name=namespace)


def conflict(kind_info: Any, name: str, detail: str = "") -> ApiError:
    """`Operation cannot be fulfilled on pods "x": <detail>`."""
    res = _resource(kind_info)
    detail = detail or (
        "the object has been modified; please apply your changes to the latest version and try again"
    )
    return ApiError("Conflict", f'Operation cannot be fulfilled on {res} "{name}": {detail}', kind=res, name=name)


def forbidden(kind_info: Any, name: str, detail: str) -> ApiError:
    """`pods "x" is forbidden: <detail>`."""
    res = _resource(kind_info)
    return ApiError("Forbidden", f'{res} "{name}" is forbidden: {detail}', kind=res, name=name)


def internal_error(detail: str) -> ApiError:
    """`Error from server (InternalError): Internal error occurred: <detail>`."""
    return ApiError("InternalError", f"Internal error occurred: {detail}")


def bad_request(message: str) -> ApiError:
    """A BadRequest (400) error with the server's message."""
    return ApiError("BadRequest", message)
