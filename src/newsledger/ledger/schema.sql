-- The newsledger ledger, schema version 1 (PRAGMA user_version; later versions are the migrations in
-- ledger/store.py, applied after this file: 2 adds events.confidence, 3 an index on articles.language,
-- 4 quotes.reported).
-- A plain SQLite file: open it in any SQLite tool. Offsets (start, end) are Python string indices
-- into articles.text, exactly as in the analyze JSON contract (DESIGN.md). JSON columns hold lists.
-- Per-article ids from analyze ("E1", "Q3") are kept as local_id; corpus-wide ids are INTEGER keys.

-- Where documents came from: each argument given to `ingest` (a file, folder, WARC, feed, URL list).
CREATE TABLE sources (
  id          INTEGER PRIMARY KEY,
  location    TEXT NOT NULL UNIQUE,
  first_seen  TEXT NOT NULL                 -- UTC ISO timestamp of the first ingest that read it
);

-- One row per distinct article text. An exact copy (same body text) adds a `copies` row, not an
-- article; a near-copy (re-post, light edit) is its own article with story_id / republished_of.
CREATE TABLE articles (
  id              INTEGER PRIMARY KEY,
  doc_id          TEXT NOT NULL,            -- the analyze record's id
  content_hash    TEXT NOT NULL UNIQUE,     -- sha256 of the body (excluded spans removed, spaces folded)
  url             TEXT,
  title           TEXT,
  published       TEXT,                     -- YYYY-MM-DD, as analyze found it (NULL when unknown)
  reference_date  TEXT,                     -- the date the text speaks from (a stale re-post differs)
  language        TEXT,
  site            TEXT,
  authors         TEXT NOT NULL DEFAULT '[]',
  images          TEXT NOT NULL DEFAULT '[]',
  source          TEXT NOT NULL DEFAULT '{}', -- analyze's source object {path|url, format}
  text            TEXT NOT NULL,
  excluded        TEXT NOT NULL DEFAULT '[]', -- [{start, end, reason}]
  errors          TEXT NOT NULL DEFAULT '[]', -- stage errors analyze recorded (the article still stored)
  story_id        INTEGER,                  -- articles.id of the story's original; NULL until grouped
  republished_of  INTEGER REFERENCES articles(id), -- the original, when this is a later copy
  ingested_at     TEXT NOT NULL
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_site ON articles(site);
CREATE INDEX articles_story ON articles(story_id);

-- Every place an article's bytes were seen: the first, and each exact duplicate or re-ingest.
-- `raw_key` (sha256 of the raw text/HTML) lets a re-run skip a document before analysing it.
CREATE TABLE copies (
  id          INTEGER PRIMARY KEY,
  article_id  INTEGER NOT NULL REFERENCES articles(id),
  raw_key     TEXT NOT NULL,
  source_id   INTEGER NOT NULL REFERENCES sources(id),
  locator     TEXT NOT NULL,                -- path, path:line, WARC target URI, article URL
  seen_at     TEXT NOT NULL,
  UNIQUE (raw_key, source_id, locator)
);
CREATE INDEX copies_raw_key ON copies(raw_key);
CREATE INDEX copies_locator ON copies(locator);
CREATE INDEX copies_article ON copies(article_id);

-- A document that could not be analysed: counted, with its reason; retried by the next ingest.
CREATE TABLE failures (
  id          INTEGER PRIMARY KEY,
  raw_key     TEXT NOT NULL UNIQUE,
  source_id   INTEGER REFERENCES sources(id),
  locator     TEXT NOT NULL,
  doc_id      TEXT,
  stage       TEXT NOT NULL,
  reason      TEXT NOT NULL,
  at          TEXT NOT NULL
);

-- Corpus-wide actors: one row per real-world person, organisation or place, across articles.
CREATE TABLE entities (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL,               -- canonical (fullest, or the actor dictionary's) name
  type         TEXT NOT NULL,               -- PERSON | ORG | GPE | NORP | ...
  roles        TEXT NOT NULL DEFAULT '[]',
  affiliation  TEXT,
  country      TEXT,                        -- ISO 3166 alpha-3 when known
  wikidata     TEXT,
  aliases      TEXT NOT NULL DEFAULT '[]',  -- every name it was written as
  origin       TEXT NOT NULL DEFAULT 'auto' -- auto (resolved from articles) | dictionary
);
CREATE INDEX entities_name ON entities(name);

-- An entity as one article's analyze saw it; entity_id links it to the corpus-wide actor.
CREATE TABLE article_entities (
  article_id   INTEGER NOT NULL REFERENCES articles(id),
  local_id     TEXT NOT NULL,               -- analyze's "E1"
  entity_id    INTEGER REFERENCES entities(id), -- NULL until cross-article resolution has run
  name         TEXT NOT NULL,
  type         TEXT NOT NULL,
  roles        TEXT NOT NULL DEFAULT '[]',
  affiliation  TEXT,
  PRIMARY KEY (article_id, local_id)
) WITHOUT ROWID;
CREATE INDEX article_entities_entity ON article_entities(entity_id);

CREATE TABLE mentions (
  article_id  INTEGER NOT NULL REFERENCES articles(id),
  local_id    TEXT NOT NULL,                -- the article entity it mentions
  start       INTEGER NOT NULL,
  end         INTEGER NOT NULL,
  text        TEXT NOT NULL
);
CREATE INDEX mentions_article ON mentions(article_id, local_id);

-- Who said what, one row per report in one article. Reports of the same words by the same speaker
-- in several articles share cluster_id (the quotes.id of the first-seen report).
CREATE TABLE quotes (
  id              INTEGER PRIMARY KEY,
  article_id      INTEGER NOT NULL REFERENCES articles(id),
  local_id        TEXT NOT NULL,
  start           INTEGER NOT NULL,
  end             INTEGER NOT NULL,
  text            TEXT NOT NULL,
  kind            TEXT NOT NULL,            -- direct | indirect | mixed
  speaker_local   TEXT,                     -- article entity id, NULL when unresolved / no speaker
  speaker_name    TEXT,
  speaker_start   INTEGER,
  speaker_end     INTEGER,
  cue_start       INTEGER,
  cue_end         INTEGER,
  cue_text        TEXT,
  via             TEXT NOT NULL DEFAULT '[]', -- [{entity, name, start, end}] reporting chain
  date            TEXT,
  date_basis      TEXT,
  cluster_id      INTEGER                   -- NULL until quote de-duplication has run
);
CREATE INDEX quotes_article ON quotes(article_id);
CREATE INDEX quotes_date ON quotes(date);
CREATE INDEX quotes_cluster ON quotes(cluster_id);
CREATE INDEX quotes_speaker ON quotes(article_id, speaker_local);

CREATE TABLE events (
  id              INTEGER PRIMARY KEY,
  article_id      INTEGER NOT NULL REFERENCES articles(id),
  local_id        TEXT NOT NULL,
  category        TEXT NOT NULL,            -- PLOVER
  mode            TEXT,
  modality        TEXT NOT NULL,
  actor_local     TEXT,
  actor_name      TEXT,
  actor_start     INTEGER,
  actor_end       INTEGER,
  target_local    TEXT,
  target_name     TEXT,
  target_start    INTEGER,
  target_end      INTEGER,
  trigger_start   INTEGER NOT NULL,
  trigger_end     INTEGER NOT NULL,
  trigger_text    TEXT NOT NULL,
  evidence_start  INTEGER NOT NULL,
  evidence_end    INTEGER NOT NULL,
  date            TEXT,
  date_basis      TEXT,
  amounts         TEXT NOT NULL DEFAULT '[]', -- local amount ids
  quote_local     TEXT                      -- the quote that reports it
);
CREATE INDEX events_article ON events(article_id);
CREATE INDEX events_category ON events(category);
CREATE INDEX events_date ON events(date);

CREATE TABLE amounts (
  article_id         INTEGER NOT NULL REFERENCES articles(id),
  local_id           TEXT NOT NULL,
  start              INTEGER NOT NULL,
  end                INTEGER NOT NULL,
  text               TEXT NOT NULL,
  kind               TEXT NOT NULL,
  value              REAL,
  currency           TEXT,
  currency_inferred  INTEGER NOT NULL DEFAULT 0,
  of_local           TEXT,
  unit               TEXT,
  approx             TEXT,
  PRIMARY KEY (article_id, local_id)
) WITHOUT ROWID;

CREATE TABLE timexes (
  article_id  INTEGER NOT NULL REFERENCES articles(id),
  start       INTEGER NOT NULL,
  end         INTEGER NOT NULL,
  text        TEXT NOT NULL,
  type        TEXT NOT NULL,
  value       TEXT
);
CREATE INDEX timexes_article ON timexes(article_id);

CREATE TABLE flags (
  article_id  INTEGER NOT NULL REFERENCES articles(id),
  code        TEXT NOT NULL,
  message     TEXT NOT NULL,
  evidence    TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX flags_article ON flags(article_id);
CREATE INDEX flags_code ON flags(code);

-- Full-text search over article titles and text, and over quotes (external-content FTS5 tables:
-- the text lives once, in articles / quotes; triggers keep the indexes in step).
CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='id');
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
  INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
  INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;

CREATE VIRTUAL TABLE quotes_fts USING fts5(text, speaker_name, content='quotes', content_rowid='id');
CREATE TRIGGER quotes_ai AFTER INSERT ON quotes BEGIN
  INSERT INTO quotes_fts(rowid, text, speaker_name) VALUES (new.id, new.text, new.speaker_name);
END;
CREATE TRIGGER quotes_ad AFTER DELETE ON quotes BEGIN
  INSERT INTO quotes_fts(quotes_fts, rowid, text, speaker_name)
  VALUES ('delete', old.id, old.text, old.speaker_name);
END;

-- ===== Corpus steps (ledger/corpus.py) ===========================================================
-- State the corpus steps keep so that each ingest only works on the articles it added: stored
-- MinHash signatures and LSH band buckets (candidate lookup is an index query per band), and the
-- name keys entities are found by. Derived data: safe to rebuild, never edited by hand. IF NOT EXISTS
-- throughout, so this section can also run alone as a migration on a ledger made before it existed.

-- Near-duplicate grouping (ledger/stories.py): one MinHash signature per article body (word
-- 3-shingles, 120 permutations, datasketch affine32 values as little-endian uint32) and its size.
CREATE TABLE IF NOT EXISTS article_minhash (
  article_id  INTEGER PRIMARY KEY REFERENCES articles(id),
  shingles    INTEGER NOT NULL,             -- distinct shingles in the body (for containment)
  sig         BLOB NOT NULL
);
-- LSH: 40 bands × 3 rows of the signature; bucket = signed 64-bit hash of the band's values.
CREATE TABLE IF NOT EXISTS article_bands (
  band        INTEGER NOT NULL,
  bucket      INTEGER NOT NULL,
  article_id  INTEGER NOT NULL REFERENCES articles(id),
  PRIMARY KEY (band, bucket, article_id)
) WITHOUT ROWID;

-- Quote clustering (ledger/quote_groups.py): LSH bands of each quote's MinHash (word 3-shingles,
-- 12 permutations, 6 bands × 2 rows, 32-bit buckets; a quote under 3 words has one exact key,
-- speaker entity + words, in band -1); candidates are then checked on their words.
CREATE TABLE IF NOT EXISTS quote_bands (
  band        INTEGER NOT NULL,
  bucket      INTEGER NOT NULL,
  quote_id    INTEGER NOT NULL REFERENCES quotes(id),
  PRIMARY KEY (band, bucket, quote_id)
) WITHOUT ROWID;

-- Entity resolution (ledger/resolve.py): the keys an entity is found by, e.g. 'PERSON:full:vladimir
-- putin', 'PERSON:sur:putin', 'GPE:iso:RUS' (entities.aliases is JSON, so it cannot be indexed).
CREATE TABLE IF NOT EXISTS entity_keys (
  key         TEXT NOT NULL,
  entity_id   INTEGER NOT NULL REFERENCES entities(id),
  PRIMARY KEY (key, entity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_keys_entity ON entity_keys(entity_id);

-- An entity's timeline (ledger/resolve.py adds rows as it links article entities): each quote it said
-- and each event it is the actor or target of, with the item's date (else its article's date, by the
-- rule of ledger/chronology.py), so "its first 100 by date" is one index range scan even for an
-- entity quoted 100k times (a join through article_entities would sort them all).
CREATE TABLE IF NOT EXISTS entity_timeline (
  entity_id   INTEGER NOT NULL REFERENCES entities(id),
  date        TEXT,                         -- YYYY-MM-DD; NULL when neither item nor article is dated
  kind        TEXT NOT NULL,                -- quote | event
  item_id     INTEGER NOT NULL,             -- quotes.id or events.id
  role        TEXT NOT NULL                 -- speaker | actor | target
);
CREATE INDEX IF NOT EXISTS entity_timeline_date ON entity_timeline(entity_id, date, kind, item_id);

-- Small facts about the corpus steps themselves, e.g. ('actors', sha256 of the actor dictionary last
-- applied to the stored entities).
CREATE TABLE IF NOT EXISTS corpus_state (
  name   TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);

-- The events an entity acts in or is the target of (queries.events(actor=/target=) through
-- article_entities): one covering seek per article instead of reading each of its events.
CREATE INDEX IF NOT EXISTS events_actor ON events(article_id, actor_local);
CREATE INDEX IF NOT EXISTS events_target ON events(article_id, target_local);
