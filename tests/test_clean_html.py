"""clean_html: main text and page metadata from HTML pages written here (fast, no spaCy)."""

from __future__ import annotations

import json

import pytest

from newsledger.clean.html import clean_html
from newsledger.clean.page_meta import authors as _authors
from newsledger.model import Article, RawDoc

BODY = [
    "The city council voted 7-2 on Tuesday night to approve a $48 million budget for the coming "
    "fiscal year, ending weeks of debate over library hours and road repairs.",
    "Council member Ana Ruiz, who voted for the plan, said the compromise protects branch libraries "
    "while still funding the most urgent repairs on the east side of the city.",
    "\u201cThis is not the budget any of us would have written alone,\u201d Ruiz said. \u201cBut it keeps "
    "every library open six days a week, and that matters to the families we represent.\u201d",
    "Opponents argued that the spending plan relies on optimistic revenue forecasts. Council member "
    "Tom Becker warned that a slowdown in sales tax receipts could force cuts by the winter.",
    "The budget takes effect on July 1. The mayor is expected to sign it later this week, according "
    "to a spokesperson for the mayor's office.",
]

JSON_LD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Council approves new budget after weeks of debate",
    "datePublished": "2024-03-05T21:30:00-05:00",
    "dateModified": "2024-03-07T08:00:00-05:00",
    "author": [{"@type": "Person", "name": "Jane Doe"}, {"@type": "Person", "name": "John Smith"}],
    "publisher": {"@type": "Organization", "name": "Example News"},
}


def news_page(*, json_ld: bool = True, extra_body: str = "") -> str:
    paragraphs = "\n".join(f"<p>{p}</p>" for p in BODY)
    script = f'<script type="application/ld+json">{json.dumps(JSON_LD)}</script>' if json_ld else ""
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
  <meta charset="utf-8">
  <title>Council approves new budget after weeks of debate | Example News</title>
  <link rel="canonical" href="https://news.example.com/2024/03/05/council-budget">
  <meta property="og:title" content="Council approves new budget after weeks of debate">
  <meta property="og:site_name" content="Example News">
  <meta property="og:image" content="https://cdn.example.com/img/council-lead.jpg">
  <meta property="article:published_time" content="2024-03-05T21:30:00-05:00">
  <meta name="author" content="Jane Doe">
  {script}
</head>
<body>
  <header>
    <nav class="main-nav"><ul>
      <li><a href="/">Home</a></li><li><a href="/politics">Politics</a></li>
      <li><a href="/sports">Sports</a></li><li><a href="/weather">Weather forecast and radar</a></li>
    </ul></nav>
  </header>
  <main>
    <article class="article">
      <h1 class="headline">Council approves new budget after weeks of debate</h1>
      <div class="byline">By <a href="/staff/jane-doe">Jane Doe</a> and
        <a href="/staff/john-smith">John Smith</a>,
        <time datetime="2024-03-05T21:30:00-05:00">March 5, 2024</time></div>
      <div class="share-bar social-share">
        <a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a> <a href="#">Email this story</a>
      </div>
      <figure><img src="/img/council-chamber.jpg" width="800" height="450" alt="The council chamber">
        <figcaption>The council chamber on Tuesday.</figcaption></figure>
      <div class="article-body">
        {paragraphs}
        {extra_body}
      </div>
    </article>
    <section id="comments" class="comments">
      <h3>42 Comments</h3>
      <div class="comment"><p>Commenter Bob: what a waste of taxpayer money, typical council nonsense.</p>
      </div>
      <div class="comment"><p>Commenter Sue: finally some sense about the libraries, thank you all.</p></div>
    </section>
  </main>
  <footer><p>Subscribe to our newsletter for daily headlines delivered to your inbox.</p></footer>
