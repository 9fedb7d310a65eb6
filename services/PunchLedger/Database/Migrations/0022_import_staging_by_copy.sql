-- The import's parse stages a file's rows by binary COPY into an inbox, then turns the whole file into its import rows
-- in ONE statement: persons resolved, a DingTalk punch's request id given, duplicates within the file and (DingTalk
-- exports) punches the ledger already has marked — what stage_import_rows (0018) did per block of 5,000 rows and two
-- UPDATEs of every row did afterwards (bench/Import.Benchmarks/README.md, "2026-12-04 (late): staging").
--
-- Why: stage_import_rows's plan, and the duplicates UPDATE's, depended on statistics a parse cannot count on. persons
-- and external_identity_links are written just before an import (the persons it names) and analysed whenever autovacuum
-- comes by; taking the new tenant for one person, the planner joined each DingTalk link to its person by scanning all of
-- the tenant's persons (2,500 links × 2,500 persons: 0.9–2.4 s per block of 5,000 rows, where a CSV file's blocks took
-- 46–77 ms). And once autovacuum had analysed import_rows with one batch in it, the next batch's rows were estimated at
-- one, and the duplicates UPDATE of a 100,000-row import ran past its 30 s timeout (the parse failed; measured with
-- bench/Import.Benchmarks/StagingProbe, a private Postgres). Here the tenant's persons and links are read once and
-- hashed, and the statement is planned the same whatever the statistics say (see stage_import_inbox).

-- The rows as the parse read them, written by COPY (which Postgres refuses on a table under row-level security, hence
-- a table without it): punch-ledger's login may only INSERT here — it cannot read, change or delete a row, its own
-- tenant's or another's; staffing.stage_import_inbox (the owner) moves the caller's tenant's rows of one import and one
-- parse attempt into import_rows and deletes the import's rows. UNLOGGED: nothing here outlives a parse, and a parse
-- cut off by a crash starts over (its rows are removed first). No index: a parse reads all its rows at once (one
-- sequential scan), and an index would cost every COPY more than it saves.
CREATE UNLOGGED TABLE staffing.import_rows_inbox (
  -- One parse attempt of the import: rows of an earlier attempt that a late worker still writes are never taken.
  attempt uuid NOT NULL,
  import_id uuid NOT NULL,
  tenant_id uuid NOT NULL,
  line integer NOT NULL,
  person_text text NULL,
  time_text text NULL,
  type_text text NULL,
  employee_number text NULL,
  external_user_id text NULL,
  person_uuid uuid NULL,
  punch_time timestamptz NULL,
  punch_type text NULL,
  request_id text NULL,
  error_code text NULL,
  error_detail text NULL,
  sheet_row integer NULL,
  source_column text NULL
);
GRANT INSERT ON staffing.import_rows_inbox TO punch_ledger_app;

-- Removes what earlier attempts left of an import's rows (inbox), in the caller's tenant: a parse calls it as it
-- starts over.
CREATE FUNCTION staffing.clear_import_inbox(p_import_id uuid)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant uuid := current_setting('app.current_tenant')::uuid;
  v_cleared integer;
BEGIN
  DELETE FROM staffing.import_rows_inbox WHERE import_id = p_import_id AND tenant_id = v_tenant;
  GET DIAGNOSTICS v_cleared = ROW_COUNT;
  RETURN v_cleared;
END;
$$;

