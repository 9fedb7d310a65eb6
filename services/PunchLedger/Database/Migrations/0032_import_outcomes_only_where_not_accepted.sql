-- The commit keeps a row's outcome of its own only where the door did not accept it (DUPLICATE, REJECTED): an accepted
-- row's punch is the ledger's event with the row's request id, and that the commit has passed the row is its part's
-- cursor (import_commit_parts.after_line). An import-shaped chunk so writes no outcome rows instead of 1,000 (each a
-- heap row and a primary-key entry): the commit of 100,000 rows on a private server 2.81 -> 2.57 s, mean of 9 rounds
-- each, alternated (bench/Import.Benchmarks/README.md, "stop 33"). The report reads an accepted row's event by its
-- request id (ImportStore.StreamRowsAsync).
--
-- Rows committed before this migration keep their ACCEPTED outcome rows (and, before 0024, their outcome in
-- import_rows); every reader takes an outcome row first, then import_rows', then the ledger's.

-- 0029's function, same payload; the accepted rows are the batch's valid rows the door did not answer otherwise. The
-- few answers are joined by hashing or merging, never probed once per row (100,000 probes: ~135 ms of ~230), and the rows
-- grouped in memory (a sort spilled to disk at the default work_mem); no JIT (the disabled nested loops' costs would ask
-- for it: ~300 ms of compiling).
CREATE OR REPLACE FUNCTION staffing.announce_import_committed(p_import_id uuid)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET work_mem = '64MB'
SET enable_nestloop = off
SET jit = off
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
    SELECT count(p.person_uuid) AS persons,
           staffing.work_date_of(min(p.first_at)) - 1 AS from_date,
           staffing.work_date_of(max(p.last_at)) AS to_date
    FROM (SELECT r.person_uuid, min(r.punch_time) AS first_at, max(r.punch_time) AS last_at
          FROM staffing.import_rows r
          -- (every valid row went to the door; a batch committed before 0024 has its outcome in the row)
          WHERE r.import_id = b.import_id AND r.error_code IS NULL AND coalesce(r.outcome, 'ACCEPTED') = 'ACCEPTED'
            AND NOT EXISTS (SELECT FROM staffing.import_row_outcomes o
                            WHERE o.import_id = r.import_id AND o.line = r.line AND o.outcome <> 'ACCEPTED')
          GROUP BY r.person_uuid) p) c
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
