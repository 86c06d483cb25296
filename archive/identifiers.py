"""Dates, 索引号 and 发文字号: parsed and folded so that every way a site prints them matches (docs/SITES.md 9).

Pure functions over strings. The crawler stores values as shown and derives these forms beside them; the
index folds queries and documents through `doc_no_key` and `index_no_key`, so both keys are a stable
contract: changing them means rebuilding the index.

- `doc_no_key`: NFKC (full-width digits and brackets become half-width), whitespace removed, any bracket pair
  around a four-digit year becomes 〔〕, leading zeros of the serial dropped, `号` appended:
  `国办发[2018]128号`, `国办发（2018）128号`, `国办发〔２０１８〕128 号` and `国办发2018 128` all give
  `国办发〔2018〕128号`. 令-style numbers keep their shape (`国令第707号`). Anything else: NFKC, no spaces.
- `index_no_key`: NFKC, whitespace removed, dashes unified to `-`, letters upper-cased.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

# Asia/Shanghai has had no daylight saving time since 1991; a fixed offset keeps this pure and tz-data free.
_CHINA = timezone(timedelta(hours=8))

_SPACES = re.compile(r"[\s\u00a0\u2000-\u200b\u3000\ufeff]+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")

_DATE = re.compile(
    r"(?<!\d)(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})(?!\d)\s*日?"
    r"(?:\s*[T\-\s]?\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?)?"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EPOCH = re.compile(r"^\d{10}(\d{3})?$")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _valid_date(y: str, m: str, d: str) -> date | None:
    try:
        value = date(int(y), int(m), int(d))
    except ValueError:
        return None
    return value if 1900 <= value.year <= 2100 else None


def _from_epoch(digits: str) -> datetime | None:
    seconds = int(digits) / (1000 if len(digits) == 13 else 1)
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC).astimezone(_CHINA)
    except (OverflowError, OSError, ValueError):
        return None
    return moment if 1900 <= moment.year <= 2100 else None


_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_DATE = re.compile(
    r"([〇零○一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)


def _cn_number(text: str) -> int:
    """一 .. 三十一 as written in 落款 dates."""
    if "十" not in text:
        return _CN_DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 0) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def _cn_date(text: str) -> date | None:
    match = _CN_DATE.search(text)
    if match is None:
        return None
    year = "".join(str(_CN_DIGITS[ch]) for ch in match.group(1))
    return _valid_date(year, str(_cn_number(match.group(2))), str(_cn_number(match.group(3))))


def normalise_date(text: str | None) -> str | None:
    """`YYYY-MM-DD` from the first date in `text` (any form docs/SITES.md 4 lists), or None when there is none."""
    if not text:
        return None
    folded = _fold(text).strip()
    if _EPOCH.match(folded):
        moment = _from_epoch(folded)
        return moment.date().isoformat() if moment else None
    compact = _COMPACT_DATE.match(folded)
    if compact:
        value = _valid_date(*compact.groups())
        return value.isoformat() if value else None
    for match in _DATE.finditer(folded):
        value = _valid_date(match.group(1), match.group(2), match.group(3))
        if value:
            return value.isoformat()
    chinese = _cn_date(folded)
    return chinese.isoformat() if chinese else None


def parse_publish_at(text: str | None) -> str | None:
    """`YYYY-MM-DDTHH:MM:SS+08:00` when `text` shows a time of day with its date (China local time), else None."""
    if not text:
        return None
    folded = _fold(text).strip()
    if _EPOCH.match(folded):
        moment = _from_epoch(folded)
        return moment.replace(microsecond=0).isoformat() if moment else None
    for match in _DATE.finditer(folded):
        day = _valid_date(match.group(1), match.group(2), match.group(3))
        if day is None:
            continue
        if match.group(4) is None:
            return None
        hour, minute, second = int(match.group(4)), int(match.group(5)), int(match.group(6) or 0)
        if hour > 23 or minute > 59 or second > 59:
            return None
        moment = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=_CHINA)
        return moment.isoformat()
    return None


# --- 索引号 ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexNo:
    """A 索引号 split into its parts; parts the shape does not carry are None. Serials stay strings."""

    raw: str
    key: str
    agency_code: str | None = None
    region_code: str | None = None  # characters 3-8 of an 18-character USCC (行政区划代码)
    org_code: str | None = None  # the 9-character organisation code (characters 9-17 of a USCC)
    year: str | None = None
    serial: str | None = None


_INDEX_REST = re.compile(r"^(\d{4})[-_/.]?([0-9A-Z][0-9A-Z\-_.]*)$")
_INDEX_HYPHEN = re.compile(r"^([0-9A-Z]{8,18})-(\d{4})-([0-9A-Z][0-9A-Z\-_.]*)$")
_ORG_CODE = re.compile(r"^[0-9A-Z]{8}[0-9X]$")


def index_no_key(raw: str) -> str:
    """The matching form of a 索引号: NFKC, no whitespace, one kind of dash, upper case."""
    return _DASHES.sub("-", _SPACES.sub("", _fold(raw))).upper()


def _agency_parts(agency_code: str) -> tuple[str | None, str | None]:
    if len(agency_code) == 18:
        return agency_code[2:8], agency_code[8:17]
    if _ORG_CODE.match(agency_code):
        return None, agency_code
    return None, None


def parse_index_no(raw: str | None) -> IndexNo | None:
    """Parts of a 索引号 (docs/SITES.md 9.1); None for a blank or 无. Unknown shapes keep only `raw` and `key`."""
    if raw is None:
        return None
    key = index_no_key(raw)
    if not key or key == "无" or not re.search(r"[0-9A-Z]", key):
        return None
    agency: str | None = None
    year: str | None = None
    serial: str | None = None
    if "/" in key:
        head, _, rest = key.partition("/")
        match = _INDEX_REST.match(rest)
        if head and re.fullmatch(r"[0-9A-Z\-]+", head):
            agency = head
            if match:
                year, serial = match.group(1), match.group(2)
    else:
        match = _INDEX_HYPHEN.match(key)
        if match:
            agency, year, serial = match.groups()
    region, org = _agency_parts(agency) if agency else (None, None)
    return IndexNo(raw, key, agency, region, org, year, serial)


# --- 发文字号 ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocNo:
    """A 发文字号 parsed into 机关代字, year and serial (no year for 令-style numbers)."""

    raw: str
    key: str
    issuer_code: str
    year: str | None
    serial: str


_OPEN = "〔\\[【（(［{〖"
_CLOSE = "〕\\]】）)］}〗"
_ISSUER = r"[\u3400-\u9fffA-Za-z]{1,24}"
_BRACKETED = re.compile(rf"^({_ISSUER})[{_OPEN}](\d{{4}})[{_CLOSE}]第?(\d{{1,6}})号?$")
_BARE = re.compile(rf"^({_ISSUER})\s*(\d{{4}})(?:\s+|\s*[-—_]\s*)(\d{{1,6}})\s*号?$")
_DECREE = re.compile(r"^([\u3400-\u9fffA-Za-z]{0,23}令)第?(\d{1,6})号$")

# The detector, on text as shown: full-width digits and spaces allowed.
_D = "[0-9０-９]"
_FIND_STANDARD = re.compile(
    rf"[\u3400-\u9fffA-Za-z]{{2,24}}\s*[{_OPEN}]\s*{_D}{{4}}\s*[{_CLOSE}]\s*第?\s*{_D}{{1,6}}\s*号"
)
_FIND_DECREE = re.compile(rf"[\u3400-\u9fff]{{0,12}}令\s*第\s*{_D}{{1,6}}\s*号")


def _strip_zeros(serial: str) -> str:
    return serial.lstrip("0") or "0"


def parse_doc_no(raw: str | None) -> DocNo | None:
    """机关代字, year and serial of a 发文字号 (docs/SITES.md 9.2), any bracket style; None when it has no such shape."""
    if raw is None:
        return None
    folded = _fold(raw).strip()
    compact = _SPACES.sub("", folded)
    match = _BRACKETED.match(compact)
    if match is None:
        match = _BARE.match(_SPACES.sub(" ", folded))
    if match is not None:
        issuer, year, serial = match.group(1), match.group(2), match.group(3)
        serial = _strip_zeros(serial)
        return DocNo(raw, f"{issuer}〔{year}〕{serial}号", issuer, year, serial)
    decree = _DECREE.match(compact)
    if decree is not None and decree.group(1):
        issuer, serial = decree.group(1), _strip_zeros(decree.group(2))
        return DocNo(raw, f"{issuer}第{serial}号", issuer, None, serial)
    return None


def doc_no_key(raw: str) -> str:
    """The canonical matching form of a 发文字号 (module docstring); stable, the index relies on it."""
    parsed = parse_doc_no(raw)
    if parsed is not None:
        return parsed.key
    return _SPACES.sub("", _fold(raw))


def find_doc_no(text: str | None) -> str | None:
    """The first 发文字号-shaped run in `text`, as shown; the caller decides whether the place is trustworthy."""
    if not text:
        return None
    found = [m for m in (_FIND_STANDARD.search(text), _FIND_DECREE.search(text)) if m is not None]
    if not found:
        return None
    first = min(found, key=lambda m: m.start())
    return first.group(0).strip()
