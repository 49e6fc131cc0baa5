"""The HTTP API and the explorer's HTML over a real ledger (FastAPI's TestClient, httpx-based)."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():  # Starlette suggests `httpx2`; httpx is what the project depends on
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from newsledger.ledger import store
from newsledger.ledger.store import LedgerError
from newsledger.web.api import API_MAX_LIMIT
from newsledger.web.app import create_app
from webledger import HOSTILE_TITLE, WebLedger, web_ledger  # noqa: F401  (session fixture)


class _Tags(HTMLParser):
    """Collects what must never appear in a page: inline script, event-handler attributes,
    javascript: links, and the elements the hostile article's text spells out."""

    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and not a.get("src") and a.get("type") != "application/json":
            self.bad.append("inline <script>")
        ours = tag == "svg" and (a.get("class") or "").split()[:1] in (["timeline"], ["volume"])  # our charts
        if tag in ("img", "svg") and not ours:
            self.bad.append(f"<{tag}>")
        self.bad += [f"{tag} {k}=" for k in a if k.startswith("on")]
        self.bad += [f"{tag} {k}={v}" for k, v in a.items() if k in ("href", "src", "action")
                     and (v or "").strip().lower().startswith(("javascript:", "data:"))]


@pytest.fixture(scope="module")
def client(web_ledger: WebLedger) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(web_ledger.corpus)) as c:
        yield c


@pytest.fixture(scope="module")
def analyzing(web_ledger: WebLedger) -> Iterator[TestClient]:  # noqa: F811
    # analysis in its own process, as `serve --allow-analyze` runs it (the model loads on first use)
    with TestClient(create_app(web_ledger.corpus, allow_analyze=True, max_body=20_000,
                               max_analyze_bytes=12_000)) as c:
        yield c


def test_stats(client: TestClient, web_ledger: WebLedger) -> None:  # noqa: F811
    r = client.get("/api/stats")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json()["articles"] == len(web_ledger.ids)


def test_pages_of_articles(client: TestClient, web_ledger: WebLedger) -> None:  # noqa: F811
    first = client.get("/api/articles", params={"limit": 3}).json()
    assert len(first["items"]) == 3 and first["next_offset"] == 3 and first["limit"] == 3
    rest = client.get("/api/articles", params={"limit": 3, "offset": 3}).json()
    last = client.get("/api/articles", params={"limit": 3, "offset": 6}).json()
    ids = [a["article_id"] for page in (first, rest, last) for a in page["items"]]
    assert sorted(ids) == sorted(web_ledger.ids.values())  # every article once across the pages
    assert last["next_offset"] is None


@pytest.mark.parametrize("params", [{"limit": API_MAX_LIMIT + 1}, {"limit": 0}, {"offset": -1},
                                    {"since": "yesterday"}, {"until": "2025-13-99x"}, {"since": "2025-13"},
                                    {"until": "2025-02-30"}, {"sort": "random"}, {"format": "xml"}])
def test_bad_parameters_are_422_json(client: TestClient, params: dict[str, Any]) -> None:
    r = client.get("/api/quotes", params=params)
    assert r.status_code == 422
    body = r.json()
    assert body["error"]["status"] == 422 and body["error"]["details"]


