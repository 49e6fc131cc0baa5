"""HTML → Article: main text and metadata with trafilatura and htmldate.

The page is parsed once (`trafilatura.load_html`); the lxml tree feeds trafilatura's extraction and
metadata (which runs htmldate on the same tree) and the few look-ups done here: canonical link,
declared language, images and where the publication date was read.
"""

from __future__ import annotations

import json
import logging
import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import trafilatura
from lxml.html import HtmlElement
from py3langid.langid import MODEL_FILE, LanguageIdentifier
from trafilatura.metadata import extract_metadata
from trafilatura.settings import Document
from trafilatura.xpaths import BODY_XPATH

from newsledger.model import Article, Evidence, RawDoc

LOGGER = logging.getLogger(__name__)


def clean_html(raw: RawDoc) -> Article:
    """The article in an HTML page: main text (no comments, no page furniture) and its metadata."""
    source = {"path": raw.path or raw.id, "format": raw.format}
    if raw.url:
        source["url"] = raw.url
    caller_date = Evidence(text=raw.published, note="publication date supplied with the document") \
        if raw.published else None
    tree = _parse(raw.html or "")
    if tree is None:
        return Article(id=raw.id, text="", source=source, published=raw.published,
                       published_evidence=caller_date, url=raw.url)
    meta = _metadata(tree, raw.url)  # on the page as published, before the body is tidied
    # the elements trafilatura would take as the article body, first one first
    bodies: list[HtmlElement] = BODY_XPATH[0](tree)
    _merge_split_body(bodies)
    if bodies:
        _drop_link_lists(bodies[0])
    text = _layout(_extract(tree, raw.url))
    site = _site(tree, _clean(meta.sitename), meta.url or raw.url)
    title = _title(_headline(tree, _clean(meta.title), _site_key(site)), site)
    published, evidence = (raw.published, caller_date) if raw.published else \
        _page_date(tree, raw.html or "", meta.date, meta.url or raw.url)
    return Article(
        id=raw.id,
        text=text,
        source=source,
        title=title,
        published=published,
        published_evidence=evidence,
        language=_language(tree, text),
        site=site,
        url=_canonical(tree, meta.url, raw.url),
        authors=_authors(meta.author, site),
        images=_images(tree, bodies[0] if bodies else None, meta.image, meta.url or raw.url),
    )


# ---------------------------------------------------------------------------------------------------
# Parsing and extraction


def _parse(html: str) -> HtmlElement | None:
    if not html.strip():
        return None
    return trafilatura.load_html(html)


def _metadata(tree: HtmlElement, url: str | None) -> Document:
    """Title, author, date (htmldate, original date), site, URL, image: read-only on the tree.

    Separate from the text extraction because `bare_extraction` drops the metadata of a page whose
    text is too short, and the date of a short page is still worth having.
    """
    try:
        return extract_metadata(tree, default_url=url)
    except Exception as exc:  # a trafilatura/htmldate bug on odd markup: degrade, the text may be fine
        LOGGER.warning("metadata extraction failed: %s: %s", type(exc).__name__, exc)
        return Document()


def _extract(tree: HtmlElement, url: str | None) -> str:
    """The main text (trafilatura copies the tree before pruning it; ours stays intact).

    Precision mode scored best on the dev pages (extraction F1 0.966 against 0.952 for the default
    and 0.959 for recall mode): news pages carry many teasers and link lists around the body. Where
    it finds nothing, the balanced mode only ever found page furniture on the dev sets ("You need to
    enable JavaScript", "Request unsuccessful", menus), so there is no second pass: an empty text is
    the honest answer, and the caller reports "no article text found".
    """
    try:
        doc = trafilatura.bare_extraction(tree, url=url, favor_precision=True, include_comments=False,
                                          include_tables=True)
    except Exception as exc:  # trafilatura bug on odd markup: say so, the caller records a failure
        raise RuntimeError(f"trafilatura could not extract the page: {type(exc).__name__}: {exc}") from exc
    return (doc.text or "") if isinstance(doc, Document) else ""


