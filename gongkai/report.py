"""`gongkai report agency NAME`: the figures of /agencies/NAME as plain text or as its JSON twin.

The numbers come from archive.accountability, the same code the web pages use, so the two always agree.
"""

from __future__ import annotations

import json

from archive import Catalogue
from archive.accountability import AgencyReport, agency_names, agency_report, load
from archive.timeliness import ARTICLE_26, ARTICLE_26_DAYS, FLAGS
from gongkai.config import Config

STATUS = {"on_time": "按期发布", "late": "逾期发布", "missing": "未找到", "found": "已发布（当时无期限规定）"}


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def agency_report_output(
    cfg: Config, name: str, *, topic: str | None = None, as_json: bool
) -> tuple[bool, str]:
    """(True, text) or (False, a one-line reason)."""
    catalogue = Catalogue(cfg.data_dir.catalogue_target, readonly=True)
    try:
        snapshot = load(catalogue)
    finally:
        catalogue.close()
    whole = agency_report(snapshot, name)
    if whole is None:
        known = "、".join(sorted(agency_names(snapshot))[:20]) or "（无）"
        return False, f"档案中没有发布机构“{name}” / no such agency in the archive (known: {known})"
    report = whole if topic is None else agency_report(snapshot, name, topic)
    if report is None:
        known = "、".join(t.name for t in whole.topics)
        return False, f"“{name}”没有主题“{topic}”的文件 / no such topic for this agency (known: {known})"
    if as_json:
        return True, json.dumps(report.to_json(), ensure_ascii=False, indent=2)
    return True, format_text(report)


def format_text(r: AgencyReport) -> str:
    s = r.summary
    share = "—" if s.late_share is None else f"{s.late_share * 100:.1f}%"
    scope = f"{s.name}（主题：{r.topic}）" if r.topic else s.name
    lines = [
        f"{scope}：{s.documents} 件文件（{s.first_month or '—'} 至 {s.last_month or '—'}）",
        f"成文到发布：工作日中位数 {_num(s.median_lag)}；超过 {ARTICLE_26_DAYS} 个工作日 {s.late} 件"
        f"（可计算 {s.with_lag} 件中的 {share}）；无法计算 {s.flagged} 件",
        f"发布到首次抓取：中位数 {_num(s.median_capture_lag)} 天",
        f"有修改 {s.edited} 件；原网页已删除 {s.removed} 件；静默期 {s.gaps} 段",
        f"提示指标，非违法认定：{ARTICLE_26}",
    ]
    for gap in r.gaps:
        lines.append(f"静默 {gap.first} 至 {gap.last}：{gap.months} 个月无文件（此前每月 {gap.rate:.1f} 件）")
    for title, docs in (
        ("超过20个工作日", r.late_docs),
        ("有修改", r.edited_docs),
        ("已删除", r.removed_docs),
    ):
        for doc in docs:
            lag = doc.lag if doc.lag is not None else FLAGS.get(doc.flag or "", "—")
            lines.append(f"{title}\t{doc.doc_id}\t{doc.publish_date or '—'}\t{lag}\t{doc.title or ''}")
    for row in r.annual:
        found = "；".join(f"{d.title}（{d.publish_date}）" for d in row.documents) or "—"
        lines.append(f"年度报告 {row.year}（截止 {row.due or '—'}）：{STATUS[row.status]}\t{found}")
    months = [m for m in r.months if m.edits or m.removals]
    for m in months:
        lines.append(f"{m.month}：修改 {m.edits}，删除 {m.removals}")
    return "\n".join(lines)
