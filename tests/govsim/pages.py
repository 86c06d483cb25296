"""The bodies gov-sim serves for its pathologies: challenge shells, block pages, soft-404s, a login wall."""

from __future__ import annotations

PATHOLOGY_LINKS = (
    "/patho/ruishu.html",
    "/patho/ruishu202.html",
    "/patho/jsl.html",
    "/patho/verify.html",
    "/patho/missing.html",
    "/patho/login.html",
    "/patho/loop1.html",
    "/patho/stall.html",
    "/patho/drip.html",
    "/patho/big.html",
    "/patho/bomb.html",
    "/patho/fake.pdf",
    "/patho/secret.html",
    "/patho/dups.html",
    "/module/search/index.html",
)

RUISHU = (
    '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    '<meta id="9DhefwqGPrzR" content="ZmFrZS1jaGFsbGVuZ2U" r=\'m\'>'
    "<script type=\"text/javascript\">$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};$_ts.nsd=1;"
    "$_ts.cd='qEaDrpAlEa';</script><script type=\"text/javascript\" src=\"/patho/x7Yt.js\" r='m'></script>"
    "</head><body></body></html>"
)
JSL = (
    "<html><body><script>document.cookie=('_')+('_jsl_clear')+('ance_s=1700000000.1|0|abc');"
    "location.href=location.pathname+location.search</script></body></html>"
)


def verify_page() -> str:
    filler = "".join(f"<p>请完成下方验证后继续访问本站内容，第{i}段说明。</p>" for i in range(60))
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>安全验证</title></head><body>'
        f'<div class="slider">请拖动滑块完成安全验证</div>{filler}</body></html>'
    )


def soft404() -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>提示信息</title></head><body>'
        '<div class="err">抱歉，您访问的页面不存在或已被删除！</div><a href="/">返回首页</a></body></html>'
    )


def login_page() -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>统一身份认证平台</title></head><body>'
        '<form action="/login" method="post"><input name="user"><input type="password" name="pwd">'
        "<button>登录</button></form>" + "<p>请使用统一身份认证账号登录后查看。</p>" * 40 + "</body></html>"
    )
