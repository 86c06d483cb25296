-- The catalogue: which WARC bytes hold which capture, and what each document said over time.
-- Migrations run in order; each section starts with a "-- migration N" line and sets PRAGMA user_version = N.

-- migration 1
CREATE TABLE warc_files (
    name TEXT PRIMARY KEY,             -- final file name (*.warc.gz) even while still *.open
    created_at TEXT NOT NULL,
    warcinfo_id TEXT,
    warcinfo_length INTEGER,
    warcinfo_sha256 TEXT,              -- fixity of the warcinfo gzip member
    closed_at TEXT,
    size_bytes INTEGER,
    sha256 TEXT                        -- of the whole file once closed
);

CREATE TABLE captures (
    capture_id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,                 -- requested (canonical) URL
    final_url TEXT NOT NULL,
    status INTEGER,                    -- NULL: no response (error says why)
    captured_at TEXT NOT NULL,
    content_type TEXT,
    charset TEXT,
    kind TEXT NOT NULL,
    reason TEXT,
    error TEXT,
    elapsed_ms INTEGER,
    payload_digest TEXT,
    sha256 TEXT,
    record_type TEXT,                  -- response | revisit | NULL (catalogue row only)
    refers_to INTEGER REFERENCES captures(capture_id),  -- revisit: the capture holding the payload
    truncated TEXT,
    etag TEXT,
    last_modified TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_length INTEGER,
    record_id TEXT,
    record_sha256 TEXT,                -- fixity of the record's gzip member
    request_offset INTEGER,
    request_length INTEGER,
    request_id TEXT,
    request_sha256 TEXT,
    reject_file TEXT                   -- body kept in rejects/ (blocked pages), if any
);
CREATE INDEX captures_url ON captures(url, capture_id);
CREATE INDEX captures_file ON captures(warc_file, warc_offset);

CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    seq INTEGER NOT NULL UNIQUE,
    status TEXT NOT NULL,              -- live | removed
    versions INTEGER NOT NULL,
    captured_at TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_checked_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    removed_at TEXT,
    capture_id INTEGER NOT NULL REFERENCES captures(capture_id),
    sha256 TEXT,
    misses INTEGER NOT NULL DEFAULT 0, -- consecutive 404/410 re-checks
    fields_json TEXT NOT NULL
);
CREATE INDEX documents_url ON documents(url);

CREATE TABLE doc_keys (
    key TEXT PRIMARY KEY,              -- i:<索引号 key> | d:<agency>|<发文字号 key> | u:<url>
    doc_id TEXT NOT NULL REFERENCES documents(doc_id)
);

CREATE TABLE doc_captures (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    capture_id INTEGER NOT NULL REFERENCES captures(capture_id),
    PRIMARY KEY (doc_id, capture_id)
);

CREATE TABLE versions (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    n INTEGER NOT NULL,
    capture_id INTEGER NOT NULL REFERENCES captures(capture_id),
    captured_at TEXT NOT NULL,
    url TEXT NOT NULL,
    sha256 TEXT,
    fields_json TEXT NOT NULL,         -- the full Parsed as JSON
    changes_json TEXT NOT NULL,        -- [{"field", "old", "new"}] against version n-1
    diff TEXT NOT NULL,                -- unified diff of the body against version n-1
    PRIMARY KEY (doc_id, n)
);

CREATE TABLE events (
    event_id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    kind TEXT NOT NULL,                -- new | changed | moved | removed | restored
    at TEXT NOT NULL,
    capture_id INTEGER REFERENCES captures(capture_id),
    detail_json TEXT NOT NULL
);
CREATE INDEX events_doc ON events(doc_id, event_id);
CREATE INDEX events_at ON events(at);

PRAGMA user_version = 1;

-- migration 2
-- What a list (an API's JSON or XML row, a list page's attributes) said about a document, kept beside the
-- document's capture: the list often carries 文号, dates and agency the article page lacks (SITES.md 3.5).
CREATE TABLE list_fields (
    capture_id INTEGER PRIMARY KEY REFERENCES captures(capture_id),  -- the document page's capture
    list_url TEXT NOT NULL,            -- the list page or API answer that named the document
    adapter TEXT NOT NULL,
    fields_json TEXT NOT NULL,         -- {"doc_no": ..., "publish_date": ...} in record field names
    item_json TEXT                     -- the list row as the platform gave it (JSON), when it has one
);

PRAGMA user_version = 2;

-- migration 3
-- Attachment text is derived data, keyed by the payload's SHA-256: identical files on many pages are extracted
-- once, and `gongkai index --reparse` recomputes every row from the WARCs without the network.
CREATE TABLE attachment_texts (
    sha256 TEXT PRIMARY KEY,
    type TEXT NOT NULL,                -- pdf | ofd | doc | wps | docx | xls | et | xlsx | ods | unknown
    status TEXT NOT NULL,              -- ok | needs_ocr | failed | not_extracted
    reason TEXT,
    size_bytes INTEGER,
    pages INTEGER,
    extractor TEXT,
    units_json TEXT NOT NULL,          -- [{"page": 1, "sheet": null, "text": "..."}]
    extracted_at TEXT NOT NULL,
    elapsed_ms INTEGER
);

CREATE TABLE doc_attachments (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    url TEXT NOT NULL,                 -- canonical URL of the attachment capture
    name TEXT,                         -- link text on the page
    capture_id INTEGER REFERENCES captures(capture_id),
    sha256 TEXT,
    PRIMARY KEY (doc_id, url)
);
CREATE INDEX doc_attachments_sha ON doc_attachments(sha256);

PRAGMA user_version = 3;
