"""The explorer in a real browser: Playwright driving the system Chromium against `serve`'s app
(uvicorn in a thread on a free loopback port, over a real ledger). Screenshots go to
test-artifacts/ at the repo root.

Outside CI these tests are skipped when no Chromium is installed; in CI (CI set) a missing
Chromium fails them.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from conftest import ROOT
from newsledger.web.app import create_app
from webledger import HOSTILE_TITLE, WebLedger, web_ledger  # noqa: F401  (session fixture)

pytestmark = pytest.mark.slow
CHROMIUM = os.environ.get("NEWSLEDGER_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium hangs on an offline machine.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"


def _chromium() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    message = (f"no Chromium at {CHROMIUM}: install Debian's `chromium` package "
               "(apt-get install -y chromium) or set NEWSLEDGER_CHROMIUM")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _serve(app: Any) -> Iterator[str]:
    """Run `app` with uvicorn in a thread on a free loopback port until the generator is closed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url(web_ledger: WebLedger) -> Iterator[str]:  # noqa: F811
    yield from _serve(create_app(web_ledger.corpus))


@pytest.fixture(scope="module")
def analyze_app(web_ledger: WebLedger) -> Any:  # noqa: F811
    return create_app(web_ledger.corpus, allow_analyze=True)  # analysis in its own process, as in `serve`


@pytest.fixture(scope="module")
def analyze_url(analyze_app: Any) -> Iterator[str]:
    yield from _serve(analyze_app)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=executable, headless=True,
            args=ARGS, viewport={"width": 1280, "height": 900}, offline=False)
        ctx.set_default_timeout(15_000)
        yield ctx
        ctx.close()


@pytest.fixture()
def page(browser_context: Any) -> Iterator[Any]:
    pg = browser_context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    pg.close()
    assert not errors, f"script errors on the page: {errors}"


def _quote_mark(page: Any, words: str) -> Any:
    """The first piece (the one with the id) of the quote mark whose text contains `words`."""
    loc = page.locator("mark.q[id^='q-']").filter(has_text=words)
    assert loc.count() >= 1, f"no quote mark with {words!r}"
    return loc.first


def test_article_page_marks_quotes_with_their_speakers(page: Any, base_url: str,
                                                       web_ledger: WebLedger) -> None:  # noqa: F811
    aid = web_ledger.ids["seed"]
    page.goto(f"{base_url}/articles/{aid}")
    carney = _quote_mark(page, "maximum pressure")
    assert carney.locator(".who").first.inner_text() == "Mark Carney"
    putin = _quote_mark(page, "target foreign troops")
    assert putin.locator(".who").first.inner_text() == "Vladimir Putin"
    n_quotes = len(web_ledger.records["seed"]["quotes"])
    assert page.locator("mark.q[id^='q-']").count() == n_quotes  # one labelled, focusable mark per quote
    # speakers differ by more than colour: the name badge and the palette class (own underline style)
    assert carney.get_attribute("class") != putin.get_attribute("class")
    assert page.locator(".text .x").count() == len(web_ledger.records["seed"]["excluded"])
    assert page.locator(".text .ev[id^='ev-']").count() == len(web_ledger.records["seed"]["events"])
    assert page.locator(".text .am[id^='am-']").count() == len(web_ledger.records["seed"]["amounts"])
    assert page.locator(".flags").inner_text().count("stale_date") == 1
    # clicking a mark shows the record behind it
    putin.click()
    panel = page.locator("#record-body")
    assert "Vladimir Putin" in panel.inner_text() and "indirect" in panel.inner_text()
    page.screenshot(path=str(ARTIFACTS / "article-seed.png"), full_page=True)


