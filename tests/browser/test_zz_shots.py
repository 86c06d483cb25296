from conftest import Site
def test_shots(browser, site: Site):
    for w, h, tag in ((1280, 900, "desk"), (390, 844, "phone")):
        ctx = browser.new_context(viewport={"width": w, "height": h}); page = ctx.new_page()
        page.goto(site.app_url + "/search?q=法治政府")
        page.screenshot(path=f"/tmp/shot-search-{tag}.png", full_page=False)
        page.goto(site.app_url + "/documents/" + site.corpus.ids["versioned"])
        page.screenshot(path=f"/tmp/shot-doc-{tag}.png", full_page=True)
        page.goto(site.app_url + "/documents/" + site.corpus.ids["doc2"] + "/original")
        page.screenshot(path=f"/tmp/shot-orig-{tag}.png")
        page.goto(site.app_url + "/documents/" + site.corpus.ids["versioned"] + "/diff")
        page.screenshot(path=f"/tmp/shot-diff-{tag}.png")
        ctx.close()