_SPLIT_MIN_CHARS = 200  # each part of a split body is prose, not a teaser card


def _signature(el: HtmlElement) -> tuple[str, str, str]:
    return (str(el.tag), el.get("class") or "", el.get("id") or "")


def _merge_split_body(found: list[HtmlElement]) -> None:
    """Gather an article body split into sibling chunks (between ads) into its first chunk.

    Trafilatura takes the first element that looks like an article body; some layouts repeat that
    container once per chunk of the story, so only the first chunk would be kept. The chunks merge
    only when they are built the same way all the way up to their common ancestor (same tags,
    classes and ids), which tells them from a thread of posts or a list of teaser cards, and when
    no <article> or second <h1> separates them (the next story of an infinite-scroll page).
    """
    if len(found) < 2:
        return
    first = found[0]
    parts = [e for e in found if _signature(e) == _signature(first)]
    parts = [e for e in parts if not any(o is not e and o in set(e.iterancestors()) for o in parts)]
    if len(parts) < 2 or any(len(e.text_content().strip()) < _SPLIT_MIN_CHARS for e in parts):
        return
    paths = [list(e.iterancestors()) for e in parts]
    common = set(paths[0]).intersection(*map(set, paths[1:]))
    below = [[a for a in path if a not in common] for path in paths]
    if len({tuple(_signature(a) for a in path) for path in below}) != 1:
        return
    # one story, not an infinite-scroll page stacking the next articles under this one
    if any(a.tag == "article" for path in below for a in path):
        return
    nearest = next(a for a in paths[0] if a in common)
    if sum(1 for _ in nearest.iter("h1")) > 1:
        return
    for part in parts[1:]:
        part.tail = None
        first.append(part)


def _drop_link_lists(body: HtmlElement) -> None:
    """Remove lists made only of links ("Related:", "More stories") from the article container.

    Trafilatura keeps such teasers when they sit inside the body element; a list item of prose, even
    with a link in it, keeps the whole list. Lists elsewhere (menus) are left to trafilatura, whose
    choice of the body they inform.
    """
    for lst in list(body.iter("ul", "ol")):
        items = [li for li in lst if li.tag == "li"]
        parent = lst.getparent()
        if len(items) < 2 or parent is None:
            continue
        if all(_link_only(li) for li in items):
            label = lst.getprevious()  # its "Related:" heading would be left alone
            if label is not None and _is_label(label) and not (label.tail or "").strip():
                label.drop_tree()
            lst.drop_tree()  # lxml keeps the list's tail text in place


_LABEL_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "strong", "b", "span", "div", "header"})
MAX_LABEL_WORDS = 6


def _is_label(el: HtmlElement) -> bool:
    """A short heading or caption line: "Related", "More stories from World", "Read also:"."""
    if el.tag not in _LABEL_TAGS or el.find(".//p") is not None or el.find(".//img") is not None:
        return False
    words = "".join(el.itertext()).split()
    return 0 < len(words) <= MAX_LABEL_WORDS


def _link_only(li: HtmlElement) -> bool:
    text = "".join(li.itertext()).strip()
    if not text:
        return True
    linked = "".join("".join(a.itertext()) for a in li.iter("a")).strip()
    return len(linked) >= 0.9 * len(text)


def _layout(text: str) -> str:
    """One paragraph per block, separated by a blank line (sentence splitting sees the breaks)."""
    lines = (line.strip() for line in text.splitlines())
    return "\n\n".join(line for line in lines if line)


# ---------------------------------------------------------------------------------------------------
# Metadata


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    value = " ".join(value.split())
    return value or None


_TITLE_SEP = re.compile(r"\s+[|\-–—:·•»]\s+")


