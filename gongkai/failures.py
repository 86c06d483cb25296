"""The environment's failures as one line each: a full disk, a read-only mount, a permission, a lock, a file that
is not what it should be. Every command ends in one of these rather than a 60-line traceback (issue 16 item 7);
`-v` still logs the traceback for whoever debugs it.
"""

from __future__ import annotations

import errno
import os
import sqlite3

_OS_REASONS: dict[int, str] = {
    errno.ENOSPC: "磁盘已满 / disk full",
    errno.EDQUOT: "磁盘配额已满 / disk quota exceeded",
    errno.EROFS: "只读文件系统 / read-only file system",
    errno.EACCES: "没有权限 / permission denied",
    errno.EPERM: "不允许的操作 / operation not permitted",
    errno.ENOENT: "文件不存在 / no such file or directory",
    errno.EISDIR: "这是目录 / is a directory",
    errno.ENOTDIR: "不是目录 / not a directory",
    errno.EMFILE: "打开的文件过多 / too many open files",
    errno.EIO: "输入输出错误 / I/O error",
    errno.EFBIG: "文件过大 / file too large",
}
_SQLITE_REASONS: tuple[tuple[str, str], ...] = (
    ("database or disk is full", "磁盘已满 / disk full"),
    ("readonly database", "只读，无法写入 / read-only"),
    ("database is locked", "目录被另一个进程锁定 / locked by another process"),
    ("unable to open database file", "无法打开 / cannot open"),
    ("file is not a database", "已损坏：不是 SQLite 数据库 / damaged: not a SQLite database"),
    ("database disk image is malformed", "已损坏 / damaged (malformed)"),
    ("disk i/o error", "输入输出错误 / I/O error"),
)
HINT = {
    errno.ENOSPC: "free some space and run the command again (what was archived is kept)",
    errno.EDQUOT: "free some space and run the command again (what was archived is kept)",
    errno.EROFS: "the data directory must be writable for this command",
}


def describe(exc: BaseException, *, where: str | None = None) -> str | None:
    """One line for an OSError or SQLite error from the environment; None for anything else."""
    if isinstance(exc, OSError):
        reason = _OS_REASONS.get(exc.errno or -1) or exc.strerror or type(exc).__name__
        path = exc.filename if exc.filename is not None else where
        line = f"{reason}: {path}" if path else reason
        hint = HINT.get(exc.errno or -1)
        return f"{line}; {hint}" if hint else line
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        if where and ("unable to open" in text or "readonly" in text) and _read_only(where):
            # SQLite cannot create its -wal/-shm files on a read-only mount and only says "unable to open"
            return f"{_OS_REASONS[errno.EROFS]}: {where}; {HINT[errno.EROFS]}"
        for needle, reason in _SQLITE_REASONS:
            if needle in text:
                target = f"catalogue {where}" if where else "catalogue"
                if "full" in needle:
                    return f"{reason}: {target}; {HINT[errno.ENOSPC]}"
                return f"{reason}: {target}"
        return f"SQLite: {exc}" + (f" ({where})" if where else "")
    if is_database_error(exc):  # PostgreSQL (psycopg): the server went away, refused, ran out of room
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"目录数据库出错 / catalogue database error: {first}"
    return None


def is_database_error(exc: BaseException) -> bool:
    """A psycopg error, told by its module so that the SQLite-only default never imports psycopg."""
    return any(cls.__module__.split(".")[0] == "psycopg" for cls in type(exc).__mro__)


def _read_only(path: str) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False
