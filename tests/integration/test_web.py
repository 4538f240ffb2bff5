"""Cross-cutting web behaviour: i18n, CSRF, security headers, compression, caching, PWA files."""

import re
from pathlib import PurePosixPath

from backend.web.security import content_security_policy
from backend.web.templating import TEMPLATES_DIR
from tests.conftest import csrf_token, login


async def test_unknown_route_gives_translated_404(client):
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "Siden findes ikke" in response.text
    english = await client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert english.status_code == 404
    assert "Page not found" in english.text


async def test_language_switch_is_remembered_per_user(client, db):
    citizen = await db.fetchval("SELECT min(id) FROM citizen WHERE is_demo AND language = 'da'")
    await login(client, citizen)
    response = await client.post("/language", data={"language": "en", "next": "/", "_csrf_token": await csrf_token(client)},
                                 follow_redirects=False)
    assert response.status_code == 303
    assert await db.fetchval("SELECT language FROM citizen WHERE id = $1", citizen) == "en"
    assert "My products" in (await client.get("/")).text
    # A new browser (no language cookie) that logs in as the same person gets English.
    client.cookies.clear()
    await login(client, citizen)
    page = await client.get("/")
    assert '<html lang="en">' in page.text and "My products" in page.text


async def test_unknown_language_is_refused_and_nothing_written(client, db):
    citizen = await db.fetchval("SELECT min(id) FROM citizen WHERE is_demo AND language = 'da'")
    await login(client, citizen)
    response = await client.post("/language", data={"language": "xx", "_csrf_token": await csrf_token(client)})
    assert response.status_code == 422
    assert "Vælg dansk eller engelsk." in response.text
    assert await db.fetchval("SELECT language FROM citizen WHERE id = $1", citizen) == "da"


async def test_state_changing_request_without_csrf_token_is_refused(client, db):
    citizen = await db.fetchval("SELECT min(id) FROM citizen WHERE is_demo AND language = 'da'")
    await login(client, citizen)
    response = await client.post("/language", data={"language": "en"})
    assert response.status_code == 403
    assert "Ingen adgang" in response.text
    assert await db.fetchval("SELECT language FROM citizen WHERE id = $1", citizen) == "da"
    bad = await client.post("/language", data={"language": "en", "_csrf_token": "0" * 128})
    assert bad.status_code == 403
    # htmx sends the token as a header instead of a form field
    ok = await client.post("/language", data={"language": "en"}, headers={"x-csrftoken": await csrf_token(client)},
                         follow_redirects=False)
    assert ok.status_code == 303


async def test_security_headers_and_csp_without_unsafe(client):
    response = await client.get("/login")
    csp = response.headers["content-security-policy"]
    assert csp == content_security_policy()
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "HX-Request" in response.headers["vary"]
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "content-security-policy" in (await client.get("/missing")).headers


async def test_static_files_carry_nosniff_but_not_the_document_headers(client):
    from backend.web.templating import asset_url

    for path in ("css/app.css", "js/app.js", "icons/icon-192.png"):
        headers = (await client.get(asset_url(path))).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert "content-security-policy" not in headers and "x-frame-options" not in headers, path
    # An SVG opened on its own is a document; a missing file gets an error page.
    for path in ("/static/icons/product-placeholder.svg", "/static/nope.css"):
        assert (await client.get(path)).headers["content-security-policy"] == content_security_policy(), path


def test_templates_parse_and_have_no_inline_scripts_styles_or_handlers():
    from backend.web.templating import environments

    for template in TEMPLATES_DIR.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        environments["da"].parse(text)  # a syntax error fails here, not in front of a citizen
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        # The one <style>: the stylesheets' own text, allowed by its hash (test below).
        assert not re.search(r"<style\b", text.replace("<style>{{ inline_css }}</style>", "")), template
        assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"\son[a-z]+=", text), template


