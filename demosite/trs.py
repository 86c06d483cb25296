"""TRS WCM static pages of the demo site (docs/SITES.md section 3.3): GBK bytes declared as gb2312 in a `<meta>` only,
lists `index.html`, `index_1.html`, ... with a 0-based `createPageHTML`, articles `./YYYYMM/tYYYYMMDD_<id>.html`
whose metadata block is either Beijing's `<ol><li>[label] value` or Wuhan's `div.sub <li>label：value`.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from demosite import chrome, text
from demosite.docs import TRS, Column, DemoDoc
from demosite.pages import page

PER_PAGE = 20
TITLE_LIMIT = 28
CHARSET = "gbk"

CREATE_PAGE_JS = """<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0){ document.write("<span>首页</span>&nbsp;<span>上一页</span>&nbsp;"); }
  else {
    document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>&nbsp;");
    var prev = (nCurrIndex-1 == 0) ? _sPageName+"."+_sPageExt : _sPageName+"_"+(nCurrIndex-1)+"."+_sPageExt;
    document.write("<a href=\\""+prev+"\\">上一页</a>&nbsp;");
  }
  if(nCurrIndex == _nPageCount-1){ document.write("<span>下一页</span>&nbsp;<span>尾页</span>"); }
  else {
    document.write("<a href=\\""+_sPageName+"_"+(nCurrIndex+1)+"."+_sPageExt+"\\">下一页</a>&nbsp;");
    document.write("<a href=\\""+_sPageName+"_"+(_nPageCount-1)+"."+_sPageExt+"\\">尾页</a>");
  }
}
</script>"""


def page_count(n_docs: int) -> int:
    return max(1, -(-n_docs // PER_PAGE))


def list_page_path(column: Column, page_no: int) -> str:
    name = "index.html" if page_no == 0 else f"index_{page_no}.html"
    return f"/xxgk/{column.key}/{name}"


def _relative(doc: DemoDoc) -> str:
    """The article link as TRS writes it in a list: relative to the section directory."""
    prefix = f"/xxgk/{doc.column.key}/"
    return "./" + doc.path[len(prefix) :]


def _crumb(column: Column, up: str, *, article: bool) -> str:
    trail = [("首页", f"{up}../index.html"), ("政府信息公开", chrome.NOWHERE), ("部门信息公开目录", chrome.NOWHERE),
             (column.name, "./index.html" if not article else "../index.html")]  # fmt: skip
    if article:
        trail.append(("正文", ""))
    return chrome.breadcrumb(trail, prefix="您现在的位置：")


def list_html(column: Column, docs: Sequence[DemoDoc], page_no: int) -> bytes:
    pages = page_count(len(docs))
    chosen = docs[page_no * PER_PAGE : (page_no + 1) * PER_PAGE]
    items = "\n".join(
        f'<li><a href="{_relative(d)}" title="{escape(d.title)}" target="_blank">{escape(d.list_title(TITLE_LIMIT))}</a>'
        f"<span>{d.publish_date}</span></li>"
        for d in chosen
    )
    body = f"""<div class="xxgk_container w1200 clearfix">
{chrome.sidebar(TRS, column.name, "../")}
<div class="xxgk_right">
  {_crumb(column, "../", article=False)}
  <div class="list_title">{column.name}</div>
  <ul class="list">
{items}
  </ul>
  <div class="page">{CREATE_PAGE_JS}
<script type="text/javascript">createPageHTML({pages}, {page_no}, "index", "html");</script>
  </div>
</div>
</div>"""
    meta = (("ColumnName", column.name), ("ColumnDescription", column.name), ("ColumnKeywords", column.name),
            ("ColumnType", "信息公开"))  # fmt: skip
    html = page(f"{column.name}_青岚市人民政府", body, charset="gb2312", meta=meta, layout=TRS, up="../")
    return html.encode(CHARSET)


def _block(doc: DemoDoc) -> str:
    pairs = (
        ("索引号", doc.index_no),
        ("主题分类", doc.topic),
        ("发布机构", doc.agency),
        ("成文日期", doc.written_date),
        ("发文字号", doc.doc_no or ""),
        ("发布日期", doc.publish_date),
        ("公开方式", doc.disclosure),
        ("信息来源", doc.source),
    )
    if doc.block == "ol":
        items = "".join(f"<li><span>[{label}]</span> {escape(value)}</li>" for label, value in pairs)
        return f'<div class="xxgk_info"><ol>{items}</ol></div>'
    items = "".join(f"<li>{label}：{escape(value)}</li>" for label, value in pairs)
    return f'<div class="sub"><ul>{items}</ul></div>'


def _body(doc: DemoDoc) -> str:
    agency_full = next(a.full_name for a in text.AGENCIES if a.name == doc.agency)
    sign = {agency_full, text.cn_date(doc.written_date)}
    out = []
    for para in doc.paragraphs:
        if para.startswith("附件：") and doc.attachments:
            links = "、".join(
                f'<a href="{escape(a.href)}" OLDSRC="{escape(a.href[2:])}">{escape(a.name)}</a>'
                for a in doc.attachments
            )
            out.append(f'<p style="text-indent: 2em;">附件：{links}</p>')
        elif para in sign:
            out.append(f'<p align="right">{escape(para)}</p>')
        else:
            out.append(f'<p style="text-indent: 2em;">{escape(para)}</p>')
    return "\n".join(out)


def article_html(doc: DemoDoc) -> bytes:
    col = doc.column
    meta = (
        ("ColumnName", col.name),
        ("ColumnType", "信息公开"),
        ("ArticleTitle", doc.title),
        ("PubDate", f"{doc.publish_date} {doc.publish_time}"),
        ("ContentSource", doc.source),
        ("Keywords", ""),
        ("Description", doc.title),
        ("Url", ""),
    )
    body = f"""<div class="xxgk_container w1200 clearfix">
{chrome.sidebar(TRS, col.name, "../../")}
<div class="xxgk_detail">
{_crumb(col, "../../", article=True)}
{_block(doc)}
<div class="header"><p>{escape(doc.title)}</p></div>
<div class="date">发布时间：{doc.publish_date} {doc.publish_time}　来源：{escape(doc.source)}
  <span class="zh">【字体：<a href="javascript:void(0)" onclick="setFontSize(18)">大</a> <a href="javascript:void(0)" onclick="setFontSize(16)">中</a> <a href="javascript:void(0)" onclick="setFontSize(14)">小</a>】</span>
  <span class="fx">分享到：<a href="javascript:void(0)" class="bds_tsina">微博</a> <a href="javascript:void(0)" class="bds_weixin">微信</a></span>
</div>
<div class="view TRS_UEDITOR trs_paper_default"><div class="TRS_Editor">
{_body(doc)}
</div></div>
<div class="btns"><a href="javascript:window.print()">[打印本页]</a> <a href="javascript:window.close()">[关闭窗口]</a></div>
</div>
</div>"""
    html = page(f"{doc.title}_{col.name}", body, charset="gb2312", meta=meta, layout=TRS, up="../../")
    return html.encode(CHARSET)