</body>
</html>"""


def clean(html: str, **kw: str) -> Article:
    return clean_html(RawDoc(id="doc1", html=html, format="html", **kw))


@pytest.fixture(scope="module")
def article() -> Article:
    return clean(news_page(), url="https://news.example.com/2024/03/05/council-budget?utm_source=feed")


def test_body_text_is_the_article(article: Article) -> None:
    for paragraph in BODY:
        assert paragraph in article.text
    for junk in ("Share on Facebook", "Commenter Bob", "what a waste", "Weather forecast", "Subscribe"):
        assert junk not in article.text
    assert article.excluded == ()


def test_paragraphs_separated_by_blank_lines(article: Article) -> None:
    assert f"{BODY[0]}\n\n{BODY[1]}" in article.text
    assert article.text == article.text.strip()


def test_page_metadata(article: Article) -> None:
    assert article.title == "Council approves new budget after weeks of debate"
    assert article.authors == ("Jane Doe", "John Smith")
    assert article.site == "Example News"
    assert article.url == "https://news.example.com/2024/03/05/council-budget"
    assert article.language == "en"
    assert article.source == {"path": "doc1", "format": "html",
                              "url": "https://news.example.com/2024/03/05/council-budget?utm_source=feed"}


def test_published_date_with_its_evidence(article: Article) -> None:
    assert article.published == "2024-03-05"
    ev = article.published_evidence
    assert ev is not None and ev.start is None and ev.end is None
    assert ev.text.startswith("2024-03-05")
    assert "htmldate" in ev.note


def test_images_are_absolute(article: Article) -> None:
    assert article.images[0] == "https://cdn.example.com/img/council-lead.jpg"
    assert "https://news.example.com/img/council-chamber.jpg" in article.images
    assert all(i.startswith("https://") for i in article.images)


def test_caller_date_wins() -> None:
    a = clean(news_page(), published="2024-03-06")
    assert a.published == "2024-03-06"
    assert a.published_evidence is not None and a.published_evidence.text == "2024-03-06"
    assert "supplied" in a.published_evidence.note


def test_source_without_url_uses_path() -> None:
    a = clean_html(RawDoc(id="x", html=news_page(), path="pages/budget.html", format="html"))
    assert a.source == {"path": "pages/budget.html", "format": "html"}
    assert a.url == "https://news.example.com/2024/03/05/council-budget"  # from the canonical link


def test_canonical_home_page_is_ignored() -> None:
    html = news_page().replace('href="https://news.example.com/2024/03/05/council-budget"',
                               'href="https://news.example.com/"')
    a = clean(html, url="https://news.example.com/2024/03/05/council-budget?x=1")
    assert a.url == "https://news.example.com/2024/03/05/council-budget?x=1"


def test_page_without_article_gives_empty_text() -> None:
    html = """<html><head><title>Example News</title></head><body>
      <nav><ul><li><a href="/a">Politics</a></li><li><a href="/b">Sports</a></li></ul></nav>
      <footer><a href="/about">About us</a> <a href="/contact">Contact</a></footer></body></html>"""
    a = clean(html)
    assert a.text == ""
    assert a.id == "doc1"


def test_dateless_page_gives_no_date() -> None:
    html = f"""<html lang="en"><head><title>Notes on budgets</title></head><body><article>
      <h1>Notes on budgets</h1>{"".join(f"<p>{p}</p>" for p in BODY)}</article></body></html>"""
    a = clean(html, url="https://blog.example.org/notes/budgets")
    assert BODY[0] in a.text
    assert a.published is None and a.published_evidence is None


def test_copyright_year_is_not_a_publication_date() -> None:
    html = f"""<html lang="en"><head><title>Notes on budgets</title></head><body><article>
      <h1>Notes on budgets</h1>{"".join(f"<p>{p}</p>" for p in BODY)}</article>
      <footer><p>&copy; 2019 Example Media Group. All rights reserved.</p></footer></body></html>"""
    a = clean(html, url="https://blog.example.org/notes/budgets")
    assert a.published is None


@pytest.mark.parametrize("html", [
    "", "   ", "<<<>>>", "<html></html>", "<p>", "\x00\x01binary\x02", "<?xml version='1.0'?><rss></rss>",
    "<div>" * 3000 + "deep" + "</div>" * 3000, "<html><body><p>Short.</p></body></html>",
    "<html><head><meta property='og:image' content='javascript:alert(1)'></head><body></body></html>",
])
def test_odd_html_never_raises(html: str) -> None:
    a = clean(html)
    assert isinstance(a, Article)
    assert isinstance(a.text, str)


def test_split_article_body_is_gathered() -> None:
    chunk = '<div class="grid"><div class="body article__body">{}</div></div>'
    first = "".join(f"<p>{p}</p>" for p in BODY[:3])
    second = "".join(f"<p>{p}</p>" for p in BODY[3:])
    html = f"""<html lang="en"><head><title>Budget</title></head><body><article class="article">
      <h1>Budget</h1><div class="chunks">{chunk.format(first)}
      <div class="ad-unit">Advertisement</div>{chunk.format(second)}</div></article></body></html>"""
    a = clean(html)
    assert BODY[0] in a.text and BODY[4] in a.text
    assert "Advertisement" not in a.text


def test_next_story_of_an_infinite_scroll_page_is_not_merged() -> None:
    story = """<article class="article"><h1>{}</h1><div class="grid"><div class="body article__body">{}</div>
      </div></article>"""
    first = "".join(f"<p>{p}</p>" for p in BODY[:3])
    other = ("<p>In other news, the county fair opens on Friday with a record number of exhibitors, "
             "organisers said, and parking will be free for the first time in a decade.</p>") * 2
    html = f"""<html lang="en"><head><title>Budget</title></head><body><main>
      {story.format("Council approves budget", first)}{story.format("County fair opens", other)}
      </main></body></html>"""
    a = clean(html)
    assert BODY[0] in a.text
    assert "county fair" not in a.text


def test_related_link_list_dropped_prose_list_kept() -> None:
    related = "".join(f'<li><a href="https://news.example.com/{i}"><u>{t}</u></a></li>' for i, t in enumerate(
        ["Mayor unveils transit plan for the east side", "School board delays vote on new calendar",
         "Photos: the new library branch opens"]))
    prose = """<li>Libraries stay open six days a week under the adopted plan.</li>
      <li>Road repairs on the east side get <a href="/r">$6 million</a> in new money this year.</li>"""
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    html = f"""<html lang="en"><head><title>Budget</title></head><body><article><h1>Budget</h1>
      <div class="article-body">{paragraphs}<ul>{prose}</ul><ul>{related}</ul>
      <p><em>Jane Doe covers city hall for Example News.</em></p></div></article></body></html>"""
    a = clean(html)
    assert "Libraries stay open six days a week" in a.text
    assert "$6 million" in a.text
    assert "Mayor unveils transit plan" not in a.text
    assert "Jane Doe covers city hall" in a.text  # the text after the list stays


def test_title_keeps_a_suffix_that_is_not_the_site() -> None:
    html = news_page(json_ld=False).replace(
        "Council approves new budget after weeks of debate", "Budget vote: what it means - Analysis")
    a = clean(html)
    assert a.title == "Budget vote: what it means - Analysis"


def test_declared_language_overruled_by_clear_text() -> None:
    german = ("Der Stadtrat hat am Dienstagabend mit sieben zu zwei Stimmen einen Haushalt von 48 Millionen "
              "Euro beschlossen. Damit enden wochenlange Debatten über Öffnungszeiten der Bibliotheken und "
              "die Reparatur von Straßen im Osten der Stadt. Die Bürgermeisterin will ihn noch diese Woche "
              "unterschreiben, sagte ein Sprecher des Rathauses am Mittwoch.")
    html = f"""<html lang="en"><head><title>Haushalt</title></head><body><article>
      <h1>Haushalt beschlossen</h1><p>{german}</p><p>{german}</p></article></body></html>"""
    assert clean(html).language == "de"


def test_language_guessed_when_undeclared() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY)
    html = f"<html><body><article><h1>Budget</h1>{paragraphs}</article></body></html>"
    assert clean(html).language == "en"


@pytest.mark.parametrize(("raw", "site", "expected"), [
    ("Jane Doe; John Smith", None, ("Jane Doe", "John Smith")),
    ("By Jane Doe", None, ("Jane Doe",)),
    ("Jane Doe December 6, 2016", None, ("Jane Doe",)),
    ("Jane Doe More stories by Jane Doe", None, ("Jane Doe",)),
    ("Jane Doe Senior Editor", None, ("Jane Doe",)),
    ("Jane Doe; AP National Writer", None, ("Jane Doe",)),
    ("Jane Doe Example News", "Example News", ("Jane Doe",)),
    ("Example News; Jane Doe", "Example News", ("Jane Doe",)),
    ("Reuters", "Reuters", ("Reuters",)),
    ("See full bio", None, ()),
    ("Dec", None, ()),
    ("Theresa May", None, ("Theresa May",)),
    ("Ursula von der Leyen", None, ("Ursula von der Leyen",)),
    (None, None, ()),
])
def test_author_names(raw: str | None, site: str | None, expected: tuple[str, ...]) -> None:
    assert _authors(raw, site) == expected
