"""The `gongkai` command: a thin click layer over the four packages (README.md, "Commands").

Exit status: 0 success; 1 an expected failure with a one-line reason on stderr (never a traceback);
2 wrong usage (click's own). This module and the others in `gongkai/` are the composition root: the only
code that imports every layer and wires them together.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from gongkai import config as config_mod
from gongkai.logs import configure_logging
from gongkai.usage import translate as translate_usage

F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """An expected failure: printed as one line, exit status 1."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        click.echo(f"gongkai: 错误 error: {self.format_message()}", err=True)


@dataclasses.dataclass
class Context:
    data_dir_flag: str | None
    verbose: bool

    def config(self, **overrides: dict[str, Any]) -> config_mod.Config:
        env = config_mod.environ()
        data_dir = config_mod.resolve_data_dir(self.data_dir_flag, env)
        try:
            return config_mod.load_config(data_dir, env, overrides)
        except config_mod.ConfigError as exc:
            raise Failure(str(exc)) from exc


pass_ctx = click.make_pass_decorator(Context)


class Group(click.Group):
    """Turns the expected failures of every layer into one-line errors with exit status 1, and click's usage
    errors (exit status 2) into Chinese first, English after (gongkai/usage.py)."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise translate_usage(exc) from exc

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._add_watch_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._add_watch_commands()
        return super().list_commands(ctx)

    def _add_watch_commands(self) -> None:
        """sources, watch, alerts (gongkai/watch/commands.py uses this module's names, so it comes in late)."""
        if "watch" not in self.commands:
            from gongkai.watch.commands import register

            register(self)

    def invoke(self, ctx: click.Context) -> Any:
        import logging
        import sqlite3

        from archive import ArchiveError
        from gongkai.failures import describe, is_database_error
        from gongkai.jobs import JobError
        from index import IndexBusy, IndexMissing, QueryError

        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise translate_usage(exc) from exc
        except (JobError, ArchiveError, IndexBusy, IndexMissing, QueryError, config_mod.ConfigError) as exc:
            raise Failure(str(exc)) from exc
        except (OSError, sqlite3.Error) as exc:
            # The environment failed (full disk, read-only mount, permissions, a damaged file): one line.
            logging.getLogger("gongkai").debug("command failed", exc_info=True)
            where = None
            if isinstance(ctx.obj, Context):
                where = str(config_mod.resolve_data_dir(ctx.obj.data_dir_flag, config_mod.environ()))
            raise Failure(describe(exc, where=where) or str(exc)) from exc
        except Exception as exc:
            if not is_database_error(exc):
                raise
            logging.getLogger("gongkai").debug("command failed", exc_info=True)
            raise Failure(describe(exc) or str(exc)) from exc


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir", metavar="DIR", help="数据目录 data directory (default $GONGKAI_DATA_DIR or ./gongkai-data)"
)
@click.option("-v", "--verbose", is_flag=True, help="log progress and debug detail to stderr")
@click.version_option(package_name="gongkai")
@click.pass_context
def main(ctx: click.Context, data_dir: str | None, verbose: bool) -> None:
    """gongkai 公开: a searchable archive of Chinese government information disclosures."""
    configure_logging(verbose=verbose)
    ctx.obj = Context(data_dir_flag=data_dir, verbose=verbose)


def _iso_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # the web accepts exactly this form too
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD")
    try:
        date.fromisoformat(value)  # a real day, not 2021-02-30
        return value
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


