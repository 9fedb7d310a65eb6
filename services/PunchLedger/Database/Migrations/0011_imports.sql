-- Attendance imports (issue 13): an uploaded file, its parsed rows and the commit's outcome per row, an audit log.
--
-- An import is a batch: the file is stored as it arrives (in chunks, never whole in memory), parsed and validated in
-- the background into staffing.import_rows, previewed, then committed by the background worker in chunks through the
-- batch door (staffing.submit_time_punch_events), each row with the request_id 'import:<import_id>:<line>' unless the
-- file gave one, so a chunk repeated after a crash records nothing twice. The commit token is stored as its SHA-256
-- (the token itself is only ever in the prepare answer), survives restarts, expires, and is used once.
--
-- The service role (punch_ledger_app) reads and writes these tables directly (they are the import's working state,
-- not the ledger: events and results are still written by the doors only), under the tables' tenant policy. Two
-- SECURITY DEFINER functions do what it cannot do itself: resolve a batch's employee numbers and DingTalk user ids
-- to persons (identity-mapping's tables belong to the owner), and let the background worker find work across
-- tenants.

CREATE TABLE staffing.import_batches (
  import_id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL,
  format text NOT NULL,
  file_name text NULL,
  -- Known once the upload is complete.
  file_sha256 text NULL,
  file_bytes bigint NOT NULL DEFAULT 0,
  -- 'utf-8' or 'gbk': what the caller said, or what the upload detected.
  encoding text NOT NULL,
  uploaded_by text NOT NULL,
  -- PARSING (waiting for or in the background parse), PARSED (previewable, committable), FAILED (the file cannot be
  -- read at all), COMMITTING (the background commit runs), COMMITTED.
  status text NOT NULL,
  failure_code text NULL,
  failure_detail text NULL,
  rows_read integer NOT NULL DEFAULT 0,
  rows_valid integer NOT NULL DEFAULT 0,
  rows_invalid integer NOT NULL DEFAULT 0,
  commit_token_sha256 bytea NOT NULL,
  commit_token_expires_at timestamptz NOT NULL,
  commit_token_used_at timestamptz NULL,
  idempotency_key text NULL,
  committed_by text NULL,
  commit_requested_at timestamptz NULL,
  rows_committed integer NOT NULL DEFAULT 0,
  rows_accepted integer NOT NULL DEFAULT 0,
  rows_duplicate integer NOT NULL DEFAULT 0,
  rows_rejected integer NOT NULL DEFAULT 0,
  committed_at timestamptz NULL,
  -- The background worker's claim: nobody else works on the batch before it passes.
  lease_until timestamptz NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT import_batches_pkey PRIMARY KEY (import_id),
  CONSTRAINT import_batches_format_check CHECK (format IN ('csv', 'dingtalk')),
  CONSTRAINT import_batches_encoding_check CHECK (encoding IN ('utf-8', 'gbk')),
  CONSTRAINT import_batches_status_check CHECK (status IN ('PARSING', 'PARSED', 'FAILED', 'COMMITTING', 'COMMITTED')),
  CONSTRAINT import_batches_idempotency_key_check CHECK (char_length(idempotency_key) BETWEEN 1 AND 200)
);

-- An idempotency key names one commit per tenant.
CREATE UNIQUE INDEX import_batches_idempotency_key ON staffing.import_batches (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX import_batches_tenant_created_idx ON staffing.import_batches (tenant_id, created_at DESC);
-- The worker's queue: batches with background work.
CREATE INDEX import_batches_work_idx ON staffing.import_batches (updated_at) WHERE status IN ('PARSING', 'COMMITTING');

-- The file as uploaded, in order.
CREATE TABLE staffing.import_file_chunks (
  import_id uuid NOT NULL REFERENCES staffing.import_batches (import_id),
  tenant_id uuid NOT NULL,
  chunk integer NOT NULL,
  data bytea NOT NULL,
  CONSTRAINT import_file_chunks_pkey PRIMARY KEY (import_id, chunk)
);
ALTER TABLE staffing.import_file_chunks ALTER COLUMN data SET STORAGE EXTERNAL; -- already compressed or small; no second try

-- One row per data line of the file: what it said, what it means, what is wrong with it, and what the commit did.
CREATE TABLE staffing.import_rows (
  import_id uuid NOT NULL,
  tenant_id uuid NOT NULL,
  line integer NOT NULL,
  -- As written in the file (for the preview and the report).
  person_text text NULL,
  time_text text NULL,
  type_text text NULL,
  -- As understood.
  employee_number text NULL,
  external_user_id text NULL,
  person_uuid uuid NULL,
  punch_time timestamptz NULL,
  punch_type text NULL,
  request_id text NULL,
  -- The first problem found, as a stable code (IMPORT_ROW_*), and a sentence.
  error_code text NULL,
  error_detail text NULL,
  -- The commit's answer: ACCEPTED, DUPLICATE or REJECTED (with the kernel's code).
  outcome text NULL,
  outcome_code text NULL,
  event_uuid uuid NULL,
  CONSTRAINT import_rows_pkey PRIMARY KEY (import_id, line)
);

CREATE TABLE staffing.import_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  import_id uuid NULL,
  actor text NOT NULL,
  action text NOT NULL,
  file_sha256 text NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX import_audit_tenant_idx ON staffing.import_audit (tenant_id, id DESC);

ALTER TABLE staffing.import_batches ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.import_batches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staffing.import_batches
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);
ALTER TABLE staffing.import_file_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.import_file_chunks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staffing.import_file_chunks
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);
ALTER TABLE staffing.import_rows ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.import_rows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staffing.import_rows
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);
ALTER TABLE staffing.import_audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.import_audit FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staffing.import_audit
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

