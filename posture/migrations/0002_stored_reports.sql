-- aam posture schema, version 2: enough of each evaluation to render any
-- report from the database, finding by finding, without evaluating again.
-- Evaluations stored before this version have no controls recorded and
-- cannot be rendered; aam posture says to evaluate again.
ALTER TABLE posture_runs ADD COLUMN controls_json TEXT NOT NULL DEFAULT '';
ALTER TABLE posture_runs ADD COLUMN coverage_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE posture_runs ADD COLUMN baseline TEXT NOT NULL DEFAULT '';
ALTER TABLE posture_runs ADD COLUMN unmatched_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE findings ADD COLUMN subject_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE findings ADD COLUMN subject_name TEXT NOT NULL DEFAULT '';
-- 1 low .. 4 critical, for ordering
ALTER TABLE findings ADD COLUMN severity_level INTEGER NOT NULL DEFAULT 0;
-- the suppression that named the finding (JSON), suppressed or expired;
-- '' when none did
ALTER TABLE findings ADD COLUMN suppression TEXT NOT NULL DEFAULT '';
CREATE INDEX findings_by_run_tenant ON findings (run_id, provider, tenant);