def filter_options(func: F) -> F:
    """FILTERS of the README, the same for `search` and `export`."""
    from archive.fields import filterable
    from index import DATE_FIELDS

    # one option per filterable field of archive/fields.py: --agency, --topic, ... (repeatable, any of)
    named = {"agency": "agencies", "topic": "topics"}
    options = [
        click.option(
            "--" + spec.name.replace("_", "-"),
            named.get(spec.name, spec.name),
            multiple=True,
            help=f"{spec.label} (repeatable, any of)",
        )
        for spec in filterable()
    ]
    options += [
        click.option("--since", callback=_iso_date, metavar="YYYY-MM-DD", help="on or after this date"),
        click.option("--until", callback=_iso_date, metavar="YYYY-MM-DD", help="on or before this date"),
        click.option(
            "--date-field",
            type=click.Choice(list(DATE_FIELDS)),
            default="publish",
            show_default=True,
            help="which date --since/--until and the date sorts use",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@main.command()
@click.option(
    "--port", type=int, default=8000, show_default=True, help="port of the search UI (0: any free port)"
)
@click.option("--host", default="127.0.0.1", show_default=True, help="address of the search UI")
@click.option("--no-serve", is_flag=True, help="stop after crawling and indexing")
@click.option(
    "--docs",
    "n_docs",
    type=click.IntRange(1, 20000),
    default=320,
    show_default=True,
    help="documents on the demo site",
)
@pass_ctx
def demo(obj: Context, port: int, host: str, no_serve: bool, n_docs: int) -> None:
    """Start the built-in demo site on 127.0.0.1, crawl, index and serve it."""
    from gongkai.demo import run_demo

    cfg = obj.config()
    run_demo(cfg, host=host, port=port, serve=not no_serve, n_docs=n_docs, echo=click.echo)


@main.command()
@click.argument("urls", nargs=-1, metavar="URLS...")
@click.option("--delay", type=click.FloatRange(0.0), help="seconds between requests to one host (default 2)")
@click.option("--max-pages", type=click.IntRange(1), help="stop after fetching this many pages")
@click.option("--no-index", is_flag=True, help="do not update the search index afterwards")
@click.option(
    "--worker",
    is_flag=True,
    help="one of several workers on the shared PostgreSQL frontier (URLs seed it; without URLs: join its run)",
)
@pass_ctx
def crawl(
    obj: Context,
    urls: tuple[str, ...],
    delay: float | None,
    max_pages: int | None,
    no_index: bool,
    worker: bool,
) -> None:
    """Crawl disclosure catalogues from column, list or article URLs, within their hosts."""
    from gongkai.jobs import run_crawl, run_crawl_worker

    if not urls and not worker:
        ctx = click.get_current_context()
        param = next(p for p in ctx.command.params if p.name == "urls")
        raise click.MissingParameter(ctx=ctx, param=param)
    for url in urls:
        if not url.lower().startswith(("http://", "https://")):
            raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="URL")
    cfg = obj.config(crawler={"delay_s": delay, "max_pages": max_pages})
    if worker:
        ok, message = run_crawl_worker(cfg, list(urls), echo=click.echo)
    else:
        ok, message = run_crawl(cfg, list(urls), update_index_after=not no_index, echo=click.echo)
    if not ok:
        raise Failure(message)


@main.command("index")
@click.option(
    "--rebuild", is_flag=True, help="rebuild the whole index from the archive into a fresh directory"
)
@click.option(
    "--reparse",
    is_flag=True,
    help="re-extract every document from its archived original first (implies --rebuild)",
)
@pass_ctx
def index_cmd(obj: Context, rebuild: bool, reparse: bool) -> None:
    """Bring the search index up to date with the catalogue."""
    from gongkai.jobs import run_index

    cfg = obj.config()
    click.echo(run_index(cfg, rebuild=rebuild or reparse, reparse=reparse))


@main.command()
@click.argument("query", required=False, default="")
@filter_options
@click.option(
    "--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True
)
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print JSON (the shape of /api/search)")
@pass_ctx
def search(obj: Context, query: str, as_json: bool, **params: Any) -> None:
    """Search the index."""
    from gongkai.jobs import run_search

    cfg = obj.config()
    page = run_search(cfg, query, **params)
    if as_json:
        click.echo(json.dumps(page.to_json(), ensure_ascii=False))
        return
    click.echo(f"共 {page.total} 条 ({page.total} hits)")
    for n, hit in enumerate(page.hits, start=page.offset + 1):
        click.echo(f"{n:>4}. {hit.title}")
        meta = "  ".join(str(v) for v in (hit.agency, hit.publish_date, hit.doc_no, hit.index_no) if v)
        click.echo(f"      {meta}")
        click.echo(f"      {hit.url}  [id {hit.id}]")


@main.command()
@click.argument("query", required=False, default="")
@filter_options
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@click.option(
    "--english-headers", is_flag=True, help="CSV header row with the record's field names, not Chinese"
)
@pass_ctx
def export(obj: Context, query: str, fmt: str, english_headers: bool, **params: Any) -> None:
    """Write every matching document (every document without query and filters) to stdout.

    CSV starts with a byte order mark and a Chinese header row, so Excel and WPS open it right."""
    from gongkai.jobs import run_export

    cfg = obj.config()
    run_export(cfg, query, fmt=fmt, out=sys.stdout, english_headers=english_headers, **params)


@main.command()
@click.argument("doc_ids", nargs=-1, required=True)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="directory to write",
)
@pass_ctx
def evidence(obj: Context, doc_ids: tuple[str, ...], out_dir: Path) -> None:
    """Write an evidence bundle: the documents' WARC records and a manifest (time, URL, 索引号, SHA-256)."""
    from gongkai.jobs import run_evidence

    entries = run_evidence(obj.config(), list(doc_ids), out_dir)
    click.echo(
        f"证据包 evidence bundle: {len(entries)} capture(s) of {len(doc_ids)} document(s) in {out_dir}"
    )


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", help="the URL the page was saved from (resolves links, fills `url`)")
@click.option("--json", "as_json", is_flag=True, help="print the document record as JSON")
def extract(file: Path, url: str | None, as_json: bool) -> None:
    """Parse one saved page (raw bytes, any encoding) and print its document record."""
    from gongkai.jobs import run_extract

    try:
        record = run_extract(file, url)
    except ValueError as exc:
        raise Failure(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    for key, value in record.items():
        if key == "body":
            continue
        click.echo(f"{key}: {value if value is not None else '—'}")
    click.echo("")
    click.echo(record.get("body") or "")


@main.command()
@click.option(
    "--to", "url", required=True, metavar="URL", help="an empty PostgreSQL database, postgresql://..."
)
@pass_ctx
def migrate(obj: Context, url: str) -> None:
    """Copy the SQLite catalogue into an empty PostgreSQL database, then verify."""
    from gongkai.jobs import run_migrate

    report = run_migrate(obj.config(), url, echo=click.echo)
    if not report.ok:
        for line in report.lines():
            click.echo(line, err=True)
        raise Failure(f"archive damaged on the copy: {len(report.problems)} problem(s), listed above")


@main.command()
@pass_ctx
def verify(obj: Context) -> None:
    """Check every archived record against its digests and the catalogue."""
    from gongkai.jobs import run_verify

    cfg = obj.config()
    report = run_verify(cfg)
    for line in [*report.lines(), report.summary()]:
        click.echo(line, err=not report.ok)
    if not report.ok:
        raise Failure(f"archive damaged: {len(report.problems)} problem(s), listed above")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True)
@click.option(
    "--raw-port",
    type=int,
    default=None,
    help="port of the separate origin serving archived originals (default port+1)",
)
@pass_ctx
def serve(obj: Context, host: str, port: int, raw_port: int | None) -> None:
    """Serve the web UI and API under waitress."""
    from gongkai.serve import serve_forever

    cfg = obj.config()
    serve_forever(cfg, host=host, port=port, raw_port=raw_port, echo=click.echo)


@main.group()
def report() -> None:
    """问责报告 accountability reports (the /agencies pages as text or JSON)."""


@report.command("agency")
@click.argument("name")
@click.option("--topic", default=None, help="只看这个主题分类 only this topic of the agency")
@click.option("--json", "as_json", is_flag=True, help="the JSON of /api/agencies/NAME")
@pass_ctx
def report_agency(obj: Context, name: str, topic: str | None, as_json: bool) -> None:
    """One agency: timeliness, silent months, edits, removals, annual reports."""
    from gongkai.report import agency_report_output

    cfg = obj.config()
    ok, text = agency_report_output(cfg, name, topic=topic, as_json=as_json)
    if not ok:
        raise Failure(text)
    click.echo(text)


if __name__ == "__main__":  # pragma: no cover
    main()