def _headline(tree: HtmlElement, title: str | None, site_key: str) -> str | None:
    """trafilatura's title, checked against the page's own headings.

    Without og:title or JSON-LD, trafilatura guesses from headings and may take a menu heading or
    the site's logo text; the real headline is the heading that the <title> element repeats.
    """
    if not title:
        return title
    if _in_metadata(tree, title):
        # "Headline | Site", "Headline (Published 2016)": the page's own heading without the additions
        key = _norm(title)
        for h in tree.iter("h1"):
            text = " ".join(h.text_content().split())
            hkey = _norm(text)
            if hkey != key and key.startswith(hkey) and 2 * len(hkey) >= len(key):
                return text
        return title
    el = tree.find(".//head/title")
    whole = _norm(el.text_content()) if el is not None else ""
    if not whole:
        return title

    def repeated(text: str) -> bool:
        key = _norm(text)
        return len(key) >= 6 and key in whole and key != site_key

    if repeated(title):
        return title
    for h in tree.iter("h1", "h2"):
        text = " ".join(h.text_content().split())
        if repeated(text):
            return text
    return title


_META_TITLES = frozenset({"og:title", "twitter:title", "title", "dc.title", "headline", "parsely-title",
                          "sailthru.title"})


def _in_metadata(tree: HtmlElement, title: str) -> bool:
    """Whether a meta tag or JSON-LD states this title (then it is the publisher's own)."""
    key = _norm(title)
    for el in tree.iterfind(".//meta[@content]"):
        name = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        if name in _META_TITLES and _norm(el.get("content") or "") == key:
            return True
    return any(_norm(v) == key for k in ("headline", "name") for v in _jsonld_values(tree, k))


def _title(title: str | None, site: str | None) -> str | None:
    """The headline without a trailing (or leading) ' | Site name' when it names the site."""
    key = _site_key(site)
    if not title or not key:
        return title
    parts = _TITLE_SEP.split(title)
    if len(parts) < 2:
        return title
    if _norm(parts[-1]) == key:
        m = list(_TITLE_SEP.finditer(title))[-1]
        return title[: m.start()].strip() or title
    if _norm(parts[0]) == key:
        m = next(_TITLE_SEP.finditer(title))
        return title[m.end():].strip() or title
    return title


def _norm(s: str) -> str:
    return re.sub(r"\W+", "", s.casefold())


# "By", "Par", "Von" open a byline; a capitalised "Di" opens a surname (Di Maio), so only "di" counts.
_BYLINE_PREFIX = re.compile(r"^(?:(?i:by|from|von|par|por|door|av)|di)\b[\s:]*")
# Profile-link text that byline blocks run into ("Jane Doe More stories by Jane Doe", "See full bio").
_PROFILE_TAIL = re.compile(
    r"(?:^|\s)(?:more (?:stories|articles|posts|from)|see full bio|full bio|view (?:full )?profile|"
    r"read more|follow\b|e-?mail\b|contact\b|twitter\b|updated\b|published\b|posted\b).*$", re.I)
