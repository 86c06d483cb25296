"""Configuration precedence: defaults < gongkai.toml < GONGKAI_* environment < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from gongkai.config import ConfigError, load_config, resolve_data_dir


def test_data_dir_flag_beats_environment_beats_default(tmp_path: Path) -> None:
    env = {"GONGKAI_DATA_DIR": str(tmp_path / "env")}
    assert resolve_data_dir(str(tmp_path / "flag"), env) == tmp_path / "flag"
    assert resolve_data_dir(None, env) == tmp_path / "env"
    assert resolve_data_dir(None, {}).name == "gongkai-data"


def test_toml_then_environment_then_flags(tmp_path: Path) -> None:
    (tmp_path / "gongkai.toml").write_text("[crawler]\ndelay_s = 5\nmax_pages = 7\n", encoding="utf-8")
    cfg = load_config(tmp_path, {})
    assert cfg.crawler.delay_s == 5.0 and cfg.crawler.max_pages == 7
    cfg = load_config(tmp_path, {"GONGKAI_CRAWLER_DELAY_S": "3.5"})
    assert cfg.crawler.delay_s == 3.5 and cfg.crawler.max_pages == 7
    cfg = load_config(
        tmp_path, {"GONGKAI_CRAWLER_DELAY_S": "3.5"}, {"crawler": {"delay_s": 1.0, "max_pages": None}}
    )
    assert cfg.crawler.delay_s == 1.0 and cfg.crawler.max_pages == 7


@pytest.mark.parametrize(
    ("toml", "env", "message"),
    [
        ("[crawler]\nno_such_thing = 1\n", {}, "unknown setting crawler.no_such_thing"),
        ("[nonsense]\nx = 1\n", {}, "unknown section"),
        ("[crawler\n", {}, "cannot read"),
        ("", {"GONGKAI_CRAWLER_DELAY_S": "fast"}, "cannot read 'fast'"),
        ('[index]\nuser_dictionary = "words.txt"\n', {}, "no such file: .*words.txt"),
        ("[index]\nmax_limit = 10\n", {}, "web.page_size 不能大于 index.max_limit"),
        ("[web]\nmax_limit = 10\n", {}, "unknown setting web.max_limit"),  # the index owns it
    ],
)
def test_bad_settings_are_clear_errors(tmp_path: Path, toml: str, env: dict[str, str], message: str) -> None:
    (tmp_path / "gongkai.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, env)


def test_environment_strings_take_the_declared_types(tmp_path: Path) -> None:
    cfg = load_config(
        tmp_path,
        {
            "GONGKAI_CRAWLER_MAX_PAGES": "7",
            "GONGKAI_CRAWLER_FETCH_ATTACHMENTS": "no",
            "GONGKAI_INDEX_PROCS": "2",
        },
    )
    assert cfg.crawler.max_pages == 7
    assert cfg.crawler.fetch_attachments is False
    assert cfg.index.procs == 2


def test_user_dictionary_is_found_relative_to_the_data_dir(tmp_path: Path) -> None:
    (tmp_path / "words.txt").write_text("青岚市公安局\n", encoding="utf-8")
    (tmp_path / "gongkai.toml").write_text('[index]\nuser_dictionary = "words.txt"\n', encoding="utf-8")
    assert load_config(tmp_path, {}).index.user_dictionary == tmp_path / "words.txt"
    absolute = tmp_path / "elsewhere.txt"
    absolute.write_text("法治政府建设示范\n", encoding="utf-8")
    cfg = load_config(tmp_path, {"GONGKAI_INDEX_USER_DICTIONARY": str(absolute)})
    assert cfg.index.user_dictionary == absolute


def test_database_url_from_toml_or_environment_with_the_environment_winning(tmp_path: Path) -> None:
    assert load_config(tmp_path, {}).data_dir.database is None  # the embedded SQLite catalogue
    (tmp_path / "gongkai.toml").write_text(
        '[archive]\ndatabase = "postgresql://a@db1/gongkai"\nworker_id = "w1"\n', encoding="utf-8"
    )
    cfg = load_config(tmp_path, {})
    assert cfg.data_dir.database == cfg.archive.database == "postgresql://a@db1/gongkai"
    assert cfg.archive.worker_id == "w1" and cfg.data_dir.catalogue_target == "postgresql://a@db1/gongkai"
    env = {"GONGKAI_DATABASE_URL": "postgresql://b:secret@db2/gongkai"}
    cfg = load_config(tmp_path, env)
    assert cfg.data_dir.database == "postgresql://b:secret@db2/gongkai"
    assert "secret" not in repr(cfg)  # settings and data dir never print the password
    for name, value in (("database", "sqlite:///x"), ("worker_id", "w 1")):
        with pytest.raises(ConfigError, match=f"/ {name}"):
            load_config(tmp_path, {f"GONGKAI_ARCHIVE_{name.upper()}": value})
