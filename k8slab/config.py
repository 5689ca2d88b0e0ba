"""The user's settings: a commented TOML file under the config directory, written on first start.

Every setting has a default, so the file only records what the user changed; unknown or badly
typed settings are reported in one line each and otherwise ignored, so that a typo never stops a
learner from getting a prompt.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from typing import List

from k8slab.net.addresses import MAX_NODES

DEFAULT_FILE = """\
# k8slab's settings. A line starting with # is a comment: remove the # to change a setting.
# Delete this file to get the defaults back (k8slab writes it again on its next start).

[shell]
# Key bindings at the k8slab> prompt: "emacs" (Ctrl-A, Ctrl-E, Ctrl-R...) or "vi".
# key_mode = "emacs"

# Colours: "auto" (on a terminal, unless NO_COLOR is set) or "never".
# color = "auto"

# Colour theme: "dark" (for dark terminal backgrounds), "light" or "mono".
# theme = "dark"

# Long output scrolls through a pager: "auto" (when it does not fit the screen) or "never".
# pager = "auto"

# The pager to use (default: $PAGER, else "less -RFX").
# pager_command = "less -RFX"

# The status bar at the bottom: nodes and pods ready, the namespace, the lesson step.
# toolbar = true

[cluster]
# How many nodes a new cluster has (1-50). `k8slab --nodes N` overrides it for one start.
# nodes = 3
"""

CHOICES = {"key_mode": ("emacs", "vi"), "color": ("auto", "never"), "theme": ("dark", "light", "mono"),
           "pager": ("auto", "never")}


@dataclass
class Config:
    """Settings, with the defaults of a fresh install."""

    key_mode: str = "emacs"
    color: str = "auto"
    theme: str = "dark"
    pager: str = "auto"
    pager_command: str = ""
    toolbar: bool = True
    nodes: int = 3
    path: str = ""
    problems: List[str] = field(default_factory=list)  # one line per setting that was ignored


SECTIONS = {"shell": ("key_mode", "color", "theme", "pager", "pager_command", "toolbar"), "cluster": ("nodes",)}


def config_path() -> str:
    """Where the settings live: $K8SLAB_CONFIG, else $XDG_CONFIG_HOME/k8slab/config.toml."""
    if os.environ.get("K8SLAB_CONFIG"):
        return os.environ["K8SLAB_CONFIG"]
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "k8slab", "config.toml")


def load(path: str | None = None, create: bool = True) -> Config:
    """Read the settings (writing the commented default file first if there is none)."""
    path = path or config_path()
    config = Config(path=path)
    if not os.path.exists(path):
        if create:
            _write_default(path)
        return config
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        config.problems.append(f"cannot read {path}: {e.strerror}; using the defaults")
        return config
    except tomllib.TOMLDecodeError as e:
        config.problems.append(f"{path}: {e}; using the defaults")
        return config
    return parse(data, config)


def parse(data: dict, config: Config) -> Config:
    """Apply the settings in `data` (a parsed TOML document) to `config`, noting each problem."""
    defaults = {f.name: f.default for f in fields(Config)}
    for section, table in data.items():
        if section not in SECTIONS or not isinstance(table, dict):
            config.problems.append(f"{config.path}: unknown section [{section}] ignored "
                                   f"(known: {', '.join(f'[{s}]' for s in SECTIONS)})")
            continue
        for key, value in table.items():
            if key not in SECTIONS[section]:
                config.problems.append(f"{config.path}: [{section}] {key}: unknown setting ignored "
                                       f"(known: {', '.join(SECTIONS[section])})")
                continue
            problem = _check(key, value, defaults[key])
            if problem:
                config.problems.append(f"{config.path}: [{section}] {key} = {value!r}: {problem}; "
                                       f"using {defaults[key]!r}")
            else:
                setattr(config, key, value)
    return config


def _check(key: str, value, default) -> str:
    if type(value) is not type(default):
        return f"expected {'true or false' if isinstance(default, bool) else type(default).__name__}"
    if key in CHOICES and value not in CHOICES[key]:
        return "expected one of " + ", ".join(repr(c) for c in CHOICES[key])
    if key == "nodes" and not 1 <= value <= MAX_NODES:
        return f"expected 1 to {MAX_NODES}"
    return ""


def _write_default(path: str) -> None:
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "x") as f:
            f.write(DEFAULT_FILE)
    except OSError:  # a read-only home: the defaults serve just as well
        pass
