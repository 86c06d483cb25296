"""Hanweb 大汉 JCMS "jpage" pages of the demo site (docs/SITES.md section 3.1): column pages whose first records hide
inside `<script type="text/xml"><datastore>`, the dataproxy.jsp groups that carry the rest, and article pages in the
shape of the seed page (metadata table, title, 发布日期 line, `div#zoom`, 信息来源 at the end).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from urllib.parse import urlencode

from demosite import chrome, text
from demosite.docs import HANWEB, Column, DemoDoc
from demosite.pages import SITE_NAME, WEB_ID, WEB_NAME, page

PER_PAGE = 15
GROUP_SIZE = 3
GROUP = PER_PAGE * GROUP_SIZE  # records per datastore group: 45
TITLE_LIMIT = 30
PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
UNIT_IDS = {"1571301": 4455271, "1571305": 4455285}


def proxy_query(column: Column, start: int, end: int) -> str:
    params = [
        ("startrecord", str(start)),
        ("endrecord", str(end)),
        ("perpage", str(PER_PAGE)),
        ("col", "1"),
        ("appid", "1"),
        ("webid", str(WEB_ID)),
        ("path", "/"),
        ("columnid", column.key),
        ("sourceContentType", "1"),
        ("unitid", str(UNIT_IDS[column.key])),
        ("webname", WEB_NAME),
        ("permissiontype", "0"),
    ]
    return urlencode(params, safe="/")


def record_xml(doc: DemoDoc) -> str:
    return (
        f'<record><![CDATA[\n<li><a href="{doc.path}" title="{escape(doc.title)}" target="_blank">'
        f"{escape(doc.list_title(TITLE_LIMIT))}</a><span>{doc.publish_date}</span></li>]]></record>"
    )


def datastore_xml(column: Column, docs: Sequence[DemoDoc], start: int, end: int) -> str:
    """The datastore for records start..end (1-based, inclusive) of the column's newest-first list."""
    chosen = docs[max(start, 1) - 1 : max(end, 0)] if start <= end else []
    nxt = ""
    if end < len(docs) and chosen:
        nxt = f'<a href="{PROXY_PATH}?{proxy_query(column, end + 1, end + GROUP)}"></a>'
    records = "\n".join(record_xml(d) for d in chosen)
    return (
        f"<datastore>\n<nextgroup><![CDATA[{nxt}]]></nextgroup>\n<recordset>\n{records}\n</recordset>\n"
        f"<totalrecord>{len(docs)}</totalrecord>\n<totalpage>{-(-len(docs) // PER_PAGE)}</totalpage>\n</datastore>"
    )


def proxy_response(column: Column | None, docs: Sequence[DemoDoc], start: int, end: int) -> str:
    if column is None:
        return '<?xml version="1.0" encoding="UTF-8"?>\n<datastore><recordset></recordset></datastore>'
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + datastore_xml(column, docs, start, end)


def _crumb(column: Column) -> str:
    return chrome.breadcrumb(
        (("首页", "/index.html"), ("政府信息公开", chrome.NOWHERE), ("法定主动公开内容", chrome.NOWHERE),
         (column.name, column.path))
    )  # fmt: skip


def _location(column: Column) -> str:
    """Hanweb's hidden column trail (col1 is the current column), read by its scripts (text, not links)."""
    trail = ((column.name, column.path), ("法定主动公开内容", "/col/col1571300/index.html"),
             ("政府信息公开", "/col/col1571299/index.html"))  # fmt: skip
    spans = "".join(
        f"<span id='col{n}_name'>{name}</span><span id='col{n}_url'>{url}</span>"
        for n, (name, url) in enumerate(trail, start=1)
    )
    return f"<div id='hiddenLocation' style='display:none;'><span id='ss_webid'>{WEB_ID}</span>{spans}</div>"


def column_html(column: Column, docs: Sequence[DemoDoc]) -> str:
    unit = UNIT_IDS[column.key]
    store = datastore_xml(column, docs, 1, GROUP)
    body = f"""{_location(column)}
<div class="main w1200 clearfix">
{chrome.sidebar(HANWEB, column.name)}
<div class="right-con">
  {_crumb(column)}
  <div class="list-title"><span>{column.name}</span></div>
  <div class="default_pgContainer" id="{unit}"><script type="text/xml">{store}</script>
<script language="javascript" src="/module/jslib/jquery/jpage/jpage.js"></script>
<script type="text/javascript">
$(document).ready(function(e) {{
  $('#{unit}').jpage({{
    dataStore: null, totalRecord: {len(docs)}, openCookies: false, dataBefore: '<ul class="xxgk-list">',
    dataAfter: '</ul>', perPage: {PER_PAGE}, groupSize: {GROUP_SIZE}, proxyUrl: '{PROXY_PATH}',
    pageInfo: {{ pageNo: 'pageNum', totalRecord: 'totalRecord' }},
    ajaxParam: {{ col: 1, appid: 1, webid: {WEB_ID}, path: '/', columnid: {column.key}, sourceContentType: 1,
                 unitid: {unit}, webname: '{WEB_NAME}', permissiontype: 0 }}
  }});
}});
</script></div>
</div>
</div>"""
    meta = (
        ("ColumnName", column.name),
        ("ColumnDescription", f"{WEB_NAME}{column.name}"),
        ("ColumnKeywords", f"{column.name},政府信息公开"),
        ("ColumnType", "信息公开"),
    )
    return page(f"{column.name} {SITE_NAME}", body, meta=meta, layout=HANWEB)


