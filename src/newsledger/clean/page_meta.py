"""Page metadata from the parsed HTML tree: title, site, authors, canonical URL, language, images and
the publication date with the evidence of where it was read. Used by clean/html.py; each function
repairs a known weakness of trafilatura's or htmldate's raw values, measured on the dev sets.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from newsledger.clean import language as language_id
from newsledger.model import Evidence

# ---------------------------------------------------------------------------------------------------
# Metadata


def tidy(value: str | None) -> str | None:
    if not value:
        return None
    value = " ".join(value.split())
    return value or None


_TITLE_SEP = re.compile(r"\s+[|\-–—:·•»]\s+")


def headline(tree: HtmlElement, title: str | None, site_key: str) -> str | None:
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


def title(title: str | None, site: str | None) -> str | None:
    """The headline without a trailing (or leading) ' | Site name' when it names the site."""
    key = key_of_site(site)
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


def authors(author: str | None, site: str | None = None) -> tuple[str, ...]:
    """trafilatura's "A; B" author string as names, without byline furniture.

    In-page bylines drag along what sits next to the name: "By", a date, the writer's job title or
    employer, profile links. What cannot be a name part is cut; a part that is left without a
    name-like word is dropped rather than guessed at.
    """
    if not author:
        return ()
    site_key = key_of_site(site)
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


def site(tree: HtmlElement, site: str | None, url: str | None) -> str | None:
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
    host_key = key_of_site(host)
    return site if host_key and (host_key in key or key in host_key) else host


_SITE_META = ("site", "application-name", "publisher", "copyright")


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def key_of_site(site: str | None) -> str:
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


def canonical(tree: HtmlElement, meta_url: str | None, raw_url: str | None) -> str | None:
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
LANGID_MIN_PROB = language_id.MIN_PROB
LANGID_CHARS = 2000  # enough for a confident guess; the classifier's cost grows with the text


def language(tree: HtmlElement, text: str) -> str | None:
    """The page's declared language (html lang, content-language, og:locale) unless the text is
    clearly in another one — CMS templates often keep lang="en" on pages in other languages. With no
    declaration, the identifier's guess when it is confident, else None: the language decides which
    model reads the page, or whether one does (clean/language.py)."""
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
    guess, prob = language_id.guess(text, LANGID_CHARS)
    if declared and (guess in (None, declared) or prob < LANGID_MIN_PROB or len(text) < LANGID_MIN_CHARS):
        return declared
    # an unsure guess of the default language still names it (it gates nothing: clean/language.py)
    if guess and (prob >= LANGID_MIN_PROB or (guess == language_id.DEFAULT and prob >= 0.5)):
        return guess
    return declared


MAX_IMAGES = 10
_TINY = 100  # px: icons, avatars, tracking pixels


def images(tree: HtmlElement, body: HtmlElement | None, meta_image: str | None, base: str | None
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


def page_date(tree: HtmlElement, html: str, found: str | None, url: str | None
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