async def test_a_browsers_page_load_gets_the_styles_inline_allowed_by_their_hash(client):
    """The first paint waits for no stylesheet request (backend/web/inline_styles.py); htmx
    navigations and clients that render nothing get the linked, cached files."""
    import base64
    import hashlib

    from backend.web.inline_styles import inline_css

    page = await client.get("/login", headers={"Sec-Fetch-Dest": "document"})
    styles = re.findall(r"<style>(.*?)</style>", page.text, re.S)
    assert len(styles) == 1 and styles[0] == inline_css() and "dkfds-borgerdk.min.css" not in page.text
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"style-src 'self' 'sha256-{digest}'" in page.headers["content-security-policy"]
    assert "Sec-Fetch-Dest" in page.headers["vary"]
    assert ".form-checkbox:checked" in styles[0] and 'font-family:"Faelles Sans"' in styles[0]
    # Relative URLs would resolve against the page: they are made absolute, and are served.
    urls = set(re.findall(r"url\(([^)]+)\)", styles[0]))
    assert urls and all(url.startswith(("/static/", "data:")) for url in urls), urls
    for url in sorted(u for u in urls if u.startswith("/static/vendor/")):
        assert (await client.get(url)).status_code == 200, url
    for headers in ({}, {"Sec-Fetch-Dest": "document", "HX-Request": "true", "HX-Boosted": "true"},
                    {"Sec-Fetch-Dest": "empty"}):
        linked = await client.get("/login", headers=headers)
        assert "<style>" not in linked.text and "dkfds-borgerdk.min.css" in linked.text, headers


async def test_the_login_pages_title_is_only_its_title(client):
    """The demo helpers' form was inside the title block: the tab read "Log ind <section…"
    and every /login carried the form twice."""
    page = await client.get("/login")
    assert re.search(r"<title>(.*?)</title>", page.text, re.S).group(1) == "Log ind – Fælles Bestilling"
    assert page.text.count('id="demo-helpers-heading"') == 1


async def test_responses_are_compressed(client):
    br = await client.get("/login", headers={"Accept-Encoding": "br"})
    assert br.headers["content-encoding"] == "br"
    gz = await client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip"
    assert "Log ind" in gz.text


async def test_static_assets_are_versioned_and_cached_for_a_year(client):
    page = (await client.get("/login")).text
    urls = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert any("dkfds-borgerdk.min.css?v=" in u for u in urls)
    assert any("htmx.min.js?v=" in u for u in urls)
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{10}$", url), url
        response = await client.get(url)
        assert response.status_code == 200, url
        cache = response.headers["cache-control"]
        assert "max-age=31536000" in cache and "immutable" in cache
        assert "set-cookie" not in response.headers


async def test_manifest_and_service_worker(client):
    manifest = (await client.get("/manifest.webmanifest")).json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/")
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        assert (await client.get(icon["src"])).status_code == 200
    sw = await client.get("/sw.js")
    assert sw.status_code == 200
    assert sw.headers["content-type"].startswith("text/javascript")
    assert "no-cache" in sw.headers["cache-control"]
    assert "__SHELL__" not in sw.text and "__VERSION__" not in sw.text
    assert '"/offline"' in sw.text
    offline = await client.get("/offline")
    assert offline.status_code == 200 and "Du er offline" in offline.text


async def test_health_checks(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"


async def test_demo_login_is_off_unless_enabled(db_url):
    from litestar.testing import AsyncTestClient

    from backend.app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(demo_login=False), database_url=db_url)
    async with AsyncTestClient(app=app) as client:
        page = await client.get("/login")
        assert "Demo" not in page.text and "MitID" in page.text
        response = await client.post("/login/demo", data={"citizen_id": "1", "_csrf_token": await csrf_token(client)})
        assert response.status_code == 404


async def test_offline_pages_never_show_who_is_signed_in(client, db):
    citizen = await db.fetchval("SELECT min(id) FROM citizen WHERE is_demo")
    name = await db.fetchval("SELECT name FROM citizen WHERE id = $1", citizen)
    await login(client, citizen)
    assert name in (await client.get("/")).text
    for url in ("/offline", "/offline/queued"):
        page = (await client.get(url)).text
        assert name not in page and "Log ud" not in page, url


