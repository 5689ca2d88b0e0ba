"""Label selectors: kubectl -l syntax, matching, canonical form."""

import pytest

from k8slab.api.selectors import Selector, SelectorError, format_labels

LABELS = {"app": "web", "tier": "front", "version": "3"}


@pytest.mark.parametrize(
    "text, matches, canonical",
    [
        ("", True, ""),
        ("app=web", True, "app=web"),
        ("app==web", True, "app==web"),
        ("app!=web", False, "app!=web"),
        ("app!=db", True, "app!=db"),
        ("missing!=x", True, "missing!=x"),
        ("app in (web, db)", True, "app in (db,web)"),
        ("app notin (web)", False, "app notin (web)"),
        ("missing notin (web)", True, "missing notin (web)"),
        ("app", True, "app"),
        ("!app", False, "!app"),
        ("!missing", True, "!missing"),
        ("tier=front,app=web", True, "app=web,tier=front"),
        ("tier=front, app=db", False, "app=db,tier=front"),
        ("version>2", True, "version>2"),
        ("version<3", False, "version<3"),
        ("app.kubernetes.io/name=proxy", False, "app.kubernetes.io/name=proxy"),
        ("tier=", False, "tier="),
    ],
)
def test_parse_match_and_canonical_form(text, matches, canonical):
    selector = Selector.parse(text)
    assert selector.matches(LABELS) is matches
    assert str(selector) == canonical
    assert Selector.parse(str(selector)) == selector


@pytest.mark.parametrize(
    "text, message",
    [
        ("app web", "error: unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"),
        ("app in web", "error: unable to parse requirement: found 'web', expected: '('"),
        ("app=web,", "error: found '', expected: identifier after ','"),
        ("=web", "error: found '=', expected: !, identifier, or 'end of string'"),
        ("app=web tier", "error: found 'tier', expected: ',' or 'end of string'"),
        ("app in ()", "error: unable to parse requirement: values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"),
    ],
)
def test_parse_errors(text, message):
    with pytest.raises(SelectorError) as err:
        Selector.parse(text)
    assert str(err.value) == message


def test_bad_label_value_in_selector():
    with pytest.raises(SelectorError, match=r'values\[0\]\[app\]: Invalid value: "-web": a valid label'):
        Selector.parse("app=-web")


def test_from_match_labels():
    selector = Selector.from_match_labels({"tier": "front", "app": "web"})
    assert str(selector) == "app=web,tier=front"
    assert selector.matches(LABELS) and not selector.matches({"app": "web"})
    assert Selector.from_match_labels({}).empty and Selector.from_match_labels({}).matches({})


def test_format_labels():
    assert format_labels({"b": "2", "a": "1"}) == "a=1,b=2"
    assert format_labels({}) == "<none>"
    assert format_labels(None) == "<none>"