_MONTH = re.compile(r"^(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
                    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?$", re.I)
# A domain turned into words by trafilatura ("Example Com").
_DOMAIN_LIKE = re.compile(r"\s(?:com|org|net|de|uk|fr|ch|at|it|es|nl|ru|jp|co)$", re.I)
# Job titles that follow a name in a byline block ("Jane Doe, Senior Editor").
_ROLE_WORDS = frozenset({
    "ceo", "cto", "cfo", "coo", "founder", "cofounder", "co-founder", "editor", "editors", "reporter",
    "reporters", "correspondent", "correspondents", "writer", "writers", "contributor", "contributors",
    "columnist", "staff", "senior", "fellow", "journalist", "producer", "photographer", "anchor", "intern",
    "chief", "managing", "deputy", "associate", "executive", "president", "director", "freelance",
    "contributing",
})


def _authors(author: str | None, site: str | None = None) -> tuple[str, ...]:
    """trafilatura's "A; B" author string as names, without byline furniture.

    In-page bylines drag along what sits next to the name: "By", a date, the writer's job title or
    employer, profile links. What cannot be a name part is cut; a part that is left without a
    name-like word is dropped rather than guessed at.
    """
    if not author:
        return ()
    site_key = _site_key(site)
    names: list[str] = []
    for part in author.split(";"):
        tokens = part.split()
        if names and any(t.strip(",.()").casefold() in _ROLE_WORDS for t in tokens):
            continue  # "Jane Doe; Senior Writer": the job title of the name before
        name = _clean_author(part, site_key)
        if name:
            names.append(name)
    if len(names) > 1:  # the publisher (its name, a domain) listed beside its writers is not an author
        names = [n for n in names if _norm(n) != site_key and not _DOMAIN_LIKE.search(n)] or names
    return tuple(dict.fromkeys(names))


def _site(tree: HtmlElement, site: str | None, url: str | None) -> str | None:
    """The site's name, or its host name when trafilatura only guessed it from a <title> segment.

    Without a site-name tag trafilatura takes a <title> segment that contains a dot, which is as
    often the headline ("U.S. Stocks Rise ...") as the site ("Example.com").
    """
    host = _host(url)
    if not site or not host:
        return site or host
    key = _norm(site)
    for el in tree.iterfind(".//meta[@content]"):
        name = (el.get("property") or el.get("name") or "").lower()
        if any(w in name for w in _SITE_META) and _norm(el.get("content") or "") == key:
            return site  # stated by the publisher
    if any(_norm(v) == key for v in _jsonld_values(tree, "name")):
        return site
    host_key = _site_key(host)
    return site if host_key and (host_key in key or key in host_key) else host


_SITE_META = ("site", "application-name", "publisher", "copyright")


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _site_key(site: str | None) -> str:
    """The site's name for comparisons: 'example' for a bare host name 'example.com'."""
    if not site:
        return ""
    if " " not in site and "." in site:  # a host name: its registered name ("bbc" in news.bbc.co.uk)
        labels = site.lower().split(".")[:-1]
        while len(labels) > 1 and labels[-1] in ("co", "com", "org", "net", "ac", "gov", "ne", "or"):
            labels.pop()
        site = labels[-1] if labels else site
    return _norm(site)


def _clean_author(part: str, site_key: str) -> str | None:
    name = _PROFILE_TAIL.sub("", " ".join(part.split()))
    name = _BYLINE_PREFIX.sub("", name).strip(" ,|-–—:")
    tokens = name.split()
    # a trailing date ("Jane Doe December 6, 2016"), the site's name or a job title ends the name
    for i in range(2, len(tokens)):
        bare = tokens[i].strip(",.()")
        if (_MONTH.match(bare) or bare[:1].isdigit() or bare.casefold() in _ROLE_WORDS
                or (site_key and _norm("".join(tokens[i:])) == site_key)
                or (site_key and _norm(bare) == site_key)):
            tokens = tokens[:i]
            break
    # the same name written twice ("Confreaks Confreaks", "Jane Doe Jane Doe")
    half = len(tokens) // 2
    if half and len(tokens) % 2 == 0 and [t.casefold() for t in tokens[:half]] == \
            [t.casefold() for t in tokens[half:]]:
        tokens = tokens[:half]
    name = " ".join(tokens).strip(" ,|-–—:")
    if not name or not any(c.isalpha() for c in name):
        return None
    if len(tokens) == 1 and (_MONTH.match(name) or name.casefold() in _ROLE_WORDS):
        return None
    return name


def _iso_day(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"(\d{4}-\d{2}-\d{2})", value)
    return m.group(1) if m else None


def _canonical(tree: HtmlElement, meta_url: str | None, raw_url: str | None) -> str | None:
    """The page's canonical URL (link rel=canonical, og:url) made absolute, else the caller's URL."""
    candidates = [meta_url]
    for el in tree.iterfind(".//link[@rel][@href]"):
        if "canonical" in (el.get("rel") or "").lower().split():
            candidates.insert(0, el.get("href", "").strip())
            break
    for href in candidates:
        url = href if not href or _absolute(href) else urljoin(raw_url or meta_url or "", href)
        # a CMS that points every page at its home page gives no canonical URL worth the name
        if url and _absolute(url) and not (_is_home(url) and raw_url and not _is_home(raw_url)):
            return url
    return raw_url


def _is_home(url: str) -> bool:
    return not urlsplit(url).path.strip("/")


def _absolute(url: str) -> bool:
    return url.startswith(("http://", "https://"))


_LANG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]|$)")
_DECLARED_LANG = ("content-language", "og:locale", "language", "dc.language")
LANGID_MIN_CHARS = 200  # below this a text-based guess does not overrule the page's declaration
LANGID_MIN_PROB = 0.9
LANGID_CHARS = 2000  # enough for a confident guess; the classifier's cost grows with the text


