"""The database schema as an ordered list of migrations; `Store.open()` applies the missing ones.

Never edit a released migration: add the next one. Tests migrate from an empty database and from
every older version.
"""

from __future__ import annotations

from bot.store import Migration

V1 = """
CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    chat TEXT NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    requester_name TEXT NOT NULL,
    profile_id TEXT,
    revision INTEGER NOT NULL DEFAULT 1,
    draft TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    late_post_id TEXT,
    outcome TEXT,
    approvals_required INTEGER NOT NULL DEFAULT 1,
    allow_self_approval INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT,
    decided_by TEXT,
    decided_at TEXT,
    reason TEXT,
    card_chat TEXT,
    card_channel TEXT,
    card_message_id TEXT,
    card_thread TEXT
);
CREATE INDEX requests_state ON requests(state);
CREATE INDEX requests_channel ON requests(chat, team, channel);
CREATE INDEX requests_late_post ON requests(late_post_id);

CREATE TABLE revisions (
    request_id TEXT NOT NULL REFERENCES requests(id),
    revision INTEGER NOT NULL,
    draft TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (request_id, revision)
);

CREATE TABLE approvals (
    request_id TEXT NOT NULL REFERENCES requests(id),
    revision INTEGER NOT NULL,
    approver_id TEXT NOT NULL,
    approver_name TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (request_id, revision, approver_id)
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    request_id TEXT,
    from_state TEXT,
    to_state TEXT,
    content_hash TEXT,
    idempotency_key TEXT,
    late_post_id TEXT,
    detail TEXT
);
CREATE INDEX audit_request ON audit(request_id);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit is append-only');
END;

CREATE TABLE channels (
    chat TEXT NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    profile_id TEXT,
    approval_channel TEXT,
    approvers TEXT NOT NULL DEFAULT '[]',
    approver_groups TEXT NOT NULL DEFAULT '[]',
    approvals_required INTEGER NOT NULL DEFAULT 1,
    allow_self_approval INTEGER NOT NULL DEFAULT 0,
    expiry_hours INTEGER NOT NULL DEFAULT 72,
    alert_channel TEXT,
    timezone TEXT,
    updated_by TEXT,
    updated_at TEXT,
    PRIMARY KEY (chat, team, channel)
);

CREATE TABLE deliveries (
    key TEXT PRIMARY KEY,
    at TEXT NOT NULL
);
"""

# The scheduler asks "which scheduled posts are due" on every tick: a real, indexed column instead
# of json_extract over every draft.
V2 = """
ALTER TABLE requests ADD COLUMN scheduled_for TEXT;
UPDATE requests SET scheduled_for = json_extract(draft, '$.scheduled_for');
CREATE INDEX requests_due ON requests(state, scheduled_for);
CREATE INDEX requests_expiry ON requests(state, expires_at);
CREATE INDEX requests_updated ON requests(state, updated_at);
"""

MIGRATIONS: list[Migration] = [
    Migration(1, "requests, revisions, approvals, audit, channels, deliveries", V1),
    Migration(2, "requests.scheduled_for as an indexed column", V2),
]