def test_quote_to_entity_page_and_its_timeline(page: Any, base_url: str,
                                               web_ledger: WebLedger) -> None:  # noqa: F811
    page.goto(f"{base_url}/articles/{web_ledger.ids['seed']}")
    _quote_mark(page, "target foreign troops").click()
    page.locator("#record-body a", has_text="Entity page: Vladimir Putin").click()
    page.wait_for_url("**/entities/*")
    assert page.locator("h1").inner_text().startswith("Vladimir Putin")
    chart = page.locator("svg.timeline:visible")
    assert chart.count() == 1  # the full-width drawing; the phone one is hidden
    assert chart.locator("a[data-kind='quote']").count() >= 1
    assert chart.locator("a[data-kind='event']").count() >= 1
    total = sum(int(a.get_attribute("data-count")) for a in chart.locator("a").all())
    assert total == page.locator(".quote-item").count() + page.locator(".event-item").count()
    page.screenshot(path=str(ARTIFACTS / "entity-putin.png"), full_page=True)
    # the entity's quote list links to the quote's span in its article
    link = page.locator(".quote-item a").filter(has_text="foreign troops").first
    href = link.get_attribute("href")
    assert "#q-Q" in href
    link.click()
    page.wait_for_url(f"**{href}")
    target = page.locator(f"#{href.split('#')[1]}")
    assert target.is_visible() and "foreign troops" in target.inner_text()
    assert "Vladimir Putin" in page.locator("#record-body").inner_text()  # the hash selects it


def test_search_and_follow_a_result_to_the_span(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/search")
    page.get_by_label("Words").fill("pressure")
    page.get_by_role("button", name="Search").last.click()
    page.wait_for_url("**/search?*")
    results = page.locator(".quote-result")
    assert results.count() >= 1
    assert results.first.locator("mark.hit").first.inner_text().lower() == "pressure"
    page.screenshot(path=str(ARTIFACTS / "search-quotes.png"), full_page=True)
    link = results.first.locator("a.span-link").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**{href}")
    span = page.locator(f"#{href.split('#')[1]}")
    assert span.is_visible() and "pressure" in span.inner_text().lower()
    # articles: the link lands on the first match in the text
    page.goto(f"{base_url}/search?q=dockworkers&in=articles")
    page.locator(".article-result a.span-link").first.click()
    page.wait_for_url("**#hit-1")
    assert page.locator("#hit-1").inner_text().lower() == "dockworkers"


def test_keyboard_reaches_marks_and_reveals_records(page: Any, base_url: str,
                                                    web_ledger: WebLedger) -> None:  # noqa: F811
    page.goto(f"{base_url}/articles/{web_ledger.ids['seed']}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")  # skip link → main
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-rec')"):
            break
    else:
        pytest.fail("Tab never reached a mark in the text")
    key = page.evaluate("document.activeElement.getAttribute('data-rec')")
    panel = page.locator("#record-body")
    assert panel.get_attribute("data-key") == key
    assert panel.locator("dl dt").count() >= 2
    page.screenshot(path=str(ARTIFACTS / "article-keyboard-focus.png"))


def test_phone_width_has_no_horizontal_overflow(page: Any, base_url: str,
                                                web_ledger: WebLedger) -> None:  # noqa: F811
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in (("article", f"/articles/{web_ledger.ids['seed']}"), ("home", "/"),
                       ("search", "/search?q=pressure"), ("entities", "/entities"), ("docs", "/docs"),
                       ("hostile", f"/articles/{web_ledger.ids['hostile']}")):
        page.goto(base_url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide at 390px"
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"))
    # the text column is the reading width, not squeezed beside the side panel
    assert page.locator("#text").bounding_box()["width"] > 300
    page.goto(f"{base_url}/entities?q=putin")
    page.locator("table a").first.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the whole timeline is in view: the phone drawing, inside the screen, no sideways scrolling
    chart = page.locator("svg.timeline:visible")
    assert chart.count() == 1 and "narrow" in chart.get_attribute("class")
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.querySelector('svg.timeline.narrow').parentElement.scrollWidth"
                         " <= document.querySelector('svg.timeline.narrow').parentElement.clientWidth")
    page.screenshot(path=str(ARTIFACTS / "phone-entity.png"), full_page=True)


def test_hostile_article_runs_nothing(page: Any, base_url: str, web_ledger: WebLedger) -> None:  # noqa: F811
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    aid = web_ledger.ids["hostile"]
    for path in (f"/articles/{aid}", "/search?q=alert", "/search?q=onerror&in=articles", "/articles?q=alert",
                 "/search?q=%3Cscript%3Ealert(1)%3C/script%3E"):
        page.goto(base_url + path)
        page.wait_for_load_state("load")
        page.mouse.move(200, 300)
        found = page.evaluate("""() => ({
            inline: [...document.querySelectorAll('script:not([src])')]
                    .filter(s => s.type !== 'application/json').length,
            img: document.querySelectorAll('img').length,
            svg: document.querySelectorAll('svg:not(.timeline):not(.volume)').length,
            js: document.querySelectorAll('[href^="javascript:" i], [src^="javascript:" i]').length,
            handlers: [...document.querySelectorAll('*')]
                      .filter(el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
        })""")
        assert found == {"inline": 0, "img": 0, "svg": 0, "js": 0, "handlers": 0}, (path, found)
    page.goto(f"{base_url}/articles/{aid}")
    for el in page.locator("mark.q[id^='q-']").all():  # focus and click every quote: still nothing runs
        el.focus()
        el.click()
    text = page.locator("#text").inner_text()
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(1)>" in text
    assert '<a href="javascript:alert(1)">' in text
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert page.locator(".kv a[href^='javascript']").count() == 0  # the javascript: URL is not linked
    page.screenshot(path=str(ARTIFACTS / "article-hostile.png"), full_page=True)
    assert dialogs == []


def test_paste_page_annotates_without_storing(page: Any, analyze_url: str) -> None:
    page.goto(f"{analyze_url}/api/stats")
    before = page.inner_text("body")
    page.goto(f"{analyze_url}/")
    page.get_by_role("link", name="Paste").click()
    text = ("Harbour council row\n\n“We will not sign a contract we have not read,” said councillor "
            "Mira Osei on Monday. The mayor, Tom Alder, said the vote would go ahead.\n")
    page.get_by_label("Article text or HTML").fill(text)
    page.get_by_role("button", name="Analyse").click()
    page.wait_for_url("**/paste")
    mark = _quote_mark(page, "not sign a contract")
    assert mark.locator(".who").first.inner_text() == "Mira Osei"
    assert "not stored" in page.locator(".meta").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "paste-result.png"), full_page=True)
    page.goto(f"{analyze_url}/api/stats")
    assert page.inner_text("body") == before


