"""Settings values from text: the one converter every layer's settings dataclass is built with.

Settings arrive as TOML values or environment strings (`GONGKAI_CRAWLER_DELAY_S=3`). Each field's declared type
decides how its value is read: `bool` from true/false/yes/no/on/off/1/0 (any other text is an error, never
truthiness: "false" is False), `int` and `float` from numbers or numeric text, `X | None` from "none" or "" as
None, `tuple[str, ...]` from a comma-separated string or a list, `Path` from text. An unknown key is an error, so
a typo never silently keeps a default. Checks of the values themselves live in each dataclass's `__post_init__`,
so a settings object built any other way (tests, `dataclasses.replace`) is checked the same.

It sits in the base layer because every layer has settings and every layer may import `archive`.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


def settings_from_mapping(cls: type[T], section: Mapping[str, Any] | None, layer: str) -> T:
    """An instance of the settings dataclass `cls` from a config section (raises ValueError)."""
    section = section or {}
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(section) - set(fields))
    if unknown:
        names = ", ".join(f"{layer}.{name}" for name in unknown)
        raise ValueError(f"未知的设置 / unknown setting {names}")
    hints = typing.get_type_hints(cls)
    values = {
        name: coerce(value, hints[name], f"{layer}.{name}")
        for name, value in section.items()
        if value is not None or type(None) in typing.get_args(hints[name])  # None keeps a plain default
    }
    return cls(**values)


def coerce(value: Any, hint: Any, name: str) -> Any:
    """`value` (a TOML value or an environment string) as the declared type `hint`."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    optional = type(None) in typing.get_args(hint)
    target = args[0] if optional and len(args) == 1 else hint
    if optional and (value is None or (isinstance(value, str) and value.strip().lower() in ("", "none"))):
        return None
    try:
        if typing.get_origin(target) is tuple:
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(item).strip() for item in items if str(item).strip())
        if target is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE or text in _FALSE:
                return text in _TRUE
            raise ValueError(value)
        if target is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            return int(value)
        if target is float:
            if isinstance(value, bool):
                raise ValueError(value)
            return float(value)
        if target is Path:
            return Path(value)
        if target is str:
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise ValueError(value)
            return str(value)
    except (TypeError, ValueError):
        shown = getattr(target, "__name__", str(target))
        raise ValueError(
            f"设置 {name} 的值无法读取 / setting {name}: cannot read {value!r} as {shown}"
        ) from None
    return value