def _language(tree: HtmlElement, text: str) -> str | None:
    """The page's declared language (html lang, content-language, og:locale) unless the text is
    clearly in another one — CMS templates often keep lang="en" on pages in other languages."""
    declared = None
    values = [tree.get("lang"), tree.get("xml:lang")]
    for el in tree.iterfind(".//meta[@content]"):
        if (el.get("http-equiv") or el.get("property") or el.get("name") or "").lower() in _DECLARED_LANG:
            values.append(el.get("content"))
    for value in values:
        m = _LANG.match((value or "").strip())
        if m:
            declared = m.group(1).lower()
            break
    guess, prob = _guess_language(text)
    if declared and (guess in (None, declared) or prob < LANGID_MIN_PROB or len(text) < LANGID_MIN_CHARS):
        return declared
    return guess if guess and prob >= 0.5 else declared


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _guess_language(text: str) -> tuple[str | None, float]:
    if len(text) < 20:
        return None, 0.0
    lang, prob = _identifier().classify(text[:LANGID_CHARS])
    return str(lang), float(prob)


MAX_IMAGES = 10
_TINY = 100  # px: icons, avatars, tracking pixels


def _images(tree: HtmlElement, body: HtmlElement | None, meta_image: str | None, base: str | None
            ) -> tuple[str, ...]:
    """The page's main image (og:image, twitter:image) and the figures of the article body.

    Figures are read from the element trafilatura would take as the body (or its <article>), so
    teaser thumbnails elsewhere on the page stay out; absolute URLs only.
    """
    found = [meta_image] if meta_image else []
    if body is not None:  # the lead figure often sits beside the text container, in the <article>
        body = next((a for a in body.iterancestors("article")), body)
    else:
        body = tree.find(".//article")
    if body is not None:
        for img in body.iter("img"):
            if len(found) > MAX_IMAGES or _is_tiny(img):
                continue
            src = img.get("src") or img.get("data-src") or (img.get("srcset") or "").split(" ")[0]
            if src and not src.startswith("data:"):
                found.append(src)
    out = []
    for src in found:
        url = src.strip() if _absolute(src.strip()) else urljoin(base or "", src.strip())
        if _absolute(url):
            out.append(url)
    return tuple(dict.fromkeys(out))[:MAX_IMAGES]


def _is_tiny(img: HtmlElement) -> bool:
    for attr in ("width", "height"):
        value = (img.get(attr) or "").removesuffix("px")
        if value.isdigit() and int(value) < _TINY:
            return True
    return False


def _page_date(tree: HtmlElement, html: str, found: str | None, url: str | None
               ) -> tuple[str | None, Evidence | None]:
    """htmldate's original publication date with where the page states it; None over a guess."""
    day = _iso_day(found)
    if day is None:
        return None, None
    evidence = _date_evidence(tree, day, url)
    if evidence.note in (_SEARCHED, _WRITTEN) and _copyright_year(html, day):
        return None, None  # only a footer's "© 2022" behind it: no date rather than a guess
    return day, evidence


# Where a publication date is usually written, most explicit first.
_DATE_META = ("article:published_time", "datepublished", "date", "pubdate", "publishdate",
              "dc.date.issued", "dc.date", "dcterms.date", "sailthru.date", "parsely-pub-date",
              "og:published_time", "published_time", "article.published", "publication_date")


