"""The furniture real disclosure pages wrap around a few hundred characters of content: header with 无障碍/长者模式/
简繁 switches and a two-level main menu, the 信息公开 column tree, 相关链接 selects, footer lines, inline CSS and
scripts. It is why real article pages weigh 12-160 KB, why an unchanged re-crawl costs an archive little relative to
the page, and why a parser must find the document inside a page that is mostly something else.

Rules the furniture keeps, because the crawler and parser engineers test against this site:
- every href stays on the site: an existing page (home, a column, a list), a `/module/` endpoint (never followed
  as a link) or `javascript:void(0)`; no other host anywhere, not even in scripts;
- no metadata label (索引号, 发布机构, 分类, 来源, 名称, 文号...) and no jpage/TRS paging words outside the places
  the layouts put them, so a header-block parser meets only what real pages give it;
- only characters GBK can encode (the TRS pages reuse it), and no `<a href>` to an image or file.

Everything is built once per (layout, current column) on first use and cached: the site stays fast and lazy.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from html import escape

from demosite.docs import COLUMNS, HANWEB

SITE_NAME = "青岚市人民政府门户网站"
SITE_DOMAIN = "www.qinglan.gov.cn"
SITE_ID_CODE = "3312000001"
WEB_ID = 4012
WEB_NAME = "青岚市人民政府"
NOWHERE = "javascript:void(0)"

# Main menu: (label, second-level items). Labels that name a real page of the site link to it.
MENU: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("首页", ()),
    ("要闻动态", ("青岚要闻", "部门动态", "县区动态", "图片新闻", "视频新闻", "媒体聚焦", "新闻发布会")),
    ("政务公开", ("政府信息公开", "政策文件", "计划总结", "部门文件", "规划计划", "通知公告", "政策解读",
                  "重点领域信息", "人事信息", "财政资金", "政府会议", "建议提案办理")),
    ("政务服务", ("个人办事", "法人办事", "部门服务", "便民服务", "办件查询", "好差评", "一件事一次办", "证照办理")),
    ("互动交流", ("市长信箱", "部门信箱", "在线访谈", "征集调查", "常见问题", "留言选登", "12345热线")),
    ("数据发布", ("统计数据", "统计公报", "数据解读", "公共数据开放", "经济运行", "人口普查")),
    ("走进青岚", ("青岚概况", "历史沿革", "行政区划", "人口民族", "自然资源", "旅游景点", "特色产业", "城市名片",
                  "领导之窗")),
    ("专题专栏", ("优化营商环境", "乡村振兴", "生态环境保护", "安全生产", "文明城市创建", "法治政府建设", "双拥工作",
                  "民生实事", "疫情防控", "扫黑除恶")),
    ("营商环境", ("政策汇编", "涉企服务", "惠企政策兑现", "招商引资", "产业园区", "投资指南")),
    ("无障碍服务", ("读屏专用", "长者助手", "语音导航", "放大镜", "高对比度", "辅助线")),
)  # fmt: skip
# The column tree of the 政府信息公开 platform (信息公开指南 ... 依申请公开).
TREE_TOP = ("信息公开指南", "信息公开制度", "法定主动公开内容", "政府信息公开年报", "依申请公开")
TREE_ITEMS: tuple[str, ...] = (
    "机构职能", "领导信息", "政策文件", "计划总结", "部门文件", "规划计划", "通知公告", "规范性文件", "政策解读",
    "人事信息", "财政预决算", "政府采购", "统计信息", "重大建设项目", "公共资源配置", "社会公益事业", "行政执法公示",
    "权责清单", "政府会议", "建议提案办理", "应急管理", "审计信息", "生态环境", "价格收费",
)  # fmt: skip
RELATED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("国务院部门网站", ("外交部", "国家发展和改革委员会", "教育部", "科学技术部", "工业和信息化部", "公安部", "民政部",
                       "司法部", "财政部", "人力资源和社会保障部", "自然资源部", "生态环境部", "住房和城乡建设部",
                       "交通运输部", "水利部", "农业农村部", "商务部", "文化和旅游部", "国家卫生健康委员会", "审计署")),
    ("省级政府网站", ("北京市人民政府", "天津市人民政府", "河北省人民政府", "山西省人民政府", "浙江省人民政府",
                     "安徽省人民政府", "福建省人民政府", "江西省人民政府", "山东省人民政府", "河南省人民政府",
                     "湖北省人民政府", "湖南省人民政府", "广东省人民政府", "四川省人民政府", "贵州省人民政府")),
    ("市县政府网站", ("青岚市东湖区人民政府", "青岚市西岭区人民政府", "青岚市南塘区人民政府", "青岚市北山区人民政府",
                     "云溪县人民政府", "白石县人民政府", "松阳镇人民政府", "临川县人民政府", "青岚经济技术开发区",
                     "青岚高新技术产业园区")),
    ("市直部门网站", ("市发展和改革委员会", "市教育局", "市科学技术局", "市公安局", "市民政局", "市司法局", "市财政局",
                     "市人力资源和社会保障局", "市自然资源和规划局", "市生态环境局", "市住房和城乡建设局",
                     "市交通运输局", "市农业农村局", "市商务局", "市卫生健康委员会", "市应急管理局", "市市场监督管理局",
                     "市统计局", "市医疗保障局", "市大数据发展管理局")),
)  # fmt: skip
JIANFAN = (  # 简繁 switch: the characters the menu and tree use, simplified then traditional (as real pages embed)
    "万与丑专业丛东丝丢两严丧个丰临为丽举么义乌乐乔习乡书买乱争于亏云亚产亩亲亿仅从仑仓仪们价众优伙会伞伟传伤伦伪"
    "体佣佥侠侣侥侦侧侨侩侪侬俣俦俨俩俪俭债倾偬偻偾偿傥傧储傩儿兑兖党兰关兴兹养兽冁内冈册写军农冯冲决况冻净凄准凉"
    "减凑凛几凤凫凭凯击凿刍划刘则刚创删别刬刭刹刽刿剀剂剐剑剥剧劝办务劢动励劲劳势勋勐勚匀匦匮区医华协单卖卢卤卧卫"
    "却卺厂厅历厉压厌厍厕厢厣厦厨厩厮县参叆叇双发变叙叠叶号叹叽吁后吓吕吗吣吨听启吴呒呓呕呖呗员呙呛呜咏咔咙咛咝咤",
    "萬與醜專業叢東絲丟兩嚴喪個豐臨為麗舉麼義烏樂喬習鄉書買亂爭於虧雲亞產畝親億僅從侖倉儀們價眾優夥會傘偉傳傷倫偽"
    "體傭僉俠侶僥偵側僑儈儕儂俁儔儼倆儷儉債傾傯僂僨償儻儐儲儺兒兌兗黨蘭關興茲養獸囅內岡冊寫軍農馮沖決況凍淨淒準涼"
    "減湊凜幾鳳鳧憑凱擊鑿芻劃劉則剛創刪別剗剄剎劊劌剴劑剮劍剝劇勸辦務勱動勵勁勞勢勳勐勩勻匭匱區醫華協單賣盧鹵臥衛"
    "卻巹廠廳歷厲壓厭厙廁廂厴廈廚廄廝縣參靉靆雙發變敘疊葉號嘆嘰籲後嚇呂嗎唚噸聽啟吳嘸囈嘔嚦唄員咼嗆嗚詠哢嚨嚀噝吒",
)


def _gbk_safe(text: str) -> str:
    """Menu data is checked at use: a character GBK lacks would break every TRS page at once."""
    text.encode("gbk")
    return text


def _real_pages(up: str) -> dict[str, str]:
    """Menu/tree labels that are pages of the site, with hrefs as the layout writes them (`up` is TRS's ../)."""
    found = {"首页": "/index.html", "政府信息公开": COLUMNS[0].path}
    for col in COLUMNS:
        found[col.name] = col.path if col.layout == HANWEB or not up else f"{up}{col.key}/index.html"
    return found


def _href(label: str, pages: dict[str, str]) -> str:
    return escape(pages.get(label, NOWHERE))


@cache
def header(layout: str, up: str = "") -> str:
    """Top bar (date, switches), logo and search, and the main menu with its second level."""
    pages = _real_pages(up)
    items = []
    for n, (label, subs) in enumerate(MENU):
        sub = "".join(
            f'<li><a href="{_href(s, pages)}" target="_self" title="{s}">{s}</a></li>' for s in subs
        )
        drop = f'<div class="sub-nav sub-nav{n}"><ul class="clearfix">{sub}</ul></div>' if subs else ""
        cls = "nav-item on" if n == 0 else "nav-item"
        items.append(
            f'<li class="{cls} n{n}" data-idx="{n}"><a class="nav-a" href="{_href(label, pages)}">{label}</a>{drop}</li>'
        )
    menu = "\n".join(items)
    if layout == HANWEB:
        search = (
            '<form class="search-form" name="searchform" action="/module/search/index.jsp" method="get" '
            'target="_blank" onsubmit="return checkSearch(this);">\n'
            '  <input type="hidden" name="field_0" value="vc_title"><input type="hidden" name="currpage" value="1">\n'
            '  <input type="hidden" name="strSelectID" value="0"><input type="hidden" name="i_columnid" value="">\n'
            '  <input type="text" class="search-input" name="searchWord" id="searchWord" maxlength="50" '
            'placeholder="请输入关键字" autocomplete="off"><button type="submit" class="search-btn">搜索</button>\n'
            "</form>"
        )
    else:
        search = (
            '<form class="sch" name="searchform" action="/module/search/index.jsp" method="get" target="_blank">\n'
            '  <input type="hidden" name="channelid" value="210712"><input type="hidden" name="searchscope" '
            'value=""><input type="hidden" name="timescope" value=""><input type="hidden" name="orderby" value="-DOCRELTIME">\n'
            '  <input type="text" class="sch_txt" name="searchWord" value="" title="全站搜索"><input type="submit" '
            'class="sch_btn" value="">\n</form>'
        )
    return _gbk_safe(f"""<!-- 头部开始 -->
<div class="topbar"><div class="w1200 clearfix">
  <div class="top-left">欢迎访问{SITE_NAME}！今天是 <span id="today"></span> <span id="weather"></span></div>
  <div class="top-right">
    <a href="{NOWHERE}" id="wza" class="wza" title="无障碍浏览" onclick="toggleAria()">无障碍</a><em>|</em>
    <a href="{NOWHERE}" id="zzms" class="zzms" title="长者模式" onclick="toggleElder()">长者模式</a><em>|</em>
    <a href="{NOWHERE}" id="jfqh" class="jfqh" title="简繁切换" onclick="switchJianFan()">繁體</a><em>|</em>
    <a href="{NOWHERE}" class="mobile" title="手机版">手机版</a><em>|</em>
    <a href="{NOWHERE}" class="wx" title="政务微信">政务微信</a><em>|</em>
    <a href="{NOWHERE}" class="wb" title="政务微博">政务微博</a><em>|</em>
    <a href="{NOWHERE}" class="login" title="个人登录">登录</a>
  </div>
</div></div>
<div class="header"><div class="w1200 clearfix">
  <div class="logo"><a href="/index.html" title="{SITE_NAME}"><img src="/images/{WEB_ID}/logo.png" alt="{SITE_NAME}" width="560" height="84"></a></div>
  <div class="header-search">
{search}
    <div class="hot-words">热搜词：<a href="{NOWHERE}">营商环境</a><a href="{NOWHERE}">公积金提取</a><a href="{NOWHERE}">义务教育招生</a><a href="{NOWHERE}">医保缴费</a></div>
  </div>
</div></div>
<div class="nav" id="nav"><div class="w1200"><ul class="nav-list clearfix">
{menu}
</ul></div></div>
<!-- 头部结束 -->""")


@cache
def sidebar(layout: str, current: str, up: str = "") -> str:
    """The 政府信息公开 column tree with the current column open; columns that exist here are real links."""
    pages = _real_pages(up)
    subs = []
    for n, name in enumerate(TREE_ITEMS):
        on = ' class="on"' if name == current else ""
        subs.append(
            f'<li{on}><a href="{_href(name, pages)}" data-node="{3000 + n}" title="{name}">'
            f'<i class="ico ico{n % 12}"></i>{name}</a></li>'
        )
    tops = []
    for n, name in enumerate(TREE_TOP):
        inner = f'\n<ul class="tree-sub" id="tree-sub{n}">\n' + "\n".join(subs) + "\n</ul>" if n == 2 else ""
        cls = "tree-node open" if n == 2 else "tree-node"
        tops.append(
            f'<li class="{cls}"><a class="tree-a" href="{NOWHERE}" onclick="toggleTree({n})">'
            f"<span>{name}</span><b></b></a>{inner}</li>"
        )
    tree = "\n".join(tops)
    if layout == HANWEB:
        return _gbk_safe(f"""<div class="left-side">
<div class="left-name"><h2>政府信息公开</h2><p>Government Information</p></div>
<div class="xxgk-unit">
  <select class="unit-select" onchange="changeUnit(this)"><option value="">{WEB_NAME}</option><option value="">市政府办公室</option><option value="">市直部门</option><option value="">县（区）政府</option></select>
</div>
<ul class="xxgk-tree">
{tree}
</ul>
<div class="left-ewm"><img src="/images/{WEB_ID}/ewm-gk.png" alt="扫一扫 手机查看" width="120" height="120"><p>扫一扫 手机查看</p></div>
</div>""")
    return _gbk_safe(f"""<div class="xxgk_left">
<div class="xxgk_lm"><h3>部门信息公开目录</h3></div>
<ul class="xxgk_tree">
{tree}
</ul>
<div class="xxgk_lx"><p>受理机构：市政府办公室</p><p>受理时间：工作日 上午9:00-12:00 下午13:30-17:00</p></div>
</div>""")


def breadcrumb(trail: Sequence[tuple[str, str]], *, prefix: str = "当前位置：", sep: str = " &gt; ") -> str:
    return (
        f'<div class="position crumb">{prefix}'
        + sep.join(
            f'<a href="{escape(href)}">{escape(name)}</a>' if href else escape(name) for name, href in trail
        )
        + "</div>"
    )


@cache
def related_links() -> str:
    """相关链接: the select lists every Chinese government site has; plain names, no foreign hosts."""
    boxes = []
    for n, (name, sites) in enumerate(RELATED):
        options = "".join(f'<option value="#">{s}</option>' for s in sites)
        boxes.append(
            f'<div class="link-box lb{n}"><select class="link-select" onchange="goLink(this)">'
            f'<option value="" selected="selected">{name}</option>{options}</select></div>'
        )
    return _gbk_safe(
        '<div class="related-links"><div class="w1200 clearfix"><span class="rl-name">相关链接</span>'
        + "".join(boxes)
        + "</div></div>"
    )


@cache
def footer(layout: str) -> str:
    extra = (
        '<a href="/index.html">网站首页</a><em>|</em><a href="/module/sitemap/index.jsp">网站地图</a><em>|</em>'
        '<a href="/module/jslib/contact.jsp">联系我们</a><em>|</em><a href="/module/jslib/statement.jsp">网站声明</a>'
        if layout == HANWEB
        else f'<a href="/index.html">网站首页</a><em>|</em><a href="{NOWHERE}">网站地图</a><em>|</em>'
        f'<a href="{NOWHERE}">联系我们</a><em>|</em><a href="{NOWHERE}">网站声明</a>'
    )
    return _gbk_safe(f"""<!-- 底部开始 -->
{related_links()}
<div class="footer"><div class="w1200 clearfix">
  <div class="foot-links">{extra}<em>|</em><a href="{NOWHERE}">使用帮助</a></div>
  <div class="foot-left">
    <a href="{NOWHERE}" class="dzjg" title="党政机关"><img src="/images/{WEB_ID}/dzjg.png" alt="党政机关" width="50" height="60"></a>
    <a href="{NOWHERE}" class="zfzc" onclick="openFindError()" title="政府网站找错"><img src="/images/{WEB_ID}/jiucuo.png" alt="政府网站找错" width="110" height="55"></a>
  </div>
  <div class="foot-info">
    <p>主办：青岚市人民政府办公室　承办：青岚市大数据发展管理局　联系电话：0000-1234567（工作日）</p>
    <p>网站标识码：{SITE_ID_CODE}　<a href="{NOWHERE}">示例ICP备00000000号-1</a>　<img src="/images/{WEB_ID}/ga.png" alt="" width="16" height="16"><a href="{NOWHERE}">示例公网安备 33120002000001号</a></p>
    <p>建议使用1366×768以上分辨率、IE10以上版本浏览器浏览本站</p>
    <p>本站为 gongkai 演示站点，所有文字均由程序生成，不代表任何真实机关。</p>
  </div>
</div></div>
<div class="side-float" id="sideFloat"><a href="{NOWHERE}" class="sf-wx">微信</a><a href="{NOWHERE}" class="sf-app">客户端</a><a href="{NOWHERE}" class="sf-zn">智能问答</a><a href="{NOWHERE}" class="sf-top" onclick="goTop()">顶部</a></div>
<!-- 底部结束 -->""")


_BASE_CSS = """*{margin:0;padding:0;box-sizing:border-box;}
body{font:14px/1.6 "Microsoft YaHei","微软雅黑",SimSun,Arial,sans-serif;color:#333;background:#f5f7fa;}
ul,ol,li{list-style:none;}img{border:0;vertical-align:middle;}a{color:#333;text-decoration:none;}
a:hover{color:#c4161c;text-decoration:none;}em,i{font-style:normal;}input,select,button{font-family:inherit;outline:none;}
.clearfix:after{content:"";display:block;height:0;clear:both;visibility:hidden;}.clearfix{*zoom:1;}
.fl{float:left;}.fr{float:right;}.hide{display:none;}.w1200{width:1200px;margin:0 auto;position:relative;}
.topbar{height:36px;line-height:36px;background:#f0f0f0;border-bottom:1px solid #e1e1e1;font-size:13px;color:#666;}
.topbar .top-left{float:left;}.topbar .top-right{float:right;}.topbar .top-right a{color:#666;padding:0 6px;}
.topbar .top-right em{color:#ccc;}.topbar .top-right a:hover{color:#c4161c;}
.header{height:140px;background:#fff url(/images/{webid}/header-bg.jpg) no-repeat center top;}
.header .logo{float:left;padding-top:28px;}.header .header-search{float:right;width:380px;padding-top:40px;}
.related-links{background:#fff;padding:18px 0;border-top:3px solid #c4161c;}
.related-links .rl-name{float:left;width:120px;height:36px;line-height:36px;font-size:16px;font-weight:bold;color:#c4161c;}
.related-links .link-box{float:left;width:262px;margin-right:8px;}
.related-links .link-select{width:100%;height:36px;border:1px solid #ddd;padding:0 10px;color:#666;background:#fff;}
.footer{background:#2d3a4b;color:#c8ced6;padding:24px 0 30px;font-size:13px;line-height:28px;}
.footer a{color:#c8ced6;}.footer a:hover{color:#fff;}.footer em{padding:0 10px;color:#58657a;}
.footer .foot-links{text-align:center;padding-bottom:12px;border-bottom:1px solid #3e4c60;margin-bottom:14px;}
.footer .foot-left{float:left;width:220px;padding-top:8px;}.footer .foot-left a{margin-right:12px;}
.footer .foot-info{float:left;width:900px;}
.side-float{position:fixed;right:10px;bottom:120px;width:64px;z-index:99;}
.side-float a{display:block;height:64px;margin-bottom:2px;background:#c4161c;color:#fff;text-align:center;padding-top:36px;font-size:12px;}
.side-float a:hover{background:#a01016;}
body.elder{font-size:20px;}body.elder .topbar,body.elder .nav-list .nav-a{font-size:22px;}
body.aria *{outline:1px dashed #888;}body.aria a:focus{outline:3px solid #f60;}
@media print{.topbar,.header,.nav,.left-side,.xxgk_left,.related-links,.footer,.side-float,.share,.btns,.article-tools{display:none!important;}}
"""
_HANWEB_CSS = """.header .search-form{position:relative;height:40px;border:2px solid #c4161c;background:#fff;}
.header .search-input{width:300px;height:36px;border:0;padding:0 12px;font-size:14px;color:#999;}
.header .search-btn{position:absolute;right:0;top:0;width:70px;height:36px;border:0;background:#c4161c;color:#fff;cursor:pointer;}
.header .hot-words{font-size:12px;color:#999;padding-top:6px;}.header .hot-words a{color:#999;margin-right:10px;}
.nav{height:52px;background:#c4161c;}.nav-list .nav-item{float:left;position:relative;width:120px;text-align:center;}
.nav-list .nav-a{display:block;height:52px;line-height:52px;color:#fff;font-size:17px;}
.nav-list .nav-item.on .nav-a,.nav-list .nav-item:hover .nav-a{background:#a01016;}
.nav-list .sub-nav{display:none;position:absolute;top:52px;left:0;z-index:100;background:#fff;border:1px solid #e5e5e5;border-top:2px solid #a01016;box-shadow:0 4px 10px rgba(0,0,0,.12);}
.nav-list .nav-item:hover .sub-nav{display:block;}.nav-list .sub-nav li{float:left;width:140px;height:36px;line-height:36px;}
.nav-list .sub-nav li a{display:block;color:#444;font-size:14px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;}
.nav-list .sub-nav li a:hover{color:#c4161c;background:#fbeeee;}
.main{margin:16px auto 24px;}.main .left-side{float:left;width:260px;background:#fff;}
.left-side .left-name{height:86px;background:#c4161c;color:#fff;padding:16px 20px;}.left-side .left-name h2{font-size:22px;}
.left-side .left-name p{font-size:12px;opacity:.7;text-transform:uppercase;}
.left-side .xxgk-unit{padding:12px;}.left-side .unit-select{width:100%;height:32px;border:1px solid #ddd;}
.xxgk-tree .tree-a{display:block;height:46px;line-height:46px;padding:0 20px;border-bottom:1px solid #eee;font-size:16px;}
.xxgk-tree .tree-a b{float:right;width:10px;height:46px;background:url(/images/{webid}/arrow.png) no-repeat center;}
.xxgk-tree .tree-node.open>.tree-a{color:#c4161c;font-weight:bold;}
.xxgk-tree .tree-sub{display:none;background:#fafafa;padding:6px 0;}.xxgk-tree .open .tree-sub{display:block;}
.xxgk-tree .tree-sub li a{display:block;height:34px;line-height:34px;padding-left:40px;color:#555;}
.xxgk-tree .tree-sub li.on a,.xxgk-tree .tree-sub li a:hover{color:#fff;background:#c4161c;}
.xxgk-tree .ico{display:inline-block;width:14px;height:14px;margin-right:8px;vertical-align:-2px;background:url(/images/{webid}/tree-ico.png) no-repeat;}
.left-side .left-ewm{text-align:center;padding:20px 0;color:#999;font-size:12px;}
.main .right-con,.main .article{float:right;width:920px;background:#fff;padding:20px 30px 40px;min-height:600px;}
.position{height:44px;line-height:44px;border-bottom:1px solid #e5e5e5;color:#666;margin-bottom:16px;}
.position a{color:#666;}.list-title{height:42px;border-bottom:2px solid #c4161c;font-size:18px;font-weight:bold;color:#c4161c;}
.xxgk-list li{height:42px;line-height:42px;border-bottom:1px dashed #ddd;padding-left:14px;background:url(/images/{webid}/dot.png) no-repeat left center;}
.xxgk-list li span{float:right;color:#999;}
table.xxgk{border-collapse:collapse;background:#f8f9fb;border:1px solid #dde3ea;margin-bottom:24px;}
table.xxgk td{border:1px solid #dde3ea;padding:8px 12px;line-height:22px;}table.xxgk td.xxgk-label{width:110px;color:#555;font-weight:bold;background:#eef2f6;}
.article-title .con-title{font-size:26px;font-weight:bold;color:#c4161c;text-align:center;line-height:40px;padding:10px 0;}
.small-title{text-align:center;color:#888;padding:10px 0;border-bottom:1px solid #eee;margin-bottom:24px;font-size:13px;}
.small-title span{margin:0 10px;}.small-title .share a{display:inline-block;width:22px;height:22px;vertical-align:middle;background:url(/images/{webid}/share.png) no-repeat;}
body.elder #zoom p{font-size:24px!important;line-height:2!important;}
#zoom{font-size:16px;line-height:2;color:#333;}#zoom p{margin-bottom:12px;}#zoom table{margin:0 auto;border-collapse:collapse;}
#zoom table td{border:1px solid #999;padding:4px 6px;}
.article-source{text-align:right;color:#666;padding-top:20px;}.article-tools{text-align:right;padding-top:12px;}
.article-tools a{margin-left:12px;color:#666;}
"""
_TRS_CSS = """.header .sch{position:relative;width:360px;height:38px;border:1px solid #0b5ea8;background:#fff;}
.header .sch_txt{width:300px;height:36px;line-height:36px;border:0;padding:0 10px;}
.header .sch_btn{position:absolute;right:0;top:0;width:56px;height:36px;border:0;cursor:pointer;background:#0b5ea8 url(/images/sch.png) no-repeat center;}
.header .hot-words{font-size:12px;color:#999;padding-top:6px;}.header .hot-words a{color:#777;margin-right:10px;}
.nav{height:50px;background:#0b5ea8;}.nav-list .nav-item{float:left;position:relative;padding:0 19px;}
.nav-list .nav-a{display:block;height:50px;line-height:50px;color:#fff;font-size:18px;}
.nav-list .nav-item.on,.nav-list .nav-item:hover{background:#094b87;}
.nav-list .sub-nav{display:none;position:absolute;top:50px;left:0;width:600px;padding:10px 16px;z-index:100;background:#fff;border:1px solid #d5e3f0;}
.nav-list .nav-item:hover .sub-nav{display:block;}.nav-list .sub-nav li{float:left;width:25%;height:32px;line-height:32px;}
.nav-list .sub-nav li a{color:#333;font-size:14px;}.nav-list .sub-nav li a:hover{color:#0b5ea8;text-decoration:underline;}
.xxgk_container{margin:14px auto 30px;}.xxgk_left{float:left;width:250px;background:#fff;border:1px solid #d5e3f0;}
.xxgk_left .xxgk_lm{height:52px;background:#0b5ea8;}.xxgk_left .xxgk_lm h3{line-height:52px;color:#fff;font-size:18px;text-align:center;}
.xxgk_tree .tree-a{display:block;height:42px;line-height:42px;padding:0 16px;border-bottom:1px solid #e8eef5;font-size:15px;color:#0b5ea8;}
.xxgk_tree .tree-a b{float:right;width:8px;height:42px;background:url(/images/arr.gif) no-repeat center;}
.xxgk_tree .tree-sub{display:none;padding:4px 0;}.xxgk_tree .open .tree-sub{display:block;}
.xxgk_tree .tree-sub li a{display:block;height:32px;line-height:32px;padding-left:34px;color:#444;font-size:14px;}
.xxgk_tree .tree-sub li.on a,.xxgk_tree .tree-sub li a:hover{color:#0b5ea8;font-weight:bold;background:#eef5fc;}
.xxgk_tree .ico{display:inline-block;width:12px;height:12px;margin-right:6px;background:url(/images/tree.png) no-repeat;}
.xxgk_left .xxgk_lx{padding:14px 16px;font-size:12px;color:#888;line-height:22px;}
.xxgk_right,.xxgk_detail{float:right;width:930px;background:#fff;border:1px solid #d5e3f0;padding:0 24px 30px;min-height:640px;}
.position{height:46px;line-height:46px;border-bottom:1px solid #e8eef5;color:#555;font-size:13px;}
.list_title{height:44px;line-height:44px;font-size:18px;color:#0b5ea8;font-weight:bold;border-bottom:2px solid #0b5ea8;}
ul.list li{height:40px;line-height:40px;border-bottom:1px dotted #ccc;padding-left:12px;}ul.list li span{float:right;color:#888;}
.page{text-align:center;padding:24px 0;}.page a,.page span{display:inline-block;padding:0 10px;height:28px;line-height:28px;border:1px solid #ddd;margin:0 2px;}
.xxgk_info,.sub{background:#f7fafd;border:1px solid #d5e3f0;padding:14px 20px;margin:20px 0;}
.xxgk_info ol li,.sub li{float:left;width:50%;line-height:30px;font-size:14px;}.xxgk_info ol li span{color:#0b5ea8;}
.xxgk_detail .header{height:auto;background:none;}.xxgk_detail .header p{font-size:24px;font-weight:bold;text-align:center;color:#0b5ea8;padding:16px 0;}
.xxgk_detail .date{text-align:center;color:#888;font-size:13px;padding-bottom:14px;border-bottom:1px solid #e8eef5;}
.xxgk_detail .date .zh,.xxgk_detail .date .fx{margin-left:16px;}
body.elder .TRS_Editor p{font-size:24px!important;line-height:2!important;}
.TRS_Editor{font-size:16px;line-height:2;padding-top:20px;}.TRS_Editor p{margin:0 0 12px;}
.TRS_Editor table{border-collapse:collapse;margin:0 auto;}.TRS_Editor td{border:1px solid #666;padding:3px 5px;}
.btns{text-align:right;padding-top:20px;}.btns a{margin-left:10px;color:#666;}
"""


def _generated_css(layout: str) -> str:
    """Rules real templates repeat per menu item and per tree icon (sprite offsets, widths, hover colours)."""
    rules = []
    for n, (_, subs) in enumerate(MENU):
        width = 140 * min(4, max(1, (len(subs) + 2) // 3))
        side = "left:0" if n < 6 else "right:0;left:auto"
        rules.append(f".nav-list .n{n} .sub-nav{n}{{width:{width}px;{side};}}")
        rules.append(f".nav-list .n{n}:hover .nav-a{{background-position:0 -{52 * n}px;}}")
    sprite = "tree-ico" if layout == HANWEB else "tree"
    for n in range(12):
        rules.append(f".xxgk-tree .ico{n},.xxgk_tree .ico{n}{{background-position:-{16 * n}px 0;}}")
        rules.append(
            f".xxgk-tree li.on .ico{n},.xxgk_tree li.on .ico{n}{{background-image:url(/images/{sprite}-on.png);background-position:-{16 * n}px -16px;}}"
        )
    for n in range(len(RELATED)):
        rules.append(
            f".related-links .lb{n} .link-select{{background:#fff url(/images/link{n}.png) no-repeat right center;}}"
        )
    return "\n".join(rules)


_WIDGETS_JS = """<script type="text/javascript">
/* 字体大小、打印、分享（站内二维码）、返回顶部 */
function doZoom(size){var el=document.getElementById('zoom')||document.querySelector('{zoom_target}');if(!el){return;}
  el.style.fontSize=size+'px';var ps=el.getElementsByTagName('p');for(var i=0;i<ps.length;i++){ps[i].style.fontSize=size+'px';}}
function setFontSize(size){doZoom(size);}
function goTop(){window.scrollTo(0,0);}
function shareWeixin(){var box=document.getElementById('share-qrcode');if(!box){box=document.createElement('div');box.id='share-qrcode';
  box.className='share-qrcode';box.innerHTML='<img src="/module/jslib/qrcode/qrcode.jsp?size=160&amp;text='+encodeURIComponent(location.pathname)+'" alt="扫一扫 分享到微信"><p>用微信扫一扫，分享到朋友圈</p>';
  document.body.appendChild(box);}box.style.display=(box.style.display=='block')?'none':'block';}
function copyLink(){var t=document.createElement('textarea');t.value=location.href;document.body.appendChild(t);t.select();
  try{document.execCommand('copy');alert('链接已复制，可粘贴到微博、QQ等分享');}catch(e){}document.body.removeChild(t);}
function goLink(sel){var v=sel.options[sel.selectedIndex].value;if(v&&v!='#'){window.open(v);}sel.selectedIndex=0;}
function checkSearch(f){var w=f.searchWord.value.replace(/^\\s+|\\s+$/g,'');if(w==''||w=='请输入关键字'){alert('请输入关键字');f.searchWord.focus();return false;}return true;}
function toggleTree(n){var s=document.getElementById('tree-sub'+n);if(s){s.style.display=(s.style.display=='none')?'block':'none';}}
function changeUnit(sel){sel.blur();}
function openFindError(){window.open('/module/jslib/jiucuo/index.jsp?site='+'{site_code}'+'&url='+encodeURIComponent(location.pathname));}
(function(){var d=new Date(),w=['日','一','二','三','四','五','六'],el=document.getElementById('today');
  if(el){el.innerHTML=d.getFullYear()+'年'+(d.getMonth()+1)+'月'+d.getDate()+'日 星期'+w[d.getDay()];}})();
</script>"""
_MODES_JS = """<script type="text/javascript">
/* 长者模式与无障碍：只在本机记住选择，不刷新页面 */
function readMode(k){try{return window.localStorage?localStorage.getItem(k):null;}catch(e){return null;}}
function saveMode(k,v){try{if(window.localStorage){localStorage.setItem(k,v);}}catch(e){}}
function applyModes(){var b=document.body;if(!b){return;}
  b.className=b.className.replace(/\\s*(elder|aria)/g,'');
  if(readMode('qinglan_elder')=='1'){b.className+=' elder';}
  if(readMode('qinglan_aria')=='1'){b.className+=' aria';}}
function toggleElder(){saveMode('qinglan_elder',readMode('qinglan_elder')=='1'?'0':'1');applyModes();}
function toggleAria(){saveMode('qinglan_aria',readMode('qinglan_aria')=='1'?'0':'1');applyModes();
  var s=document.getElementById('aria-loader-js');if(!s){s=document.createElement('script');s.id='aria-loader-js';
  s.src='/module/jslib/aria/ariaLoader.js';document.getElementsByTagName('head')[0].appendChild(s);}}
/* 简繁切换 */
var JF_S='{jf_s}';
var JF_T='{jf_t}';
function jfText(str,toTrad){var out='';for(var i=0;i<str.length;i++){var c=str.charAt(i),k=toTrad?JF_S.indexOf(c):JF_T.indexOf(c);
  out+=(k>=0)?(toTrad?JF_T.charAt(k):JF_S.charAt(k)):c;}return out;}
function jfNode(node,toTrad){for(var i=0;i<node.childNodes.length;i++){var c=node.childNodes[i];
  if(c.nodeType==3){c.data=jfText(c.data,toTrad);}else if(c.nodeType==1&&c.tagName!='SCRIPT'&&c.tagName!='STYLE'){jfNode(c,toTrad);}}}
function switchJianFan(){var trad=readMode('qinglan_jf')!='1';saveMode('qinglan_jf',trad?'1':'0');jfNode(document.body,trad);
  var a=document.getElementById('jfqh');if(a){a.innerHTML=trad?'简体':'繁體';}}
</script>"""
_COUNTER_JS = """<script type="text/javascript">
/* 访问统计：本站自有计数器 */
(function(){var p=['site={site_code}','layout={layout}','page='+encodeURIComponent(location.pathname),
  'ref='+encodeURIComponent(document.referrer.replace(/^[a-z]+:\\/\\/[^\\/]+/i,'')),'sw='+screen.width,'sh='+screen.height,'t='+new Date().getTime()];
  var img=new Image(1,1);img.src='/module/visitcount/stat.jsp?'+p.join('&');})();
</script>"""
_NAV_JS = """<script type="text/javascript">
$(function(){
  $('#nav .nav-item').hover(function(){$(this).addClass('hover').find('.sub-nav').stop(true,true).slideDown(150);},
    function(){$(this).removeClass('hover').find('.sub-nav').stop(true,true).slideUp(100);});
  $('.tree-node>.tree-a').on('click',function(){$(this).parent().toggleClass('open');});
  $(window).on('scroll',function(){if($(window).scrollTop()>300){$('.sf-top').fadeIn();}else{$('.sf-top').fadeOut();}});
  applyModes();if(readMode('qinglan_jf')=='1'){jfNode(document.body,true);$('#jfqh').html('简体');}
});
</script>"""


@cache
def head_assets(layout: str, up: str = "") -> str:
    """The `<head>` of a CMS template: several stylesheets and scripts of the site, then inline CSS."""
    css = (_BASE_CSS + (_HANWEB_CSS if layout == HANWEB else _TRS_CSS)).replace("{webid}", str(WEB_ID))
    # The editor class names only where the layout has that editor: TRS's markers steer a crawler's adapter.
    zoom_target = "#zoom" if layout == HANWEB else ".TRS_Editor"
    if layout == HANWEB:
        files = f"""<link type="text/css" rel="stylesheet" href="/images/{WEB_ID}/global.css">
<link type="text/css" rel="stylesheet" href="/images/{WEB_ID}/xxgk_style.css">
<link type="text/css" rel="stylesheet" href="/images/{WEB_ID}/elder.css" id="elder-css" disabled="disabled">
<script type="text/javascript" src="/module/jslib/jquery/jquery.js"></script>
<script type="text/javascript" src="/module/jslib/urite/urite.min.js"></script>
<script type="text/javascript" src="/images/{WEB_ID}/js/common.js"></script>
<script type="text/javascript" src="/images/{WEB_ID}/js/jquery.SuperSlide.2.1.3.js"></script>"""
    else:
        files = f"""<link href="{up}../images/css/common.css" rel="stylesheet" type="text/css">
<link href="{up}../images/css/xxgk.css" rel="stylesheet" type="text/css">
<script type="text/javascript" src="{up}../images/js/jquery-1.12.4.min.js"></script>
<script type="text/javascript" src="{up}../images/js/common.js"></script>
<script type="text/javascript" src="/images/js/placeholder.js"></script>"""
    return _gbk_safe(
        f'{files}\n<style type="text/css">\n{css}{_generated_css(layout)}\n</style>\n'
        + _WIDGETS_JS.replace("{site_code}", SITE_ID_CODE).replace("{zoom_target}", zoom_target)
        + "\n"
        + _MODES_JS.replace("{jf_s}", JIANFAN[0]).replace("{jf_t}", JIANFAN[1])
    )


@cache
def tail_scripts(layout: str) -> str:
    """What templates append before `</body>`: menu behaviour and the visit counter."""
    return _NAV_JS + "\n" + _COUNTER_JS.replace("{site_code}", SITE_ID_CODE).replace("{layout}", layout)
