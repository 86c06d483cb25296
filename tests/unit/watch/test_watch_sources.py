"""sources.toml and `gongkai sources`: bad entries are one clear line, the write side needs its switch and token."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gongkai.cli import main
from gongkai.watch.sources import (
    SourceError,
    format_duration,
    load_sources,
    make_source,
    parse_duration,
    save_sources,
)

TOKEN = "a-long-enough-write-token"


def _write(root: Path, text: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "sources.toml").write_text(text, encoding="utf-8")


def test_a_full_entry_round_trips(tmp_path: Path) -> None:
    _write(
        tmp_path,
        '[source.sx]\nlabel = "绍兴市"\nseeds = ["https://www.sx.gov.cn/col/col1/index.html"]\ninterval = "6h"\n'
        'recheck = "1w"\ndelay_s = 3\nmax_pages = 50\nadapter = "hanweb_jpage"\nextra_hosts = ["Files.sx.gov.cn"]\n',
    )
    [source] = load_sources(tmp_path)
    assert (source.interval_s, source.recheck_s, source.delay_s, source.max_pages) == (21600, 604800, 3.0, 50)
    assert source.extra_hosts == ("files.sx.gov.cn",) and source.hosts == ("www.sx.gov.cn",)
    save_sources(
        tmp_path, [source, make_source("b", {"seeds": ["http://127.0.0.1:8000/"], "label": 'say "hi"\\'})]
    )
    again = load_sources(tmp_path)
    assert again[0] == source and again[1].label == 'say "hi"\\'


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[source.a]\nseeds = ["ftp://x/"]\n', "not an http(s) URL"),
        ("[source.a]\nseeds = []\n", "seeds must be a non-empty list"),
        ('[source.a]\nseeds = ["http://x/"]\ninterval = "soon"\n', "a duration like 6h"),
        ('[source.a]\nseeds = ["http://x/"]\ninterval = "10s"\n', "at least 60 seconds"),
        ('[source.a]\nseeds = ["http://x/"]\nadapter = "magic"\n', "unknown adapter 'magic'"),
        ('[source.a]\nseeds = ["http://x/"]\nmax_page = 3\n', "unknown key 'max_page'"),
        ('[source."A B"]\nseeds = ["http://x/"]\n', "a name is lower-case"),
        (
            '[source.a]\nseeds = ["http://x/"]\nextra_hosts = ["a b"]\n',
            "extra_hosts must be a list of host names",
        ),
        ("[sources.a]\nseeds = 1\n", "unknown table [sources]"),
        ("[source.a\n", "is not valid TOML"),
    ],
)
def test_a_bad_entry_is_one_line_naming_what_is_wrong(tmp_path: Path, text: str, needle: str) -> None:
    _write(tmp_path, text)
    with pytest.raises(SourceError) as caught:
        load_sources(tmp_path)
    assert needle in str(caught.value) and "\n" not in str(caught.value)
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "sources", "check", "--no-fetch"])
    assert result.exit_code == 1 and needle in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_durations() -> None:
    assert parse_duration("90m", "x") == 5400 and parse_duration(7200, "x") == 7200
    assert [format_duration(s) for s in (3600, 5400, 86400 * 14, 61)] == ["1h", "90m", "2w", "61s"]


def test_the_write_side_is_off_by_default_and_needs_the_token(tmp_path: Path) -> None:
    args = ["--data-dir", str(tmp_path), "sources", "add", "demo", "http://127.0.0.1:9/"]
    off = CliRunner().invoke(main, args)
    assert off.exit_code == 1 and "write side is off" in off.output
    assert not (tmp_path / "sources.toml").exists()
    (tmp_path / "gongkai.toml").write_text(f'[watch]\nwrite_enabled = true\nwrite_token = "{TOKEN}"\n')
    wrong = CliRunner().invoke(main, [*args, "--token", "nope"])
    assert wrong.exit_code == 1 and "wrong or missing --token" in wrong.output
    ok = CliRunner().invoke(main, [*args, "--token", TOKEN, "--interval", "2h"])
    assert ok.exit_code == 0, ok.output
    assert load_sources(tmp_path)[0].interval_s == 7200
    listed = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "sources", "list"])
    assert listed.exit_code == 0 and "demo" in listed.output and "2h" in listed.output


def test_enabling_the_write_side_without_a_token_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "gongkai.toml").write_text("[watch]\nwrite_enabled = true\n")
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "alerts", "list"])
    assert result.exit_code == 1 and "write_token" in result.output and "Traceback" not in result.output


def test_adapter_hints_name_the_crawlers_adapters_and_steer_the_choice() -> None:
    from crawler import CrawlSettings, adapter_names
    from crawler.settings import ADAPTER_HINTS
    from crawler.sites import choose_adapter

    assert set(ADAPTER_HINTS) == {"auto", *adapter_names()}
    with pytest.raises(ValueError, match="adapter must be one of"):
        CrawlSettings(adapter="magic")
    plain = "<html><body><ul><li><a href='/a.html'>通知</a></li></ul></body></html>"
    assert choose_adapter(plain, "http://x/").NAME == "generic"
    assert choose_adapter(plain, "http://x/", "trs_static").NAME == "trs_static"  # nothing matched: the hint


def test_check_fetches_each_seed_once(tmp_path: Path) -> None:
    from demosite.server import serve_site
    from demosite.site import DemoSite

    site = DemoSite(seed=1, n_docs=10)
    with serve_site(site) as srv:
        save_sources(tmp_path, [make_source("demo", {"seeds": [srv.url + site.seed_paths[0]]})])
        ok = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "sources", "check"])
        assert ok.exit_code == 0 and "-> 200" in ok.output and "ok: 1 source(s)" in ok.output
        assert [e.path_qs for e in srv.access_log.entries()] == [site.seed_paths[0]]
    dead = make_source("dead", {"seeds": ["http://127.0.0.1:9/"]})
    save_sources(tmp_path, [dead])
    bad = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "sources", "check"])
    assert bad.exit_code == 1 and "unreachable" in bad.output and "Traceback" not in bad.output
