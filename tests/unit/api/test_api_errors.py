"""Error rendering: exactly what kubectl prints."""

import pytest

from k8slab.api import kinds
from k8slab.api.errors import (
    ApiError,
    FieldError,
    already_exists,
    conflict,
    invalid,
    namespace_not_found,
    not_found,
)
from k8slab.errors import UserError


@pytest.mark.parametrize(
    "error, text",
    [
        (FieldError.required("spec.containers[0].image"), "spec.containers[0].image: Required value"),
        (
            FieldError.required("metadata.name", "name or generateName is required"),
            "metadata.name: Required value: name or generateName is required",
        ),
        (FieldError.invalid("spec.ports[0].port", 0, "must be between 1 and 65535, inclusive"),
         "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"),
        (FieldError.invalid("metadata.name", "My_Pod", "bad"), 'metadata.name: Invalid value: "My_Pod": bad'),
        (FieldError.invalid("spec.x", ["10.0.0.1"], "bad"), 'spec.x: Invalid value: ["10.0.0.1"]: bad'),
        (FieldError.invalid("spec.x", True, "bad"), "spec.x: Invalid value: true: bad"),
        (
            FieldError.unsupported("spec.restartPolicy", "Sometimes", ["Always", "OnFailure", "Never"]),
            'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
        ),
        (FieldError.duplicate("spec.ports[1].name", "http"), 'spec.ports[1].name: Duplicate value: "http"'),
        (FieldError.forbidden("spec", "no"), "spec: Forbidden: no"),
    ],
)
def test_field_error_rendering(error, text):
    assert str(error) == text


def test_invalid_with_one_cause():
    err = invalid("Pod", "x", [FieldError.required("spec.containers[0].image")])
    assert str(err) == 'The Pod "x" is invalid: spec.containers[0].image: Required value'
    assert err.message == 'Pod "x" is invalid: spec.containers[0].image: Required value'
    assert err.reason == "Invalid" and err.code == 422 and err.kind == "Pod" and err.name == "x"


def test_invalid_with_several_causes_has_trailing_space_and_bullets():
    err = invalid(
        "Pod",
        "x",
        [FieldError.invalid("spec.a", 0, "m1"), FieldError.duplicate("spec.b", "http")],
    )
    assert err.render() == 'The Pod "x" is invalid: \n* spec.a: Invalid value: 0: m1\n* spec.b: Duplicate value: "http"'
    assert err.message == 'Pod "x" is invalid: [spec.a: Invalid value: 0: m1, spec.b: Duplicate value: "http"]'


def test_invalid_ignores_context_like_kubectl():
    err = invalid("Pod", "x", [FieldError.required("spec.containers")])
    assert err.render('error when creating "pod.yaml"') == 'The Pod "x" is invalid: spec.containers: Required value'


def test_other_reasons_with_and_without_context():
    pods = kinds.resolve("pods")
    assert str(not_found(pods, "x")) == 'Error from server (NotFound): pods "x" not found'
    err = already_exists(pods, "web")
    assert err.render('error when creating "pod.yaml"') == (
        'Error from server (AlreadyExists): error when creating "pod.yaml": pods "web" already exists'
    )
    assert str(namespace_not_found("foo")) == 'Error from server (NotFound): namespaces "foo" not found'
    assert str(conflict(pods, "x")) == (
        'Error from server (Conflict): Operation cannot be fulfilled on pods "x": the object has been modified; '
        "please apply your changes to the latest version and try again"
    )


def test_api_error_is_a_user_error():
    err = ApiError("BadRequest", "nope")
    assert isinstance(err, UserError) and err.exit_code == 1
    assert str(err) == "Error from server (BadRequest): nope"