def _date_evidence(tree: HtmlElement, day: str, url: str | None) -> Evidence:
    """Where the page states the date htmldate chose: a meta tag, JSON-LD, a <time>, else the URL."""
    for el in tree.iterfind(".//script[@type]"):
        if "ld+json" in (el.get("type") or "") and el.text and day in el.text:
            for key, value in _json_dates(el.text):
                if value.startswith(day):
                    return Evidence(text=value, note=f"htmldate original date; JSON-LD {key}")
    for el in tree.iterfind(".//meta[@content]"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        value = (el.get("content") or "").strip()
        if key in _DATE_META and value.startswith(day):
            return Evidence(text=value, note=f"htmldate original date; <meta {key}>")
    for el in tree.iterfind(".//time[@datetime]"):
        value = el.get("datetime", "").strip()
        if value.startswith(day):
            return Evidence(text=value, note="htmldate original date; <time datetime>")
    compact = day.replace("-", "")
    if url and (day.replace("-", "/") in url or day in url or compact in url):
        return Evidence(text=url, note="htmldate original date; read from the page URL")
    written = _written_date(tree, day)
    if written:
        return Evidence(text=written, note=_WRITTEN)
    return Evidence(text=day, note=_SEARCHED)


_SEARCHED = "htmldate original date; found by searching the page"
_WRITTEN = "htmldate original date; written in the page text"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _written_date(tree: HtmlElement, day: str) -> str | None:
    """The date as the page writes it (18.10.2021, 10/18/2021, October 18, 2021, 18 Oct 2021)."""
    y, m, d = day.split("-")
    mi, di = int(m), int(d)
    mon = _MONTHS[mi - 1]
    patterns = (
        rf"\b0?{di}\s?[./]\s?0?{mi}\s?[./]\s?{y}\b",  # 18.10.2021, 18/10/2021
        rf"\b0?{mi}/0?{di}/{y}\b",  # 10/18/2021
        rf"\b{y}[./-]0?{mi}[./-]0?{di}\b",  # 2021.10.18
        rf"\b{mon}[a-z]*\.?\s+0?{di}(?:st|nd|rd|th)?,?\s+{y}\b",  # October 18, 2021
        rf"\b0?{di}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{mon}[a-z]*\.?,?\s+{y}\b",  # 18 Oct 2021
    )
    body = tree.find(".//body")
    text = " ".join((body if body is not None else tree).itertext())
    for pattern in patterns:
        match = re.search(pattern, text, re.I)
        if match:
            return " ".join(match.group(0).split())
    return None


def _copyright_year(html: str, day: str) -> bool:
    """Whether a January 1st is only the year of a '© 2022' footer, htmldate's last resort.

    A page re-served years later carries the current year there: no publication date at all.
    """
    if not day.endswith("-01-01"):
        return False
    pattern = rf"(?:©|&copy;|&#169;|&#xa9;|copyright|\(c\))\D{{0,120}}(?:\d{{4}}\s*[-–]\s*)?{day[:4]}\b"
    return re.search(pattern, html, re.I) is not None


_DATE_KEYS = ("datePublished", "dateCreated", "uploadDate")


def _json_dates(blob: str) -> list[tuple[str, str]]:
    found = [(k, v) for k, v in _json_strings(blob) if k in _DATE_KEYS]
    return sorted(found, key=lambda kv: _DATE_KEYS.index(kv[0]))


def _jsonld_values(tree: HtmlElement, key: str) -> list[str]:
    out: list[str] = []
    for el in tree.iterfind(".//script[@type]"):
        if "ld+json" in (el.get("type") or "") and el.text and f'"{key}"' in el.text:
            out.extend(v for k, v in _json_strings(el.text) if k == key)
    return out


def _json_strings(blob: str) -> list[tuple[str, str]]:
    """Every (key, string value) pair in a JSON-LD block, at any depth; [] when it is not JSON."""
    try:
        data = json.loads(blob)
    except ValueError:
        return []
    found: list[tuple[str, str]] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for k, v in item.items():
                if isinstance(v, str):
                    found.append((k, v.strip()))
                elif isinstance(v, dict | list):
                    stack.append(v)
        elif isinstance(item, list):
            stack.extend(item)
    return found