def _shown(page: Any) -> tuple[int, int, int]:
    """("Showing 26–50 of 57") → (26, 50, 57)."""
    text = page.locator(".pager .count").first.inner_text()
    m = re.search(r"Showing ([\d,]+)–([\d,]+) of ([\d,]+)", text)
    assert m, text
    first, last, total = (int(g.replace(",", "")) for g in m.groups())
    return first, last, total


def test_lists_page_through_with_counts_and_export_what_is_shown(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/entities")
    first, last, total = _shown(page)
    assert (first, last) == (1, 25) and total > 25  # more entities than one page holds
    names = page.locator("table tbody tr").all_inner_texts()
    page.locator(".pager a[rel=next]").first.click()
    page.wait_for_url("**offset=25*")
    first, last, total2 = _shown(page)
    assert first == 26 and last == min(50, total) and total2 == total
    assert not set(page.locator("table tbody tr").all_inner_texts()) & set(names)  # another page
    page.screenshot(path=str(ARTIFACTS / "entities-page-2.png"), full_page=True)
    # the CSV link gives the rows on screen, with their ids
    csv_href = page.locator(".pager a", has_text="CSV").first.get_attribute("href")
    resp = page.request.get(base_url + csv_href)
    assert resp.ok and resp.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(resp.text())))
    assert len(rows) == last - first + 1 and all(r["entity_id"].isdigit() for r in rows)
    json_href = page.locator(".pager a", has_text="JSON").first.get_attribute("href")
    assert len(page.request.get(base_url + json_href).json()["items"]) == len(rows)
    page.locator(".pager a[rel=prev]").first.click()
    assert _shown(page)[:2] == (1, 25)


