-- The authoritative daily result read model, exactly as seed 004 §4.1 defines it. It is derived: the
-- kernel recomputes it in the same transaction as every accepted punch, and a rebuild from
-- staffing.time_punch_events must reproduce it.
CREATE TABLE IF NOT EXISTS staffing.daily_attendance_results (
  tenant_id uuid NOT NULL,
  person_uuid uuid NOT NULL,
  work_date date NOT NULL, -- Valid Time（日粒度）

  -- 规则与状态
  ruleset_version text NOT NULL,
  status text NOT NULL, -- PRESENT/ABSENT/EXCEPTION
  flags text[] NOT NULL DEFAULT '{}'::text[],

  -- 关键结果（UTC 存储）
  first_in_time timestamptz NULL,
  last_out_time timestamptz NULL,
  worked_minutes int NOT NULL DEFAULT 0,
  late_minutes int NOT NULL DEFAULT 0,
  early_leave_minutes int NOT NULL DEFAULT 0,

  -- 输入水位线（用于可重算/一致性验收）
  input_punch_count int NOT NULL DEFAULT 0,
  input_max_punch_event_db_id bigint NULL,
  input_max_punch_time timestamptz NULL,

  computed_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),

  PRIMARY KEY (tenant_id, person_uuid, work_date),

  CONSTRAINT daily_attendance_results_status_check
    CHECK (status IN ('PRESENT','ABSENT','EXCEPTION')),
  CONSTRAINT daily_attendance_results_minutes_nonneg_check
    CHECK (worked_minutes >= 0 AND late_minutes >= 0 AND early_leave_minutes >= 0),
  CONSTRAINT daily_attendance_results_flags_allowlist_check
    CHECK (flags <@ ARRAY['ABSENT','MISSING_IN','MISSING_OUT','LATE','EARLY_LEAVE']::text[])
);

CREATE INDEX IF NOT EXISTS daily_attendance_results_lookup_idx
  ON staffing.daily_attendance_results (tenant_id, person_uuid, work_date DESC);

ALTER TABLE staffing.daily_attendance_results ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.daily_attendance_results FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON staffing.daily_attendance_results;
CREATE POLICY tenant_isolation ON staffing.daily_attendance_results
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

-- Not part of the seed's definition, only storage: every accepted punch rewrites its day's row, so leave
-- room on each page for the new version to stay there (a HOT update touches no index and logs less).
ALTER TABLE staffing.daily_attendance_results SET (fillfactor = 70);
