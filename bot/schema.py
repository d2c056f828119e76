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

# The approval gate binds decisions to ids, revisions and brands:
# - who wrote each revision (by id), who decided (by id), which groups made a vote count;
# - the audit names the actor's platform id, not only a display name;
# - approval rules belong to the brand (`brands`, per Late profile, approvers qualified as
#   "chat:team:id"); a channel's own rules only tighten them, so its columns become nullable
#   ("no opinion"). Rules of channels bound to a profile seed that profile's brand rules (the first
#   channel wins) and stay on the channel as tightenings, so no channel becomes looser.
V3 = """
ALTER TABLE revisions ADD COLUMN author_id TEXT;
UPDATE revisions SET author_id = (SELECT requester_id FROM requests r WHERE r.id = revisions.request_id)
    WHERE revision = 1;
UPDATE revisions SET author_id = author WHERE author_id IS NULL;
ALTER TABLE approvals ADD COLUMN groups TEXT NOT NULL DEFAULT '[]';
ALTER TABLE requests ADD COLUMN decided_by_id TEXT;
ALTER TABLE audit ADD COLUMN actor_id TEXT;

CREATE TABLE brands (
    profile_id TEXT PRIMARY KEY,
    approvers TEXT NOT NULL DEFAULT '[]',
    approver_groups TEXT NOT NULL DEFAULT '[]',
    approvals_required INTEGER NOT NULL DEFAULT 1,
    allow_self_approval INTEGER NOT NULL DEFAULT 0,
    expiry_hours INTEGER NOT NULL DEFAULT 72,
    approval_channels TEXT NOT NULL DEFAULT '{}',
    alert_channels TEXT NOT NULL DEFAULT '{}',
    labels TEXT NOT NULL DEFAULT '{}',
    updated_by TEXT,
    updated_at TEXT
);
INSERT OR IGNORE INTO brands (profile_id, approvers, approver_groups, approvals_required, allow_self_approval,
                              expiry_hours, approval_channels, alert_channels, updated_by, updated_at)
SELECT profile_id,
       (SELECT json_group_array(c.chat || ':' || c.team || ':' || value) FROM json_each(c.approvers)),
       (SELECT json_group_array(c.chat || ':' || c.team || ':' || value) FROM json_each(c.approver_groups)),
       approvals_required, allow_self_approval, expiry_hours,
       CASE WHEN approval_channel IS NULL THEN '{}' ELSE json_object(c.chat || ':' || c.team, approval_channel) END,
       CASE WHEN alert_channel IS NULL THEN '{}' ELSE json_object(c.chat || ':' || c.team, alert_channel) END,
       updated_by, updated_at
FROM channels c WHERE profile_id IS NOT NULL ORDER BY updated_at;

CREATE TABLE channels_v3 (
    chat TEXT NOT NULL,
    team TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    profile_id TEXT,
    approval_channel TEXT,
    approvers TEXT,
    approver_groups TEXT,
    approvals_required INTEGER,
    allow_self_approval INTEGER,
    expiry_hours INTEGER,
    timezone TEXT,
    labels TEXT,
    updated_by TEXT,
    updated_at TEXT,
    PRIMARY KEY (chat, team, channel)
);
INSERT INTO channels_v3 (chat, team, channel, profile_id, approval_channel, approvers, approver_groups,
                         approvals_required, allow_self_approval, expiry_hours, timezone, updated_by, updated_at)
SELECT chat, team, channel, profile_id, approval_channel,
       NULLIF(approvers, '[]'), NULLIF(approver_groups, '[]'), NULLIF(approvals_required, 1),
       NULL,
       NULLIF(expiry_hours, 72), timezone, updated_by, updated_at
FROM channels;
DROP TABLE channels;
ALTER TABLE channels_v3 RENAME TO channels;
"""

# Operators hear it in chat (issue 11): the monitor's memory, so that alerts go out on changes only,
# once, also across restarts; the outbox of alerts; mutes; Late webhook event ids already handled;
# the follow-up of posts on Late until they are final, and the posts a partial retry made.
V4 = """
CREATE TABLE account_health (
    account_id TEXT PRIMARY KEY,
    profile_id TEXT,
    platform TEXT NOT NULL,
    username TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    can_post INTEGER NOT NULL DEFAULT 1,
    needs_reconnect INTEGER NOT NULL DEFAULT 0,
    token_expires_at TEXT,
    issues TEXT NOT NULL DEFAULT '[]',
    warned_expiry TEXT,
    warned_days INTEGER,
    seen_at TEXT NOT NULL
);
CREATE INDEX account_health_profile ON account_health(profile_id);

CREATE TABLE health_checks (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    failures INTEGER NOT NULL DEFAULT 0,
    alerted INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    checked_at TEXT
);

CREATE TABLE mutes (
    account_id TEXT PRIMARY KEY,
    until TEXT NOT NULL,
    muted_by TEXT NOT NULL,
    muted_by_id TEXT,
    at TEXT NOT NULL
);

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    account_id TEXT,
    request_id TEXT,
    body TEXT NOT NULL,
    destinations TEXT NOT NULL DEFAULT '[]',
    delivered TEXT NOT NULL DEFAULT '[]',
    state TEXT NOT NULL DEFAULT 'pending',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX alerts_state ON alerts(state, id);
CREATE INDEX alerts_account ON alerts(account_id, state);

CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    event TEXT NOT NULL,
    received_at TEXT NOT NULL
);

CREATE TABLE followups (
    request_id TEXT PRIMARY KEY,
    checks INTEGER NOT NULL DEFAULT 0,
    next_at TEXT,
    late_status TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE retry_posts (
    request_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    late_post_id TEXT,
    accounts TEXT NOT NULL DEFAULT '[]',
    actor TEXT,
    actor_id TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (request_id, n)
);
CREATE INDEX retry_posts_late ON retry_posts(late_post_id);
"""

# What Late made of a request is recorded, then the card refreshed and the requester told; a crash
# between the two must not lose the telling. `owed_notice` is set with the outcome, in the same
# transaction, and cleared once told; the scheduler tells whatever is still owed.
V5 = """
ALTER TABLE requests ADD COLUMN owed_notice INTEGER NOT NULL DEFAULT 0;
CREATE INDEX requests_owed ON requests(owed_notice) WHERE owed_notice = 1;
"""

MIGRATIONS: list[Migration] = [
    Migration(1, "requests, revisions, approvals, audit, channels, deliveries", V1),
    Migration(2, "requests.scheduled_for as an indexed column", V2),
    Migration(3, "decisions by id and revision; approval rules per brand", V3),
    Migration(4, "account health, alerts, mutes, webhook events, follow-ups", V4),
    Migration(5, "requests.owed_notice: an outcome recorded but not yet told", V5),
]