def test_csv_rows_carry_the_evidence(client: TestClient, web_ledger: WebLedger) -> None:  # noqa: F811
    r = client.get("/api/quotes", params={"speaker": "putin", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    evidence = {"speaker_entity_id", "article_id", "title", "url", "published", "start", "end"}
    assert rows and evidence <= set(rows[0])
    for row in rows:  # each row's offsets point at the quote's words in that article
        text = web_ledger_text(client, int(row["article_id"]))
        assert text[int(row["start"]):int(row["end"])] == row["quote"]
        assert row["speaker_entity_id"].isdigit()
    ev = list(csv.DictReader(io.StringIO(client.get("/api/events", params={"format": "csv"}).text)))
    assert ev and all(r["trigger"] and r["article_id"].isdigit() for r in ev)
    eid = client.get("/api/entities", params={"q": "Carney"}).json()["items"][0]["id"]
    tl = list(csv.DictReader(io.StringIO(client.get(f"/api/entities/{eid}/timeline",
                                                    params={"format": "csv"}).text)))
    assert tl and {r["type"] for r in tl} == {"quote", "event"}


def web_ledger_text(client: TestClient, article_id: int) -> str:
    return str(client.get(f"/api/articles/{article_id}").json()["text"])


def test_oldest_first_lists_dated_items_in_order(client: TestClient) -> None:
    for path in ("/api/articles", "/api/quotes", "/api/events"):
        new = client.get(path, params={"limit": 200}).json()["items"]
        old = client.get(path, params={"limit": 200, "sort": "oldest"}).json()["items"]
        key = "published" if path == "/api/articles" else "date"
        dates = [i[key] for i in old]
        assert dates and None not in dates and dates == sorted(dates), path
        newest = [i[key] for i in new if i[key]]
        assert newest == sorted(newest, reverse=True), path
        assert len(old) == len(newest), path  # the same dated items, the other way round


def test_missing_things_are_404_json(client: TestClient) -> None:
    for path in ("/api/articles/999999", "/api/entities/999999", "/api/entities/999999/timeline",
                 "/api/no-such-endpoint"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.json()["error"]["status"] == 404
    assert client.get("/api/articles/abc").status_code == 422


def test_article_json_has_every_annotation(client: TestClient, web_ledger: WebLedger) -> None:  # noqa: F811
    aid = web_ledger.ids["seed"]
    art = client.get(f"/api/articles/{aid}").json()
    rec = web_ledger.records["seed"]
    assert art["text"] == rec["text"]
    for part in ("entities", "quotes", "events", "amounts", "timexes", "excluded", "flags"):
        assert len(art[part]) == len(rec[part]), part
    assert {"story", "copies", "article_id"} <= set(art)


def test_quotes_speaker_search_and_sources(client: TestClient) -> None:
    items = client.get("/api/quotes", params={"speaker": "putin", "limit": 50}).json()["items"]
    assert items and all("Putin" in q["speaker"]["name"] for q in items)
    hit = client.get("/api/quotes", params={"q": "maximum pressure"}).json()["items"]
    assert hit and all(q["sources"] for q in hit)
    for nasty in ['"', 'AND(', "pressure OR", "' OR 1=1 --"]:
        assert client.get("/api/quotes", params={"q": nasty}).status_code == 200


def test_events_entities_timeline_stories(client: TestClient) -> None:
    threats = client.get("/api/events", params={"category": "THREATEN"}).json()["items"]
    assert threats and all(e["category"] == "THREATEN" for e in threats)
    people = client.get("/api/entities", params={"type": "PERSON", "q": "Carney"}).json()["items"]
    assert [p["name"] for p in people] == ["Mark Carney"]
    eid = people[0]["id"]
    ent = client.get(f"/api/entities/{eid}").json()
    assert ent["name"] == "Mark Carney" and ent["counts"]["quotes"] > 0
    tl = client.get(f"/api/entities/{eid}/timeline").json()
    assert tl["entity"]["id"] == eid and {i["type"] for i in tl["items"]} == {"quote", "event"}
    said = client.get(f"/api/entities/{eid}/timeline", params={"role": "speaker"}).json()["items"]
    assert said and {i["type"] for i in said} == {"quote"}
    did = client.get(f"/api/entities/{eid}/timeline", params={"role": "actor"}).json()["items"]
    assert did and all(i["role"] == "actor" for i in did)
    assert client.get(f"/api/entities/{eid}/timeline", params={"role": "victim"}).status_code == 422
    stories = client.get("/api/stories", params={"limit": 1}).json()["items"]
    assert stories[0]["size"] == 2


def test_openapi_and_docs_ship_no_cdn(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/articles", "/api/articles/{article_id}", "/api/quotes", "/api/events", "/api/entities",
                 "/api/entities/{entity_id}", "/api/entities/{entity_id}/timeline", "/api/stories",
                 "/api/stats", "/api/analyze"):
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/quotes" in docs.text
    # every GET has an example request, and each one works on a real ledger
    examples = [h.replace("&amp;", "&") for h in re.findall(r'class="example" href="([^"]+)"', docs.text)]
    assert len(examples) >= 9 and any("format" not in e and "speaker=" in e for e in examples)
    for example in examples:
        assert client.get(example).status_code == 200, example
    assert "one of ACCUSE" in docs.text or "ACCUSE, " in docs.text  # the categories, listed
    for page in ("/docs", "/", "/articles/1", "/search?q=pressure"):
        html = client.get(page).text
        assert not re.search(r"""(src|href)=["'](https?:)?//""", html.split("<main", 1)[0]), page


def test_security_headers_and_no_cors(client: TestClient) -> None:
    r = client.get("/api/stats", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    pre = client.options("/api/stats", headers={"Origin": "https://evil.example",
                                                 "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in pre.headers


def test_loopback_refuses_foreign_host_headers(web_ledger: WebLedger) -> None:  # noqa: F811
    """What `serve` sets on loopback: a page on another site cannot reach the API by DNS rebinding."""
    app = create_app(web_ledger.corpus, allowed_hosts=["127.0.0.1", "localhost"])
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/stats").status_code == 200
        assert c.get("/api/stats", headers={"host": "evil.example:8000"}).status_code == 400


def test_no_file_paths_from_requests(client: TestClient) -> None:
    assert client.get("/static/style.css").status_code == 200
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py", "/static//etc/passwd",
                 "/static/%2e%2e/%2e%2e/ledger/schema.sql"):
        r = client.get(path)
        assert r.status_code == 404 and "CREATE TABLE" not in r.text and "import" not in r.text, path


def test_serve_runs_on_loopback(web_ledger: WebLedger) -> None:  # noqa: F811
    """`serve` (what the CLI calls) in its own process: answers on 127.0.0.1, refuses other Hosts."""
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = "import sys; from newsledger.web.app import serve; serve(sys.argv[1], port=int(sys.argv[2]))"
    proc = subprocess.Popen([sys.executable, "-c", code, str(web_ledger.corpus), str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(base + "/api/stats", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["articles"] == len(web_ledger.ids)
        assert "server" not in r.headers  # no version banner
        assert httpx.get(base + "/api/stats", headers={"host": "rebound.example"}).status_code == 400
        assert httpx.post(base + "/analyze", content=b"text").status_code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_ledger_is_opened_read_only(client: TestClient) -> None:
    conn = client.app.state.ledger.conn()  # type: ignore[attr-defined]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM articles")


def test_reads_while_an_ingest_writes(web_ledger: WebLedger, tmp_path: Any) -> None:  # noqa: F811
    db = tmp_path / "ledger.db"
    shutil.copy(web_ledger.corpus, db)
    with TestClient(create_app(db)) as c:
        before = c.get("/api/stats").json()["sources"]
        writer = store.connect(db)
        writer.execute("BEGIN IMMEDIATE")  # an ingest's batch, in flight
        writer.execute("INSERT INTO sources(location, first_seen) VALUES ('new-feed', '2026-01-01')")
        r = c.get("/api/stats")
        assert r.status_code == 200 and r.json()["sources"] == before  # not blocked, sees the last commit
        assert c.get("/api/quotes", params={"q": "pressure"}).status_code == 200
        writer.execute("COMMIT")
        assert c.get("/api/stats").json()["sources"] == before + 1  # and the next commit once made
        writer.close()


def test_no_ledger_is_a_clear_error(tmp_path: Any) -> None:
    with pytest.raises(LedgerError, match="no ledger"):
        create_app(tmp_path / "missing.db")


def test_analyze_is_off_by_default(client: TestClient) -> None:
    r = client.post("/analyze", content="Mark Carney said “we will act”.")
    assert r.status_code == 403 and "--allow-analyze" in r.json()["error"]["message"]
    assert client.get("/paste").status_code == 404


def test_analyze_returns_the_record_and_stores_nothing(analyzing: TestClient) -> None:
    before = analyzing.get("/api/stats").json()
    text = "Ottawa, 3 March 2026\n\n“We will not back down,” Prime Minister Mark Carney said on Tuesday.\n"
    r = analyzing.post("/analyze", content=text.encode(), headers={"content-type": "text/plain"})
    assert r.status_code == 200, r.text
    rec = r.json()
    assert rec["text"] == text and rec["quotes"] and rec["quotes"][0]["speaker"]["name"] == "Mark Carney"
    page = ("<html><head><title>T</title></head><body><article>"
            "<p>“We act now,” said Ana Lopez, the mayor.</p><p>The council met on Monday to discuss"
            " the plan for the new bridge over the river.</p></article></body></html>")
    r = analyzing.post("/api/analyze", content=page.encode(), headers={"content-type": "text/html"})
    assert r.status_code == 200 and r.json()["source"]["format"] == "html"
    r = analyzing.post("/api/analyze", json={"text": text, "published": "2026-03-03"})
    assert r.status_code == 200 and r.json()["published"] == "2026-03-03"
    assert analyzing.post("/api/analyze", json={"nope": 1}).status_code == 400
    assert analyzing.post("/api/analyze", content=b"   ").status_code == 400
    assert analyzing.get("/api/stats").json() == before


def test_analyze_body_cap_is_413(analyzing: TestClient) -> None:
    r = analyzing.post("/analyze", content=b"x" * 30_000, headers={"content-type": "text/plain"})
    assert r.status_code == 413 and r.json()["error"]["status"] == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap is counted while reading
        for _ in range(30):
            yield b"y" * 1000
    r = analyzing.post("/analyze", content=chunks(), headers={"content-type": "text/plain"})
    assert r.status_code == 413


def test_paste_page_when_allowed(analyzing: TestClient) -> None:
    assert analyzing.get("/paste").status_code == 200
    r = analyzing.post("/paste", data={"text": "“Now is the time,” said Ana Lopez on <b>Friday</b>.",
                                       "format": "text"})
    assert r.status_code == 200
    body = r.text.split('id="text">', 1)[1].split("</div>", 1)[0]
    assert "<b>" not in body
    shown = re.sub(r"<[^>]+>", "", body)  # the text as shown: the marks' tags removed
    assert "said Ana Lopez on &lt;b&gt;Friday&lt;/b&gt;." in shown


def test_pages_render_and_escape(client: TestClient, web_ledger: WebLedger) -> None:  # noqa: F811
    for path in ("/", "/articles", "/entities", "/stories", "/search", "/search?q=pressure",
                 "/search?q=strike&in=articles", f"/articles/{web_ledger.ids['seed']}",
                 "/articles?flag=stale_date"):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), path
    html = client.get(f"/articles/{web_ledger.ids['hostile']}").text
    tags = _Tags()
    tags.feed(html)
    assert not tags.bad, tags.bad  # no element or attribute came from the article's markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for page in ("/search?q=alert", "/search?q=alert&in=articles", "/articles?q=onerror"):
        tags = _Tags()
        tags.feed(client.get(page).text)
        assert not tags.bad, (page, tags.bad)
    missing = client.get("/articles/999999")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert client.get("/search", params={"since": "soon"}).status_code == 422
    assert HOSTILE_TITLE not in html  # the title appears only escaped


# --- POST /api/analyze: bounded in size, time and concurrency; never for another site's page ---------

def _sentences(n_bytes: int) -> str:
    """Plain news prose of about `n_bytes` (every sentence different, so nothing is cheap to skip)."""
    out, i = [], 0
    while sum(len(x) + 1 for x in out) < n_bytes:
        out.append(f"Councillor Ana Lopez{i} said on Monday that the town would repair {i + 3} bridges, "
                   f"and \u201cwe will start in spring {2000 + i % 30},\u201d she told reporters.")
        i += 1
    return " ".join(out)


def test_a_deeply_nested_json_body_is_a_400_not_a_500(analyzing: TestClient) -> None:
    nested = '{"text": "said Ana Lopez", "x": ' + "[" * 5000 + "]" * 5000 + "}"
    r = analyzing.post("/api/analyze", content=nested.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 400 and "nested deeper than" in r.json()["error"]["message"]
    r = analyzing.post("/api/analyze", content=b'{"text": ' + b"[" * 70 + b"]" * 70 + b"}",
                       headers={"content-type": "application/json"})
    assert r.status_code == 400


def test_a_text_over_the_analysis_limit_is_413_before_any_analysis(analyzing: TestClient) -> None:
    runs = analyzing.app.state.analyzer.runs  # type: ignore[attr-defined]
    plain = {"content-type": "text/plain"}
    r = analyzing.post("/api/analyze", content=_sentences(13_000).encode(), headers=plain)
    assert r.status_code == 413 and "--max-analyze-bytes" in r.json()["error"]["message"]
    r = analyzing.post("/api/analyze", json={"text": _sentences(13_000)})
    assert r.status_code == 413
    r = analyzing.post("/paste", data={"text": _sentences(13_000), "format": "text"})
    assert r.status_code == 413
    assert analyzing.app.state.analyzer.runs == runs  # type: ignore[attr-defined]
    # an HTML page is judged by the text in it: markup around a short article passes, a long text fails
    short = "<html><body><article><p>\u201cWe act now,\u201d said Ana Lopez, the mayor, on Monday.</p>" + \
        "<p>The council met to discuss the plan for a new bridge over the river.</p></article>" + \
        "<div>" + "<span class='nav'></span>" * 600 + "</div></body></html>"
    assert len(short.encode()) > 12_000
    r = analyzing.post("/api/analyze", content=short.encode(), headers={"content-type": "text/html"})
    assert r.status_code == 200, r.text
    long = f"<html><body><article><p>{_sentences(14_000)}</p></article></body></html>"
    r = analyzing.post("/api/analyze", content=long.encode(), headers={"content-type": "text/html"})
    assert r.status_code == 413 and "over the limit" in r.json()["error"]["message"]


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example", "Content-Type": "text/plain"},
    {"Origin": "null", "Content-Type": "text/plain"},
    {"Origin": "http://testserver.evil.example", "Content-Type": "application/x-www-form-urlencoded"},
    {"Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://testserver", "Content-Type": "text/plain"},
])
def test_another_sites_page_cannot_post(analyzing: TestClient, headers: dict[str, str]) -> None:
    runs = analyzing.app.state.analyzer.runs  # type: ignore[attr-defined]
    for path in ("/api/analyze", "/analyze", "/paste"):
        r = analyzing.post(path, content=b"text=%E2%80%9CNow%2C%E2%80%9D+said+Ana+Lopez.", headers=headers)
        assert r.status_code == 403 and "another site" in r.json()["error"]["message"], (path, r.text)
    assert analyzing.app.state.analyzer.runs == runs  # type: ignore[attr-defined]
    assert analyzing.get("/api/stats", headers=headers).status_code == 200  # reading is not refused


def test_own_pages_and_scripts_may_post(analyzing: TestClient) -> None:
    text = "\u201cNow is the time,\u201d said Ana Lopez on Friday."
    for headers in ({"Origin": "http://testserver"}, {"Sec-Fetch-Site": "same-origin", "Origin": "null"},
                    {}):  # the explorer's own page (Chromium sends Origin: null with no-referrer), or curl
        r = analyzing.post("/api/analyze", content=text.encode(),
                           headers={**headers, "content-type": "text/plain"})
        assert r.status_code == 200, (headers, r.text)


@pytest.fixture(scope="module")
def slow_analyzing(web_ledger: WebLedger) -> Iterator[TestClient]:  # noqa: F811
    with TestClient(create_app(web_ledger.corpus, allow_analyze=True, analyze_timeout=1.5)) as c:
        assert c.post("/api/analyze", content="\u201cGo,\u201d said Ana Lopez.".encode()).status_code == 200
        yield c  # the model is loaded: from here the time limit is the analysis alone


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow
def test_an_analysis_past_the_time_limit_is_504_and_its_process_is_killed(slow_analyzing: TestClient) -> None:
    from newsledger.engines.local import pid_alive

    analyzer = slow_analyzing.app.state.analyzer  # type: ignore[attr-defined]
    pid = analyzer.worker.pid
    t0 = time.monotonic()
    r = slow_analyzing.post("/api/analyze", content=_sentences(150_000).encode(),
                            headers={"content-type": "text/plain"})  # about 10 s of work
    took = time.monotonic() - t0
    assert r.status_code == 504 and "took over 1.5 s and was stopped" in r.json()["error"]["message"]
    assert took < 5
    assert not pid_alive(pid)  # the work stopped with it: no CPU spent after the answer
    r = slow_analyzing.post("/paste", data={"text": _sentences(150_000), "format": "text"})
    assert r.status_code == 504 and "was stopped" in r.text and "<html" in r.text.lower()  # an explorer page
    r = slow_analyzing.post("/api/analyze", content="\u201cAgain,\u201d said Ana Lopez.".encode())
    assert r.status_code == 200 and analyzer.worker.pid != pid  # a fresh process took over


@pytest.mark.slow
def test_analyses_do_not_pile_up(slow_analyzing: TestClient) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from newsledger.web.app import ANALYZE_QUEUE

    body = _sentences(150_000).encode()
    n = ANALYZE_QUEUE + 5

    def post(_: int) -> tuple[int, str | None]:
        r = slow_analyzing.post("/api/analyze", content=body, headers={"content-type": "text/plain"})
        return r.status_code, r.headers.get("retry-after")

    t0 = time.monotonic()
    with ThreadPoolExecutor(n) as pool:
        answers = list(pool.map(post, range(n)))
    took = time.monotonic() - t0
    codes = sorted(code for code, _ in answers)
    assert set(codes) <= {503, 504}, codes
    assert codes.count(503) >= n - 1 - ANALYZE_QUEUE  # beyond one running and the queue: refused at once
    assert all(retry for code, retry in answers if code == 503)
    assert took < 1.5 * (ANALYZE_QUEUE + 1) + 10  # each of those let in got its 1.5 s, no more
    pid = slow_analyzing.app.state.analyzer.worker.pid  # type: ignore[attr-defined]
    if pid is not None:  # whatever process is there now is idle: nothing left running in the background
        before = _cpu_seconds(pid)
        time.sleep(1)
        assert _cpu_seconds(pid) - before < 0.2

