-- Each committed import row's outcome in a narrow table of its own (issue 13: the commit's cost per row). The commit
-- wrote the door's answer into the row itself (0011's outcome, outcome_code, event_uuid): an UPDATE of 1,000 wide
-- staged rows per chunk, each a new row version with its index entry (~390 kB of WAL per chunk), fed by a JSON map of
-- the answers built to keep the planner from joining them to the whole batch. Now the answers are inserted as they
-- come from the door (no join, no map): measured on a private server, ~6 ms of a ~46 ms chunk statement
-- (bench/Import.Benchmarks/README.md, 2026-12-05 (later)).
--
-- Rows committed before this migration keep their outcome in import_rows; readers take the outcome from here, else from
-- there (import_rows.event_uuid also stays the staging's: the punch a DingTalk row was already recorded as).

CREATE TABLE staffing.import_row_outcomes (
  import_id uuid NOT NULL,
  tenant_id uuid NOT NULL,
  line integer NOT NULL,
  outcome text NOT NULL,
  outcome_code text NULL,
  event_uuid uuid NULL,
  -- The row's person and instant as the door got them, so that what the commit changed (ImportCommitted's persons and
  -- dates) is read from here alone: joined back to 100,000 staged rows it took 0.5 s, one key probe per row.
  person_uuid uuid NULL,
  punch_time timestamptz NULL,
  -- (no foreign key to import_rows: the chunk writes only the lines it read from there, and a key check per row is
  -- what this table saves)
  CONSTRAINT import_row_outcomes_pkey PRIMARY KEY (import_id, line)
);

ALTER TABLE staffing.import_row_outcomes ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.import_row_outcomes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staffing.import_row_outcomes
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

-- Written once per row, by the commit's chunk. The staged rows are no longer updated by the service at all (they are
-- written by staffing.stage_import_inbox, as the owner, and deleted when a parse starts over).
GRANT SELECT, INSERT ON staffing.import_row_outcomes TO punch_ledger_app;
REVOKE UPDATE ON staffing.import_rows FROM punch_ledger_app;

-- 0015's function, same payload; the accepted rows' persons and instants are read from the outcomes (and, for rows
-- committed before 0024, from import_rows).
CREATE OR REPLACE FUNCTION staffing.announce_import_committed(p_import_id uuid)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant uuid := current_setting('app.current_tenant')::uuid;
  v_payload jsonb;
BEGIN
  SELECT jsonb_build_object(
           'import_id', b.import_id, 'format', b.format, 'file_name', b.file_name, 'file_sha256', b.file_sha256,
           'idempotency_key', b.idempotency_key, 'committed_by', b.committed_by, 'committed_at', b.committed_at,
           'rows_read', b.rows_read, 'rows_invalid', b.rows_invalid, 'rows_accepted', b.rows_accepted,
           'rows_duplicate', b.rows_duplicate, 'rows_rejected', b.rows_rejected,
           'persons', c.persons, 'from_date', c.from_date, 'to_date', c.to_date)
    INTO v_payload
  FROM staffing.import_batches b
  CROSS JOIN LATERAL (
    SELECT count(DISTINCT r.person_uuid) AS persons,
           min(staffing.work_date_of(r.punch_time)) - 1 AS from_date,
           max(staffing.work_date_of(r.punch_time)) AS to_date
    FROM (SELECT o.person_uuid, o.punch_time
          FROM staffing.import_row_outcomes o
          WHERE o.import_id = b.import_id AND o.outcome = 'ACCEPTED'
          UNION ALL
          SELECT r.person_uuid, r.punch_time -- committed before 0024
          FROM staffing.import_rows r
          WHERE r.import_id = b.import_id AND r.outcome = 'ACCEPTED') r) c
  WHERE b.import_id = p_import_id AND b.status = 'COMMITTED';
  IF v_payload IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = format('import %s is not committed in this tenant', p_import_id);
  END IF;
  INSERT INTO staffing.outbox (tenant_id, announcements)
  VALUES (v_tenant, jsonb_build_array(jsonb_build_object('type', 'ImportCommitted', 'payload', v_payload)));
END;
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.announce_import_committed(uuid) TO punch_ledger_app;
