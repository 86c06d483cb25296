"""Configuration, read once at the edge: defaults < gongkai.toml < GONGKAI_* environment < command-line flags.

Each layer owns a frozen settings dataclass with documented defaults; this module is the only one that reads
files or the environment to fill them (docs/STYLE.md section 7). A setting is addressed as `section.name`, in the
TOML file as `[section] name = value` and in the environment as `GONGKAI_SECTION_NAME`.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import ArchiveSettings, DataDir
from crawler import CrawlSettings
from gongkai.watch.settings import WatchSettings
from index import IndexSettings
from web import WebSettings

DEFAULT_DATA_DIR = "gongkai-data"
SECTIONS: dict[str, type] = {
    "archive": ArchiveSettings,
    "crawler": CrawlSettings,
    "index": IndexSettings,
    "web": WebSettings,
    "watch": WatchSettings,
}


class ConfigError(ValueError):
    """A setting that cannot be read: unknown name, wrong type, unreadable file."""


@dataclass(frozen=True)
class Config:
    data_dir: DataDir
    archive: ArchiveSettings
    crawler: CrawlSettings
    index: IndexSettings
    web: WebSettings
    watch: WatchSettings = WatchSettings()


def resolve_data_dir(flag: str | None, environ: Mapping[str, str]) -> Path:
    """`--data-dir`, else `$GONGKAI_DATA_DIR`, else `./gongkai-data` (README.md)."""
    value = flag or environ.get("GONGKAI_DATA_DIR") or DEFAULT_DATA_DIR
    return Path(value).expanduser().absolute()


def load_config(
    data_dir: Path,
    environ: Mapping[str, str],
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Config:
    """Build every layer's settings for one data directory."""
    layers: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    toml_path = data_dir / "gongkai.toml"
    if toml_path.is_file():
        try:
            document = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {toml_path}: {exc}") from exc
        for section, values in document.items():
            if section not in SECTIONS or not isinstance(values, dict):
                raise ConfigError(f"{toml_path}: unknown section [{section}]")
            layers[section].update(values)
    for key, raw in environ.items():
        if not key.startswith("GONGKAI_") or key == "GONGKAI_DATA_DIR":
            continue
        section, _, name = key[len("GONGKAI_") :].lower().partition("_")
        if section in SECTIONS and name:
            layers[section][name] = raw
    if environ.get("GONGKAI_DATABASE_URL"):  # the usual name for a database URL; wins over the TOML file
        layers["archive"]["database"] = environ["GONGKAI_DATABASE_URL"]
    for section, values in (overrides or {}).items():
        layers[section].update({k: v for k, v in values.items() if v is not None})
    built = {section: _build(cls, layers[section], section) for section, cls in SECTIONS.items()}
    root = DataDir(data_dir, database=built["archive"].database)
    dictionary = built["index"].user_dictionary
    if dictionary is not None:
        # relative to the data dir, like everything else in it; checked now rather than at the first search
        dictionary = dictionary if dictionary.is_absolute() else root.root / dictionary
        if not dictionary.is_file():
            raise ConfigError(f"index.user_dictionary: 词典文件不存在 / no such file: {dictionary}")
        built["index"] = dataclasses.replace(built["index"], user_dictionary=dictionary)
    _check_pages(built["web"], built["index"])
    index = built["index"]
    if index.backend == "postgresql" and not index.database:  # the search table in the archive's database
        url = built["archive"].database
        if not url:
            raise ConfigError(
                'index.backend = "postgresql" 需要数据库地址（index.database、archive.database 或'
                " GONGKAI_DATABASE_URL）/ the postgresql backend needs a database URL"
            )
        built["index"] = dataclasses.replace(index, database=url)
    return Config(data_dir=root, **built)


def _check_pages(web: Any, index: Any) -> None:
    """The web asks the index for pages of web.page_size and web.feed_size hits, which index.max_limit bounds: a
    configuration where they do not fit is refused now, not as a 400 on every search page."""
    for name in ("page_size", "feed_size"):
        if getattr(web, name) > index.max_limit:
            raise ConfigError(
                f"web.{name} 不能大于 index.max_limit（{index.max_limit}）/ web.{name} ({getattr(web, name)})"
                f" must not exceed index.max_limit ({index.max_limit})"
            )


def settings_table() -> list[tuple[str, str, Any]]:
    """(`section.name`, type, default) for every setting: the README's settings table is checked against it."""
    rows = []
    for section, cls in SECTIONS.items():
        defaults = cls()
        for f in dataclasses.fields(cls):
            rows.append(
                (f"{section}.{f.name}", type(getattr(defaults, f.name)).__name__, getattr(defaults, f.name))
            )
    return rows


def _build(cls: type, values: Mapping[str, Any], section: str) -> Any:
    """The layer's settings from raw values (`archive.coerce` reads each by its declared type)."""
    try:
        return cls.from_mapping(values)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"[{section}] {exc}") from exc


def environ() -> Mapping[str, str]:
    """The process environment, read once by the CLI and passed down."""
    return dict(os.environ)