-- The worker's cross-tenant view of the batches, for staffing.claim_import_work only (as the outbox relay's, 0009).
CREATE POLICY import_worker_claim ON staffing.import_batches FOR SELECT TO CURRENT_USER
  USING (current_setting('app.import_worker', true) = 'on');
CREATE POLICY import_worker_lease ON staffing.import_batches FOR UPDATE TO CURRENT_USER
  USING (current_setting('app.import_worker', true) = 'on')
  WITH CHECK (current_setting('app.import_worker', true) = 'on');

-- Claims one batch with background work (PARSING or COMMITTING) whose lease has passed, oldest first, for p_lease;
-- returns nothing when there is none. The caller then works on it inside its tenant and renews the lease
-- (UPDATE ... SET lease_until) as it goes; a worker that dies leaves the batch to the next claim once the lease passes.
CREATE FUNCTION staffing.claim_import_work(p_lease interval)
RETURNS TABLE (tenant_id uuid, import_id uuid, status text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_previous_tenant text := coalesce(current_setting('app.current_tenant', true), '');
BEGIN
  IF p_lease IS NULL OR p_lease <= interval '0' OR p_lease > interval '1 hour' THEN
    RAISE EXCEPTION USING MESSAGE = 'STAFFING_INVALID_ARGUMENT', DETAIL = 'p_lease must be in (0, 1 hour]';
  END IF;
  PERFORM set_config('app.import_worker', 'on', true),
          set_config('app.current_tenant', '00000000-0000-0000-0000-000000000000', true);
  RETURN QUERY
    UPDATE staffing.import_batches b SET lease_until = now() + p_lease
    WHERE b.import_id = (
      SELECT c.import_id FROM staffing.import_batches c
      WHERE c.status IN ('PARSING', 'COMMITTING') AND (c.lease_until IS NULL OR c.lease_until < now())
      ORDER BY c.updated_at
      LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING b.tenant_id, b.import_id, b.status;
  PERFORM set_config('app.import_worker', '', true),
          set_config('app.current_tenant', v_previous_tenant, true);
END;
$$;

-- Resolves the persons of a batch's rows that have no problem yet, inside the caller's tenant (app.current_tenant):
-- employee_number through identity-mapping's persons, DingTalk user ids through its active links, person_uuid
-- checked to be a person of the tenant; unknown, unmapped and inactive persons get their row error code.
-- Returns the number of rows it refused.
CREATE FUNCTION staffing.resolve_import_persons(p_import_id uuid)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant uuid := current_setting('app.current_tenant')::uuid;
  v_refused integer;
BEGIN
  UPDATE staffing.import_rows r
  SET person_uuid = coalesce(r.person_uuid, p.person_uuid, l.person_uuid),
      error_code = CASE
        WHEN r.employee_number IS NOT NULL AND p.person_uuid IS NULL THEN 'IMPORT_ROW_UNKNOWN_EMPLOYEE'
        WHEN r.external_user_id IS NOT NULL AND r.employee_number IS NULL AND l.person_uuid IS NULL THEN 'IMPORT_ROW_UNMAPPED_EXTERNAL_ID'
        WHEN r.person_uuid IS NOT NULL AND s.person_uuid IS NULL THEN 'IMPORT_ROW_UNKNOWN_PERSON'
        WHEN coalesce(s.active, p.active, la.active) IS FALSE THEN 'IMPORT_ROW_INACTIVE_PERSON'
      END,
      error_detail = CASE
        WHEN r.employee_number IS NOT NULL AND p.person_uuid IS NULL
          THEN format('no person of this tenant has employee number %s', r.employee_number)
        WHEN r.external_user_id IS NOT NULL AND r.employee_number IS NULL AND l.person_uuid IS NULL
          THEN format('DingTalk user id %s is linked to no person (link it in identity-mapping)', r.external_user_id)
        WHEN r.person_uuid IS NOT NULL AND s.person_uuid IS NULL
          THEN format('person_uuid %s is not a person of this tenant', r.person_uuid)
        WHEN coalesce(s.active, p.active, la.active) IS FALSE THEN 'the person is deactivated'
      END
  FROM staffing.import_rows r0
  LEFT JOIN person.persons p
    ON r0.employee_number IS NOT NULL AND p.tenant_id = v_tenant AND p.employee_number = r0.employee_number
  LEFT JOIN person.external_identity_links l
    ON r0.employee_number IS NULL AND r0.external_user_id IS NOT NULL AND l.tenant_id = v_tenant
       AND l.provider = 'DINGTALK' AND l.external_user_id = r0.external_user_id AND l.unlinked_at IS NULL
  LEFT JOIN person.persons la ON la.tenant_id = v_tenant AND la.person_uuid = l.person_uuid
  LEFT JOIN person.persons s ON r0.person_uuid IS NOT NULL AND s.tenant_id = v_tenant AND s.person_uuid = r0.person_uuid
  WHERE r.import_id = p_import_id AND r.line = r0.line AND r0.import_id = p_import_id AND r0.error_code IS NULL;
  SELECT count(*) INTO v_refused FROM staffing.import_rows
  WHERE import_id = p_import_id AND error_code IN ('IMPORT_ROW_UNKNOWN_EMPLOYEE', 'IMPORT_ROW_UNMAPPED_EXTERNAL_ID',
                                                    'IMPORT_ROW_UNKNOWN_PERSON', 'IMPORT_ROW_INACTIVE_PERSON');
  RETURN v_refused;
END;
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.claim_import_work(interval), staffing.resolve_import_persons(uuid) TO punch_ledger_app;
GRANT SELECT, INSERT, UPDATE ON staffing.import_batches TO punch_ledger_app;
-- The file and the audit log are written once.
GRANT SELECT, INSERT ON staffing.import_file_chunks, staffing.import_audit TO punch_ledger_app;
-- DELETE: a parse that starts again after a crash first removes the rows the first attempt wrote.
GRANT SELECT, INSERT, UPDATE, DELETE ON staffing.import_rows TO punch_ledger_app;