async def test_static_text_files_are_precompressed_and_fonts_sent_as_they_are(client):
    css = "/static/vendor/dkfds/css/dkfds-borgerdk.min.css"
    plain = await client.get(css, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.headers["content-type"].startswith("text/css")
    br = await client.get(css, headers={"Accept-Encoding": "gzip, br"})
    assert br.headers["content-encoding"] == "br" and br.headers["vary"] == "Accept-Encoding"
    assert br.content == plain.content  # decoded by httpx
    # Best ratio, not the per-request page setting: the purged ~27 KB stylesheet travels as ~5 KB.
    assert int(br.headers["content-length"]) < len(plain.content) / 4
    gz = await client.get(css, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip" and gz.content == plain.content
    from backend.web.templating import STATIC_DIR

    font = sorted((STATIC_DIR / "fonts").glob("*.woff2"))[0].name
    woff2 = await client.get(f"/static/fonts/{font}", headers={"Accept-Encoding": "br"})
    assert woff2.status_code == 200 and "content-encoding" not in woff2.headers
    for path in ("/static/../backend/settings.py", "/static/%2e%2e/pyproject.toml", "/static/nope.css"):
        assert (await client.get(path)).status_code == 404, path


def test_dkfds_stylesheet_is_purged_to_the_rules_our_pages_use():
    """fsc build-assets purges DKFDS's CSS against our templates, scripts and Python code."""
    from backend.web.templating import STATIC_DIR

    css = (STATIC_DIR / "vendor/dkfds/css/dkfds-borgerdk.min.css").read_text(encoding="utf-8")
    assert len(css) < 60_000  # all of DKFDS: ~215 KB
    for rule in (".button-primary", ".form-checkbox:checked", ".alert-error", ".skipnav", "@font-face",
                 ".badge-error"):  # the last is named only in Python (backend/callbacks/labels.py)
        assert rule in css, rule


async def test_every_file_our_stylesheets_refer_to_is_served(client):
    """Fonts and icons named by url(…) in DKFDS's CSS and ours (a missing one is a silent 404:
    no tick in a checked checkbox, no chevron on a select)."""
    from backend.web.templating import STATIC_DIR

    css_files = ["vendor/dkfds/css/dkfds-borgerdk.min.css", "css/app.css", "css/staff.css"]
    checked = set()
    for css_file in css_files:
        css = (STATIC_DIR / css_file).read_text(encoding="utf-8")
        base = "/static/" + css_file.rsplit("/", 1)[0] + "/"
        for url in re.findall(r'url\(\s*["\']?([^"\')]+)["\']?\s*\)', css):
            if url.startswith("data:") or url.endswith((".eot", ".ttf")):  # formats no browser we serve asks for
                continue
            url = url.split("#")[0].split("?")[0]
            path = url if url.startswith("/") else str(PurePosixPath(base + url))
            path = path.replace("/css/../", "/")
            checked.add(path)
    assert any(path.endswith("svg-icons/check-white.svg") for path in checked)  # the checkbox tick
    # Faelles Sans (backend/fonts.py): a core and an extended file for each of DKFDS's 8 faces.
    assert sum(path.startswith("/static/fonts/FaellesSans-") and path.endswith(".woff2") for path in checked) == 16
    for path in sorted(checked):
        response = await client.get(path)
        assert response.status_code == 200, path


async def test_head_on_a_static_file_gives_the_headers_without_the_body(client):
    css = "/static/css/app.css"
    got = await client.get(css, headers={"Accept-Encoding": "br"})
    head = await client.head(css, headers={"Accept-Encoding": "br"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["content-encoding"] == "br" and "immutable" in head.headers["cache-control"]
    assert (await client.head("/static/nope.css")).status_code == 404
