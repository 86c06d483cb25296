"""Pages of the demo site that belong to neither layout: home, robots.txt, the 404 page, the search endpoint,
and `page()`, the document both layouts fill: the full furniture of `chrome` for real pages, a light frame for the
error pages (which are small on real sites too).

Only characters that GBK can encode appear here, because the TRS pages reuse the chrome.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from demosite import chrome
from demosite.chrome import SITE_DOMAIN, SITE_ID_CODE, SITE_NAME, WEB_ID, WEB_NAME
from demosite.docs import COLUMNS, HANWEB, DemoDoc

__all__ = ["SITE_DOMAIN", "SITE_ID_CODE", "SITE_NAME", "WEB_ID", "WEB_NAME", "page", "site_meta"]

ROBOTS_TXT = """# robots.txt for 青岚市人民政府门户网站
User-agent: *
Disallow: /module/search/
Allow: /
"""

NAV = (
    ("/index.html", "首页"),
    ("/col/col1571301/index.html", "政务公开"),
    ("/xxgk/zcwj/index.html", "部门信息公开"),
    ("/module/search/index.jsp?searchWord=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80", "站内搜索"),
)


def site_meta(extra: Sequence[tuple[str, str]] = ()) -> str:
    """The 2017 guideline's site-wide meta tags plus page-specific ones, in the order templates emit them."""
    tags = [("SiteName", SITE_NAME), ("SiteDomain", SITE_DOMAIN), ("SiteIDCode", SITE_ID_CODE), *extra]
    return "\n".join(f'<meta name="{name}" content="{escape(value)}">' for name, value in tags)


def header_html() -> str:
    nav = "".join(f'<li><a href="{escape(href)}">{label}</a></li>' for href, label in NAV)
    return f"""<!-- 头部开始 -->
<div class="top-bar"><div class="w1200">
  <span class="fl">今天是 <script type="text/javascript">document.write(new Date().toLocaleDateString());</script></span>
  <span class="fr"><a href="javascript:void(0)" onclick="SetHome(this,window.location)">设为首页</a> |
  <a href="javascript:void(0)" onclick="AddFavorite(document.title,window.location)">加入收藏</a> |
  <a href="javascript:void(0)" id="wza">无障碍浏览</a> | <a href="javascript:void(0)">长者模式</a></span>
</div></div>
<div class="header"><div class="w1200">
  <a class="logo" href="/index.html" title="{SITE_NAME}"><img src="/images/{WEB_ID}/logo.png" alt="{SITE_NAME}"></a>
  <form class="search" action="/module/search/index.jsp" method="get" target="_blank">
    <input type="text" name="searchWord" placeholder="请输入关键字"><input type="submit" value="搜索">
  </form>
</div></div>
<div class="nav"><ul class="w1200">{nav}</ul></div>
<!-- 头部结束 -->"""


def footer_html() -> str:
    return f"""<!-- 底部开始 -->
<div class="footer"><div class="w1200">
  <p><a href="/index.html">网站首页</a> | <a href="javascript:void(0)">网站地图</a> | <a href="javascript:void(0)">联系我们</a> |
  <a href="javascript:void(0)">中国政府网</a></p>
  <p>主办：青岚市人民政府办公室　承办：青岚市大数据发展管理局</p>
  <p>网站标识码：{SITE_ID_CODE}　<a href="javascript:void(0)">示例ICP备00000000号</a>　示例公网安备 33120002000001号</p>
  <p>本站为 gongkai 演示站点，所有文字均由程序生成，不代表任何真实机关。</p>
</div></div>
<!-- 底部结束 -->"""


def page(
    title: str,
    body: str,
    *,
    charset: str = "UTF-8",
    meta: Sequence[tuple[str, str]] = (),
    layout: str | None = None,
    up: str = "",
) -> str:
    """The whole document; with a `layout`, wrapped in that layout's furniture (`up` is the TRS page's way back
    to the section root, e.g. "../" on a list page)."""
    if layout is None:
        assets = f"""<link href="/images/{WEB_ID}/global.css" rel="stylesheet" type="text/css">
<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>"""
        top, bottom, tail = header_html(), footer_html(), ""
    else:
        assets = chrome.head_assets(layout, up)
        top, bottom, tail = chrome.header(layout, up), chrome.footer(layout), chrome.tail_scripts(layout)
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{escape(title)}</title>
{site_meta(meta)}
{assets}
</head>
<body>
{top}
{body}
{bottom}
{tail}
</body>
</html>
"""


def home_html() -> str:
    hanweb = "".join(
        f'<li><a href="{c.path}" target="_blank">{c.name}</a></li>' for c in COLUMNS if c.layout == HANWEB
    )
    trs = "".join(
        f'<li><a href="{c.path}" target="_blank">{c.name}</a></li>' for c in COLUMNS if c.layout != HANWEB
    )
    body = f"""<div class="main w1200">
  <div class="banner"><h2>青岚市人民政府</h2><p>政府信息公开 依法 规范 便民</p></div>
  <div class="box"><div class="box-title"><span>市政府信息公开</span></div><ul class="col-list">{hanweb}</ul></div>
  <div class="box"><div class="box-title"><span>部门信息公开目录</span></div><ul class="col-list">{trs}</ul></div>
  <div class="box"><div class="box-title"><span>热点搜索</span></div><ul class="hot">
    <li><a href="/module/search/index.jsp?searchWord=%E5%9E%83%E5%9C%BE%E5%88%86%E7%B1%BB">垃圾分类</a></li>
    <li><a href="/module/search/index.jsp?searchWord=%E5%AD%A6%E5%89%8D%E6%95%99%E8%82%B2">学前教育</a></li>
  </ul></div>
</div>"""
    return page(SITE_NAME, body, meta=(("ColumnName", "首页"), ("ColumnType", "首页")), layout=HANWEB)


def not_found_html() -> str:
    body = """<div class="main w1200"><div class="error-page" style="text-align:center;padding:80px 0;">
  <h1>404</h1>
  <p>对不起，您访问的页面不存在或已被删除！</p>
  <p>可能的原因：网址有错误，请检查地址是否完整；或该信息已过有效期、已被撤销。</p>
  <p><a href="/index.html">返回首页</a>　<a href="javascript:history.go(-1)">返回上一页</a></p>
</div></div>"""
    return page("404-页面不存在", body)


def missing_file_html() -> str:
    """What the Hanweb download servlet answers for an unknown file: an HTML page with status 200."""
    return page(
        "提示信息",
        '<div class="main w1200"><p class="tips">对不起，您要下载的文件不存在或已被删除！</p></div>',
    )


def search_html(word: str, docs: Sequence[DemoDoc]) -> str:
    hits = [d for d in docs if word and word in d.title][:10]
    items = "".join(
        f'<li><a href="{d.path}" target="_blank">{escape(d.title)}</a><span>{d.publish_date}</span></li>'
        for d in hits
    )
    body = f"""<div class="main w1200"><div class="search-result">
  <p>搜索“{escape(word)}”，共找到 {len(hits)} 条结果</p><ul>{items}</ul>
</div></div>"""
    return page(f"搜索结果-{SITE_NAME}", body, layout=HANWEB)