def _label(doc: DemoDoc, label: str) -> str:
    """Some templates pad labels with NBSP (索&nbsp;引&nbsp;号); the parser must normalise them."""
    if doc.art_id % 5 == 0 and len(label) == 3:
        return "&nbsp;".join(label)
    return label


def metadata_table(doc: DemoDoc) -> str:
    rows = (
        (("索引号", doc.index_no), ("公开方式", doc.disclosure)),
        (("发布机构", doc.agency), ("成文日期", doc.written_date)),
        (("主题分类", doc.topic), ("发文字号", doc.doc_no or "")),
    )
    html = []
    for row in rows:
        cells = "".join(
            f'<td class="xxgk-label">{_label(doc, label)}</td><td class="xxgk-value">{escape(value)}</td>'
            for label, value in row
        )
        html.append(f"<tr>{cells}</tr>")
    return (
        '<table class="xxgk" width="100%" cellspacing="0" cellpadding="0"><tbody>'
        + "".join(html)
        + "</tbody></table>"
    )


def body_html(doc: DemoDoc) -> str:
    """Paragraphs as an editor pastes them: indented text, right-aligned signature, the attachment link."""
    agency_full = next(a.full_name for a in text.AGENCIES if a.name == doc.agency)
    sign = {agency_full, text.cn_date(doc.written_date)}
    out = []
    for para in doc.paragraphs:
        if para.startswith("附件：") and doc.attachments:
            links = "、".join(
                f'<a href="{escape(a.href)}" target="_blank">{escape(a.name)}</a>' for a in doc.attachments
            )
            out.append(f'<p style="text-indent: 2em;">附件：{links}</p>')
        elif para in sign:
            out.append(f'<p style="text-align: right;">{escape(para)}</p>')
        elif para.endswith("：") and len(para) < 40:
            out.append(f"<p>{escape(para)}</p>")
        else:
            out.append(f'<p style="text-indent: 2em;">{escape(para)}</p>')
    return "\n".join(out)


def article_html(doc: DemoDoc) -> str:
    col = doc.column
    meta = (
        ("ColumnName", col.name),
        ("ColumnType", "信息公开"),
        ("ArticleTitle", doc.title),
        ("PubDate", f"{doc.publish_date} {doc.publish_time}"),
        ("ContentSource", doc.source),
        ("Keywords", ""),
        ("Author", ""),
        ("Description", ""),
        ("Image", ""),
        ("Url", ""),
        ("Maketime", f"{doc.publish_date} {doc.publish_time}:12_{doc.art_id % 1000}"),
        ("guid", f"青岚{doc.publish_date[:4]}{doc.art_id}"),
        ("WebId", str(WEB_ID)),
    )
    body = f"""{_location(col)}
<div class="main w1200 clearfix">
{chrome.sidebar(HANWEB, col.name)}
<div class="article">
{_crumb(col)}
{metadata_table(doc)}
<div class="article-title"><!--<$[标题名称(html)]>begin--><p class="con-title">{escape(doc.title)}</p><!--<$[标题名称(html)]>end--></div>
<div class="small-title">
  <span>发布日期：{doc.publish_date} {doc.publish_time}</span>
  <span>浏览次数：<script language="javascript" src="/module/visitcount/articlehits.jsp?colid={col.key}&amp;artid={doc.art_id}"></script></span>
  <span class="font-size">字体：[<a href="javascript:doZoom(20)">大</a> <a href="javascript:doZoom(16)">中</a> <a href="javascript:doZoom(14)">小</a>]</span>
  <span class="share">分享：<a href="javascript:void(0)" class="share-wx" title="分享到微信"></a><a href="javascript:void(0)" class="share-wb" title="分享到微博"></a></span>
</div>
<div id="zoom" class="main-txt"><!--<$[信息内容]>begin-->
{body_html(doc)}
<!--<$[信息内容]>end--></div>
<div class="article-source">信息来源：<!--<$[信息来源]>begin-->{escape(doc.source)}<!--<$[信息来源]>end--></div>
<div class="article-tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
</div>"""
    return page(doc.title, body, meta=meta, layout=HANWEB)
