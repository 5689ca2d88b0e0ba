"""String rules from apimachinery `pkg/util/validation`, with their messages verbatim.

Each `is_*` function returns the list of problems (empty when valid), like the Go functions, so
callers wrap each message in a FieldError at their own path.
"""

from __future__ import annotations

import ipaddress
import re
from typing import List

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?"
ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*"

_DNS1123_LABEL = re.compile(f"^{DNS1123_LABEL_FMT}$")
_DNS1123_SUBDOMAIN = re.compile(f"^{DNS1123_SUBDOMAIN_FMT}$")
_QUALIFIED_NAME = re.compile(f"^{QUALIFIED_NAME_FMT}$")
_LABEL_VALUE = re.compile(f"^{LABEL_VALUE_FMT}$")
_ENV_VAR_NAME = re.compile(f"^{ENV_VAR_NAME_FMT}$")
_PORT_NAME_CHARS = re.compile(r"^[-a-z0-9]+$")
_ONE_LETTER = re.compile(r"[a-z]")

_QUALIFIED_NAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """apimachinery RegexError, including its double space before each `or`."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    text = msg + " (e.g. "
    for i, example in enumerate(examples):
        if i > 0:
            text += " or "
        text += f"'{example}', "
    return text + f"regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    """`must be no more than N characters`."""
    return f"must be no more than {length} characters"


def inclusive_range_error(low: int, high: int) -> str:
    """`must be between 1 and 65535, inclusive`."""
    return f"must be between {low} and {high}, inclusive"


def is_dns1123_label(value: str) -> List[str]:
    """RFC 1123 label: lower-case alphanumerics and '-', at most 63 characters."""
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _DNS1123_LABEL.match(value):
        errs.append(
            regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                "and must start and end with an alphanumeric character",
                DNS1123_LABEL_FMT,
                "my-name",
                "123-abc",
            )
        )
    return errs


def is_dns1123_subdomain(value: str) -> List[str]:
    """RFC 1123 subdomain: dot-separated labels, at most 253 characters."""
    errs = []
    if len(value) > 253:
        errs.append(max_len_error(253))
    if not _DNS1123_SUBDOMAIN.match(value):
        errs.append(
            regex_error(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                "and must start and end with an alphanumeric character",
                DNS1123_SUBDOMAIN_FMT,
                "example.com",
            )
        )
    return errs


def is_qualified_name(value: str) -> List[str]:
    """A label or annotation key: optional DNS-subdomain prefix and '/', then a name of ≤63 chars."""
    errs: List[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + msg for msg in is_dns1123_subdomain(prefix))
    else:
        return [
            "a qualified name "
            + regex_error(_QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + max_len_error(63))
    if not _QUALIFIED_NAME.match(name):
        errs.append("name part " + regex_error(_QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def is_valid_label_value(value: str) -> List[str]:
    """A label value: empty, or ≤63 alphanumerics with '-', '_', '.' inside."""
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _LABEL_VALUE.match(value):
        errs.append(
            regex_error(
                "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                "and must start and end with an alphanumeric character",
                LABEL_VALUE_FMT,
                "MyValue",
                "my_value",
                "12345",
            )
        )
    return errs


def is_valid_port_num(port: int) -> List[str]:
    """1..65535."""
    return [] if 1 <= port <= 65535 else [inclusive_range_error(1, 65535)]


def is_valid_port_name(name: str) -> List[str]:
    """IANA_SVC_NAME: ≤15 chars of a-z, 0-9 and '-', with a letter, no '--', no edge hyphen."""
    errs = []
    if len(name) > 15:
        errs.append(max_len_error(15))
    if not _PORT_NAME_CHARS.match(name):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _ONE_LETTER.search(name):
        errs.append("must contain at least one letter (a-z)")
    if "--" in name:
        errs.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def is_env_var_name(name: str) -> List[str]:
    """A C-identifier-like environment variable name (dots and dashes allowed)."""
    errs = []
    if not _ENV_VAR_NAME.match(name):
        errs.append(
            regex_error(
                "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
                "or '.', and must not start with a digit",
                ENV_VAR_NAME_FMT,
                "my.env-name",
                "MY_ENV.NAME",
                "MyEnvName1",
            )
        )
    if name == ".":
        errs.append("must not be '.'")
    elif name == "..":
        errs.append("must not be '..'")
    elif name.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def is_valid_ip(value: str) -> List[str]:
    """An IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
        return []
    except ValueError:
        return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]


DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL = re.compile(f"^{DNS1035_LABEL_FMT}$")


def is_dns1035_label(value: str) -> List[str]:
    """RFC 1035 label (Service names): starts with a letter, at most 63 characters."""
    errs = []
    if len(value) > 63:
        errs.append(max_len_error(63))
    if not _DNS1035_LABEL.match(value):
        errs.append(
            regex_error(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                "start with an alphabetic character, and end with an alphanumeric character",
                DNS1035_LABEL_FMT,
                "my-name",
                "abc-123",
            )
        )
    return errs


def parse_ip(value: str):
    """The address, or None when `value` is not an IP (Go's ParseIP, without zones)."""
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_valid_ipv4(value: str) -> List[str]:
    """An IPv4 address (EndpointSlice addressType IPv4)."""
    return [] if isinstance(parse_ip(value), ipaddress.IPv4Address) else ["must be a valid IPv4 address"]


def is_valid_ipv6(value: str) -> List[str]:
    """An IPv6 address (EndpointSlice addressType IPv6)."""
    return [] if isinstance(parse_ip(value), ipaddress.IPv6Address) else ["must be a valid IPv6 address"]


def is_valid_cidr(value: str) -> List[str]:
    """A CIDR such as 10.9.8.0/24 (host bits may be set, as Go's ParseCIDR allows)."""
    try:
        if "/" not in value:
            raise ValueError(value)
        ipaddress.ip_network(value, strict=False)
        return []
    except ValueError:
        return ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"]


def non_special_ip(value: str) -> List[str]:
    """ValidateNonSpecialIP: no unspecified, loopback or link-local addresses as endpoints or external IPs."""
    ip = parse_ip(value)
    if ip is None:
        return ["must be a valid IP address"]
    errs = []
    if ip.is_unspecified:
        errs.append(f"may not be unspecified ({value})")
    if ip.is_loopback:
        errs.append("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    if ip.is_link_local:
        errs.append("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    link_local_multicast = ipaddress.ip_network("224.0.0.0/24" if ip.version == 4 else "ff02::/16")
    if ip in link_local_multicast:
        errs.append("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    return errs


def fqdn_problem(name: str):
    """IsFullyQualifiedDomainName: (bad value, message) for the first problem, or None."""
    if name.endswith("."):
        name = name[:-1]
    problems = is_dns1123_subdomain(name)
    if problems:
        return name, ",".join(problems)
    labels = name.split(".")
    if len(labels) < 2:
        return name, "should be a domain with at least two segments separated by dots"
    for label in labels:
        problems = is_dns1123_label(label)
        if problems:
            return label, ",".join(problems)
    return None
