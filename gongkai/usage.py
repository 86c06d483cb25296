"""Usage errors in Chinese first, click's English after a slash (exit status 2, as click gives).

click builds its messages from English templates (through gettext, with no Chinese catalogue), so the finished
message is matched against those templates here and a Chinese sentence put in front; a message no pattern knows
keeps its English alone after a Chinese prefix, so nothing is ever lost.
"""

from __future__ import annotations

import re
from typing import IO, Any

import click

_WHOLE: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), chinese)
    for pattern, chinese in (
        (r"Missing argument '(?P<a>[^']+)'\.?", "缺少参数 {a}"),
        (r"Missing option '(?P<a>[^']+)'\.?", "缺少选项 {a}"),
        (r"No such option:? '?(?P<a>[^'\s]+?)'?\.?(?:\s+Did you mean (?P<c>\S+?)\?)?", "没有选项 {a}"),
        (r"No such command '(?P<a>[^']+)'\.?", "没有命令 {a}"),
        (r"Option '(?P<a>[^']+)' requires an argument\.?", "选项 {a} 需要一个值"),
        (r"Option '(?P<a>[^']+)' does not take a value\.?", "选项 {a} 不带值"),
        (r"Got unexpected extra arguments? \((?P<a>.+)\)", "多余的参数：{a}"),
        (r"Invalid value for '?(?P<a>[^':]+)'?: (?P<b>.+)", "{a} 的值无效：{b}"),
    )
)
_DETAIL: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), chinese)
    for pattern, chinese in (
        (r"(?P<a>.+) is not a valid integer( range)?\.?", "{a} 不是整数"),
        (r"(?P<a>.+) is not a valid float( range)?\.?", "{a} 不是数字"),
        (r"(?P<a>.+) is not one of (?P<b>.+?)\.?", "{a} 只能是 {b} 之一"),
        (r"(?P<a>.+) is not in the range (?P<b>.+?)\.?", "{a} 不在范围 {b} 内"),
        (r"(?P<a>.+) is not a date YYYY-MM-DD", "{a} 不是 YYYY-MM-DD 格式的日期"),
        (r"(?P<a>.+) is not an http\(s\) URL", "{a} 不是 http(s) 网址"),
        (r"(?P<a>.+) is not a valid boolean\.?", "{a} 不是布尔值"),
    )
)


def _match(table: tuple[tuple[re.Pattern[str], str], ...], text: str) -> str | None:
    for pattern, chinese in table:
        found = pattern.fullmatch(text.strip())
        if found:
            parts = {k: _detail(v) if k == "b" else v for k, v in found.groupdict().items() if v is not None}
            return chinese.format(**{"a": "", "b": "", "c": "", **parts})
    return None


def _detail(text: str) -> str:
    return _match(_DETAIL, text) or text


def chinese_message(english: str) -> str:
    """`中文 / English` for one of click's usage messages (the English as click wrote it)."""
    chinese = _match(_WHOLE, english) or _match(_DETAIL, english) or "用法错误"
    return f"{chinese} / {english}"


class UsageError(click.UsageError):
    """A usage error shown in Chinese and English; exit status 2 like click's own."""

    def __init__(self, original: click.UsageError) -> None:
        super().__init__(original.format_message(), original.ctx)

    def show(self, file: IO[Any] | None = None) -> None:
        err = file is None
        if self.ctx is not None:
            help_option = max(self.ctx.command.get_help_option_names(self.ctx), key=len, default="--help")
            click.echo(self.ctx.get_usage().replace("Usage:", "用法 Usage:", 1), file=file, err=err)
            click.echo(
                f"帮助 help: {self.ctx.command_path} {help_option}", file=file, err=err, color=self.ctx.color
            )
        click.echo(f"gongkai: 错误 error: {chinese_message(self.message)}", file=file, err=err)


def translate(exc: click.UsageError) -> click.UsageError:
    """The same error, shown in Chinese first; help requests (no arguments) pass untouched."""
    if isinstance(exc, (UsageError, click.exceptions.NoArgsIsHelpError)):
        return exc
    return UsageError(exc)