-- Turns one parse attempt's inbox rows of a PARSING import (caller's tenant) into its import_rows, in line order, with
-- the rules of 0014/0018 and the parse's checks, then deletes the import's inbox rows. A row's code is the first of:
--   the parse's own (bad time, not a punch …);
--   employee_number   -> the tenant's person with that number, else IMPORT_ROW_UNKNOWN_EMPLOYEE;
--   DingTalk user id  -> (no employee number) its active identity link, else IMPORT_ROW_UNMAPPED_EXTERNAL_ID;
--   person_uuid       -> a person of the tenant, else IMPORT_ROW_UNKNOWN_PERSON;
--   a deactivated person: IMPORT_ROW_INACTIVE_PERSON;
--   among the rows still valid, the same person, instant and type, or the same request id, as an earlier line:
--     IMPORT_ROW_DUPLICATE_IN_FILE, naming that line (or its sheet row and column);
--   a DingTalk export's row of a punch the ledger already has from DingTalk (the same person in the same minute, from
--     the Stream connector or an earlier import of an export): IMPORT_ROW_ALREADY_RECORDED with that event.
-- A row without a request id (format dingtalk) is named 'import:dingtalk:<person_uuid>:<UTC minute>' (0018).
-- Planned the same whatever the statistics say (none of the tables it reads has statistics it can count on: the inbox
-- holds whichever imports autovacuum last saw, the tenant's persons were often registered minutes ago): enable_nestloop
-- off leaves hash joins for the file's rows against the tenant's persons and links (a nested loop over them, on an
-- estimate of one person, compares every row with every person); the nested loops left are the probes of the ledger,
-- per person and per row (LATERAL … LIMIT 1 has no other plan), on the only index that has person_uuid. jit off: the
-- nested loops' penalty cost puts every plan over the JIT thresholds, and compiling it took ~2 s. work_mem: the
-- duplicate checks sort the file's rows twice (100,000 rows ≈ 30 MB each): in memory, not on disk.
CREATE FUNCTION staffing.stage_import_inbox(p_import_id uuid, p_attempt uuid)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET work_mem = '64MB'
SET enable_nestloop = off
SET jit = off
AS $$
DECLARE
  v_tenant uuid := current_setting('app.current_tenant')::uuid;
  v_dingtalk boolean;
  v_staged integer;
BEGIN
  SELECT b.format = 'dingtalk' INTO v_dingtalk
  FROM staffing.import_batches b WHERE b.import_id = p_import_id AND b.status = 'PARSING';
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = format('import %s is not being parsed in this tenant', p_import_id);
  END IF;
  INSERT INTO staffing.import_rows (import_id, tenant_id, line, person_text, time_text, type_text, employee_number,
                                    external_user_id, person_uuid, punch_time, punch_type, request_id, error_code, error_detail,
                                    event_uuid, sheet_row, source_column)
  WITH staged AS MATERIALIZED (
    SELECT i.line, i.person_text, i.time_text, i.type_text, i.employee_number, i.external_user_id, i.person_uuid, i.punch_time,
           i.punch_type, i.request_id, i.error_code, i.error_detail, i.sheet_row, i.source_column
    FROM staffing.import_rows_inbox i
    WHERE i.import_id = p_import_id AND i.attempt = p_attempt AND i.tenant_id = v_tenant),
  -- The tenant's persons and active DingTalk links, each read once and hashed: a probe per key would have the planner
  -- choose between the tables' indexes on statistics that do not know the tenant (see above).
  persons AS MATERIALIZED (
    SELECT p.person_uuid, p.employee_number, p.active FROM person.persons p WHERE p.tenant_id = v_tenant),
  links AS MATERIALIZED (
    SELECT l.external_user_id, l.person_uuid, lp.active
    FROM person.external_identity_links l
    LEFT JOIN persons lp ON lp.person_uuid = l.person_uuid
    WHERE l.tenant_id = v_tenant AND l.provider = 'DINGTALK' AND l.unlinked_at IS NULL),
  resolved AS (
    SELECT s.line, s.person_text, s.time_text, s.type_text, s.employee_number, s.external_user_id,
           coalesce(s.person_uuid, e.person_uuid, l.person_uuid) AS person_uuid,
           s.punch_time, s.punch_type,
           -- A punch of a DingTalk export comes without a request id: it is named by its person and minute.
           coalesce(s.request_id, 'import:dingtalk:' || coalesce(e.person_uuid, l.person_uuid)::text || ':'
                                  || to_char(s.punch_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')) AS request_id,
           CASE
             WHEN s.error_code IS NOT NULL THEN s.error_code
             WHEN s.employee_number IS NOT NULL AND e.person_uuid IS NULL THEN 'IMPORT_ROW_UNKNOWN_EMPLOYEE'
             WHEN s.external_user_id IS NOT NULL AND s.employee_number IS NULL AND l.person_uuid IS NULL
               THEN 'IMPORT_ROW_UNMAPPED_EXTERNAL_ID'
             WHEN s.person_uuid IS NOT NULL AND g.person_uuid IS NULL THEN 'IMPORT_ROW_UNKNOWN_PERSON'
             WHEN coalesce(g.active, e.active, l.active) IS FALSE THEN 'IMPORT_ROW_INACTIVE_PERSON'
           END AS error_code,
           CASE
             WHEN s.error_code IS NOT NULL THEN s.error_detail
             WHEN s.employee_number IS NOT NULL AND e.person_uuid IS NULL
               THEN format('no person of this tenant has employee number %s', s.employee_number)
             WHEN s.external_user_id IS NOT NULL AND s.employee_number IS NULL AND l.person_uuid IS NULL
               THEN format('DingTalk user id %s is linked to no person (link it in identity-mapping)', s.external_user_id)
             WHEN s.person_uuid IS NOT NULL AND g.person_uuid IS NULL
               THEN format('person_uuid %s is not a person of this tenant', s.person_uuid)
             WHEN coalesce(g.active, e.active, l.active) IS FALSE THEN 'the person is deactivated'
           END AS error_detail,
           s.sheet_row, s.source_column
    FROM staged s
    LEFT JOIN persons e ON s.error_code IS NULL AND e.employee_number = s.employee_number
    LEFT JOIN links l ON s.error_code IS NULL AND s.employee_number IS NULL AND l.external_user_id = s.external_user_id
    LEFT JOIN persons g ON s.error_code IS NULL AND g.person_uuid = s.person_uuid),
  -- Within the file the first line of a punch counts: the first valid line with the same person, instant and type, or
  -- with the same request id (the valid rows and the others are partitioned apart).
  firsts AS (
    SELECT r.*,
           first_value(r.line) OVER same_punch AS punch_line,
           first_value(r.sheet_row) OVER same_punch AS punch_sheet_row,
           first_value(r.source_column) OVER same_punch AS punch_column,
           first_value(r.line) OVER same_request AS request_line,
           first_value(r.sheet_row) OVER same_request AS request_sheet_row,
           first_value(r.source_column) OVER same_request AS request_column
    FROM resolved r
    WINDOW same_punch AS (PARTITION BY r.error_code IS NULL, r.person_uuid, r.punch_time, r.punch_type ORDER BY r.line),
           same_request AS (PARTITION BY r.error_code IS NULL, r.request_id ORDER BY r.line)),
  -- A DingTalk export's persons that have any punch from DingTalk within the file's span of their rows (one probe per
  -- person): the rows of the others need no probe of their own (an export's first import: none do).
  recorded_persons AS MATERIALIZED (
    SELECT s.person_uuid
    FROM (SELECT person_uuid, min(punch_time) AS first_at, max(punch_time) AS last_at FROM resolved
          WHERE v_dingtalk AND error_code IS NULL GROUP BY person_uuid) s
    -- LATERAL … LIMIT 1, not EXISTS: without nested loops the planner would make EXISTS a hash semi-join over all of
    -- the tenant's events; this can only be an index probe.
    CROSS JOIN LATERAL (
      SELECT FROM staffing.time_punch_events e
      WHERE e.tenant_id = v_tenant AND e.person_uuid = s.person_uuid
        AND e.punch_time >= date_trunc('minute', s.first_at) AND e.punch_time < date_trunc('minute', s.last_at) + interval '1 minute'
        AND (e.source_provider = 'DINGTALK' OR (e.source_provider = 'IMPORT' AND e.request_id LIKE 'import:dingtalk:%'))
      LIMIT 1) e),
  checked AS (
    SELECT f.*, rp.person_uuid IS NOT NULL AS person_recorded,
           f.error_code IS NULL AND least(f.punch_line, f.request_line) < f.line AS duplicate,
           CASE WHEN f.punch_line <= f.request_line THEN f.punch_line ELSE f.request_line END AS first_line,
           CASE WHEN f.punch_line <= f.request_line THEN f.punch_sheet_row ELSE f.request_sheet_row END AS first_sheet_row,
           CASE WHEN f.punch_line <= f.request_line THEN f.punch_column ELSE f.request_column END AS first_column
    FROM firsts f
    LEFT JOIN recorded_persons rp ON rp.person_uuid = f.person_uuid)
  SELECT p_import_id, v_tenant, c.line, c.person_text, c.time_text, c.type_text, c.employee_number, c.external_user_id,
         c.person_uuid, c.punch_time, c.punch_type, c.request_id,
         CASE WHEN c.error_code IS NOT NULL THEN c.error_code
              WHEN c.duplicate THEN 'IMPORT_ROW_DUPLICATE_IN_FILE'
              WHEN m.event_uuid IS NOT NULL THEN 'IMPORT_ROW_ALREADY_RECORDED' END,
         CASE WHEN c.error_code IS NOT NULL THEN c.error_detail
              WHEN c.duplicate THEN
                CASE WHEN c.first_sheet_row IS NULL THEN format('the same punch as line %s', c.first_line)
                     ELSE format('the same punch as row %s (%s)', c.first_sheet_row, c.first_column) END
              WHEN m.event_uuid IS NOT NULL THEN
                format('the ledger already has this DingTalk punch (same person, same minute): event %s, %s', m.event_uuid,
                       CASE WHEN m.source_provider = 'DINGTALK' THEN 'from the DingTalk connector'
                            ELSE 'from an earlier import of a DingTalk export' END) END,
         m.event_uuid, c.sheet_row, c.source_column
  FROM checked c
  -- One DingTalk punch = one person in one minute (services/PunchLedger/Imports/README.md): the ledger's first event of
  -- the same person in the same minute that came from DingTalk, for a DingTalk export's valid rows of recorded_persons.
  LEFT JOIN LATERAL (
    SELECT e.event_uuid, e.source_provider FROM staffing.time_punch_events e
    WHERE c.person_recorded AND c.error_code IS NULL AND NOT c.duplicate
      AND e.tenant_id = v_tenant AND e.person_uuid = c.person_uuid
      AND e.punch_time >= date_trunc('minute', c.punch_time)
      AND e.punch_time < date_trunc('minute', c.punch_time) + interval '1 minute'
      AND (e.source_provider = 'DINGTALK' OR (e.source_provider = 'IMPORT' AND e.request_id LIKE 'import:dingtalk:%'))
    ORDER BY e.id
    LIMIT 1) m ON true
  -- In line order, as the parse used to write them: the commit reads the rows a range of lines at a time.
  ORDER BY c.line;
  GET DIAGNOSTICS v_staged = ROW_COUNT;

  DELETE FROM staffing.import_rows_inbox WHERE import_id = p_import_id AND tenant_id = v_tenant;
  RETURN v_staged;
END;
$$;

-- Rows enter import_rows through stage_import_inbox only (0014 took INSERT on it from the service's login).
DROP FUNCTION staffing.stage_import_rows(uuid, integer[], text[], text[], text[], text[], text[], uuid[], timestamptz[],
  text[], text[], text[], text[], integer[], text[]);

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.clear_import_inbox(uuid) TO punch_ledger_app;
GRANT EXECUTE ON FUNCTION staffing.stage_import_inbox(uuid, uuid) TO punch_ledger_app;
