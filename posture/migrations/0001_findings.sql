-- aam posture schema, version 1: the findings of each evaluation, tied to
-- the scan it was evaluated on. These tables are posture's; the scanners'
-- tables are never written here.
CREATE TABLE posture_runs (
    id            INTEGER PRIMARY KEY,
    -- the last finished scan when the evaluation ran
    scan_id       INTEGER NOT NULL,
    evaluated_at  TEXT NOT NULL,
    aam_version   TEXT NOT NULL DEFAULT '',
    controls      INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    not_evaluable INTEGER NOT NULL,
    suppressed    INTEGER NOT NULL
);
CREATE INDEX posture_runs_by_scan ON posture_runs (scan_id);

CREATE TABLE findings (
    run_id      INTEGER NOT NULL REFERENCES posture_runs(id),
    scan_id     INTEGER NOT NULL,
    control_id  TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    -- fail, unknown (not evaluable)
    status      TEXT NOT NULL,
    severity    TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    provider    TEXT NOT NULL,
    tenant      TEXT NOT NULL,
    about       TEXT NOT NULL DEFAULT '[]',
    message     TEXT NOT NULL,
    evidence    TEXT NOT NULL DEFAULT '{}',
    -- 1 when a baseline suppressed it (an unexpired suppression)
    suppressed  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, fingerprint)
) WITHOUT ROWID;
CREATE INDEX findings_by_scan ON findings (scan_id, control_id);
