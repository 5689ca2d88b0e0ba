"""The prompt's colours: the toolbar and the completion menu, for dark or light terminals, or none."""

from __future__ import annotations

from typing import Optional

from prompt_toolkit.output import ColorDepth
from prompt_toolkit.styles import Style

THEMES = {
    "dark": {
        "bottom-toolbar": "noreverse bg:#303030 #d0d0d0",
        "toolbar.ok": "bg:#303030 #5fd75f bold",
        "toolbar.warn": "bg:#303030 #ffaf00 bold",
        "toolbar.value": "bg:#303030 #ffffff bold",
        "toolbar.lesson": "bg:#303030 #87d7ff bold",
        "toolbar.hint": "bg:#303030 #8a8a8a",
        "completion-menu.completion": "bg:#3a3a3a #d0d0d0",
        "completion-menu.completion.current": "bg:#5f87af #ffffff",
        "completion-menu.meta.completion": "bg:#262626 #8a8a8a",
        "completion-menu.meta.completion.current": "bg:#5f87af #eeeeee",
        "auto-suggestion": "#6c6c6c",
    },
    "light": {
        "bottom-toolbar": "noreverse bg:#e4e4e4 #303030",
        "toolbar.ok": "bg:#e4e4e4 #008700 bold",
        "toolbar.warn": "bg:#e4e4e4 #af5f00 bold",
        "toolbar.value": "bg:#e4e4e4 #000000 bold",
        "toolbar.lesson": "bg:#e4e4e4 #005f87 bold",
        "toolbar.hint": "bg:#e4e4e4 #6c6c6c",
        "completion-menu.completion": "bg:#eeeeee #303030",
        "completion-menu.completion.current": "bg:#5f87af #ffffff",
        "completion-menu.meta.completion": "bg:#dadada #585858",
        "completion-menu.meta.completion.current": "bg:#5f87af #eeeeee",
        "auto-suggestion": "#a8a8a8",
    },
    "mono": {"bottom-toolbar": "reverse", "toolbar.value": "bold"},
}


def prompt_style(theme: str) -> Style:
    """The prompt_toolkit style of a theme (dark when unknown)."""
    return Style.from_dict(THEMES.get(theme, THEMES["dark"]))


def color_depth(color: str, theme: str) -> Optional[ColorDepth]:
    """One bit (no colour) when the settings ask for it; None lets prompt_toolkit decide (NO_COLOR too)."""
    return ColorDepth.DEPTH_1_BIT if color == "never" or theme == "mono" else None