def test_search_facets_and_month_chart_narrow_the_results(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/search?q=the")
    _, _, total = _shown(page)
    speaker = page.locator(".facet a").first
    name, n = speaker.inner_text(), int(page.locator(".facet .n").first.inner_text().replace(",", ""))
    assert 0 < n <= total
    speaker.click()
    page.wait_for_url("**speaker=*")
    assert page.locator(".facet a[aria-current]").first.inner_text() == name
    shown = page.locator(".quote-result > .meta").all_inner_texts()
    assert shown and all(name in t for t in shown)  # every result is that speaker's
    page.screenshot(path=str(ARTIFACTS / "search-facets.png"), full_page=True)
    bar = page.locator("svg.volume:visible a").first
    month = bar.get_attribute("data-month")
    count = int(bar.get_attribute("data-count"))
    bar.click()
    page.wait_for_url(f"**until={month}*")
    assert _shown(page)[2] <= count  # the month's quotes (a quote reported twice counts once here)
    dates = [re.search(r"\d{4}-\d{2}", t) for t in page.locator(".quote-result > .meta").all_inner_texts()]
    assert dates and all(d and d.group(0) == month for d in dates)
    page.locator("#s-sort").select_option("oldest")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**sort=oldest*")


def test_entity_page_filters_what_it_said_and_did(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/entities?q=putin")
    page.locator("table a").first.click()
    page.wait_for_url("**/entities/*")
    both = page.locator(".quote-item").count(), page.locator(".event-item").count()
    assert both[0] >= 1 and both[1] >= 1
    page.locator("select[name=role]").select_option("said")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**role=said*")
    assert page.locator(".quote-item").count() == both[0] and page.locator(".event-item").count() == 0
    chart = page.locator("svg.timeline:visible")
    assert chart.locator("a[data-kind='event']").count() == 0  # the chart follows the filter
    page.locator("select[name=role]").select_option("did")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**role=did*")
    assert page.locator(".quote-item").count() == 0
    assert all("· actor" in t for t in page.locator(".event-item .badge").all_inner_texts())


def test_story_copies_side_by_side(page: Any, base_url: str, web_ledger: WebLedger) -> None:  # noqa: F811
    page.goto(f"{base_url}/articles/{web_ledger.ids['repost']}")
    page.locator(".copies a", has_text="side by side").first.click()
    page.wait_for_url("**/compare/*")
    sides = page.locator(".side-text")
    assert sides.count() == 2
    page.screenshot(path=str(ARTIFACTS / "compare-copies.png"), full_page=True)
    # left is the re-post: its banner is the only thing marked, as only in the left text
    dropped = [t.strip() for t in sides.nth(0).locator("del").all_inner_texts()]
    assert dropped == ["Reposted from our partners"]
    assert sides.nth(1).locator("ins, del").count() == 0
    assert re.search(r"\d+% of the words are the same", page.locator("main").inner_text())
    page.screenshot(path=str(ARTIFACTS / "compare-copies.png"), full_page=True)


def test_a_csv_rows_evidence_link_opens_on_its_words(page: Any, base_url: str) -> None:
    """The analyst's path: a filtered CSV of who said what, each row a link to the words."""
    resp = page.request.get(f"{base_url}/api/quotes?speaker=Putin&format=csv")
    rows = list(csv.DictReader(io.StringIO(resp.text())))
    assert rows
    for row in rows[:3]:
        page.goto(base_url + row["evidence_link"])
        mark = page.locator(f"#{row['evidence_link'].split('#')[1]}")
        assert mark.is_visible()
        shown = page.locator(f"mark.q[data-rec='{mark.get_attribute('data-rec')}']").all_inner_texts()
        words = " ".join(shown).replace("\n", " ") + mark.inner_text()
        assert row["quote"][:30] in words
        assert "Vladimir Putin" in page.locator("#record-body").inner_text()


def test_a_malformed_hash_is_ignored(page: Any, base_url: str, web_ledger: WebLedger) -> None:  # noqa: F811
    aid = web_ledger.ids["seed"]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    for bad in ("#%E0%A4%A", '#q-"><x', "#%", "#q-%ZZ"):
        page.goto(f"{base_url}/articles/{aid}{bad}")
        page.wait_for_load_state("load")
    page.evaluate("location.hash = '%E0%A4%A'")  # a hashchange to it, on a page already open
    page.evaluate("location.hash = 'q-Q1'")  # and a good one still opens its record
    page.wait_for_function("document.getElementById('record-body').getAttribute('data-key') !== null")
    assert errors == []


class _OtherSite:
    """A page on another origin (another loopback port) that posts to the analysing server the ways a
    hostile page can without asking: a form post, a text/plain form, and a no-cors fetch."""

    def __init__(self, target: str) -> None:
        import http.server

        page = f"""<!doctype html><html><body>
<form id="paste" action="{target}/paste" method="post">
  <textarea name="text">\u201cWe act now,\u201d said Ana Lopez, the mayor, on Monday.</textarea>
  <input name="format" value="text"><button>paste</button></form>
<form id="plain" action="{target}/api/analyze" method="post" enctype="text/plain">
  <input name="text" value="said Ana Lopez"><button>plain</button></form>
<script>
function probe() {{
  return fetch("{target}/api/analyze", {{method: "POST", mode: "no-cors",
    headers: {{"Content-Type": "text/plain"}}, body: "\u201cNow,\u201d said Ana Lopez."}})
    .then(function () {{ return "sent"; }}, function (e) {{ return "error " + e; }});
}}
</script></body></html>""".encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_another_sites_page_cannot_make_the_server_analyse(page: Any, analyze_url: str,
                                                           analyze_app: Any) -> None:
    other = _OtherSite(analyze_url)
    analyzer = analyze_app.state.analyzer
    runs = analyzer.runs
    statuses: dict[str, list[int]] = {}
    page.on("response", lambda r: statuses.setdefault(r.url.split("?")[0], []).append(r.status))
    try:
        page.goto(other.url)
        assert page.evaluate("probe()") == "sent"  # the browser sent it (no preflight for text/plain)
        for form in ("paste", "plain"):
            page.goto(other.url)
            with page.expect_navigation():
                page.locator(f"#{form} button").click()
            assert "refused" in page.inner_text("body")
    finally:
        other.close()
    assert statuses.get(f"{analyze_url}/paste") == [403]
    assert statuses.get(f"{analyze_url}/api/analyze") == [403, 403]
    assert analyzer.runs == runs  # nothing was analysed for the other site


def test_events_page_filters_by_category_and_actor(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/events")
    _, _, total = _shown(page)
    assert total >= 2
    category = page.locator(".facet", has_text="Categories").locator("a").first
    name = category.inner_text()
    category.click()
    page.wait_for_url(f"**category={name}*")
    kinds = [r.locator(".badge").first.inner_text() for r in page.locator(".event-result").all()]
    assert kinds and all(k.split("/")[0] == name for k in kinds)  # "ACCUSE/disapprove" → ACCUSE
    # each event links to its words in the article
    link = page.locator(".event-result a.span-link").first
    href = link.get_attribute("href")
    assert re.search(r"/articles/\d+#ev-", href)
    page.screenshot(path=str(ARTIFACTS / "events-category.png"), full_page=True)
    page.goto(f"{base_url}/events")
    actor = page.locator(".facet", has_text="Actors").locator("a").first
    who = actor.inner_text()
    actor.click()
    page.wait_for_url("**actor=*")
    rows = page.locator(".event-result > p:first-child").all_inner_texts()
    assert rows and all(who in r.split("→")[0] for r in rows)
    page.goto(base_url + href)
    assert page.locator(f"#{href.split('#')[1]}").is_visible()
