-- The import's staging (0022's staffing.stage_import_inbox) finds duplicates within the file by hashing instead of
-- sorting: the punches (person, instant, type) and request ids that more than one valid row carries, with their first
-- line, are hash aggregates over the valid rows, joined back by key, where 0022 sorted all of the file's rows twice
-- (once by their text request ids) for two window functions. Same rows, codes and details; measured with bench/Import.Benchmarks/StagingProbe
-- (bench/Import.Benchmarks/README.md, "2026-12-05 (evening)"). The rest of the function is 0022's text.

CREATE OR REPLACE FUNCTION staffing.stage_import_inbox(p_import_id uuid, p_attempt uuid)
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
  -- with the same request id. The keys that more than one valid row carries (usually none) with their first line, by
  -- hash aggregates (0022 sorted all of the file's rows twice, once by their text request ids, for two window
  -- functions); a valid row always has all four keys.
  punch_repeats AS MATERIALIZED (
    SELECT r.person_uuid, r.punch_time, r.punch_type, min(r.line) AS line
    FROM resolved r WHERE r.error_code IS NULL
    GROUP BY r.person_uuid, r.punch_time, r.punch_type HAVING count(*) > 1),
  request_repeats AS MATERIALIZED (
    SELECT r.request_id, min(r.line) AS line
    FROM resolved r WHERE r.error_code IS NULL
    GROUP BY r.request_id HAVING count(*) > 1),
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
    SELECT r.*, rp.person_uuid IS NOT NULL AS person_recorded, least(pr.line, qr.line) AS first_line,
           coalesce(least(pr.line, qr.line) < r.line, false) AS duplicate
    FROM resolved r
    LEFT JOIN punch_repeats pr ON r.error_code IS NULL AND pr.person_uuid = r.person_uuid AND pr.punch_time = r.punch_time
                                  AND pr.punch_type = r.punch_type
    LEFT JOIN request_repeats qr ON r.error_code IS NULL AND qr.request_id = r.request_id
    LEFT JOIN recorded_persons rp ON rp.person_uuid = r.person_uuid)
  SELECT p_import_id, v_tenant, c.line, c.person_text, c.time_text, c.type_text, c.employee_number, c.external_user_id,
         c.person_uuid, c.punch_time, c.punch_type, c.request_id,
         CASE WHEN c.error_code IS NOT NULL THEN c.error_code
              WHEN c.duplicate THEN 'IMPORT_ROW_DUPLICATE_IN_FILE'
              WHEN m.event_uuid IS NOT NULL THEN 'IMPORT_ROW_ALREADY_RECORDED' END,
         CASE WHEN c.error_code IS NOT NULL THEN c.error_detail
              WHEN c.duplicate THEN
                CASE WHEN fr.sheet_row IS NULL THEN format('the same punch as line %s', c.first_line)
                     ELSE format('the same punch as row %s (%s)', fr.sheet_row, fr.source_column) END
              WHEN m.event_uuid IS NOT NULL THEN
                format('the ledger already has this DingTalk punch (same person, same minute): event %s, %s', m.event_uuid,
                       CASE WHEN m.source_provider = 'DINGTALK' THEN 'from the DingTalk connector'
                            ELSE 'from an earlier import of a DingTalk export' END) END,
         m.event_uuid, c.sheet_row, c.source_column
  FROM checked c
  -- A duplicate names its first line (or that line's sheet row and column): the first lines of the repeated keys.
  LEFT JOIN (SELECT x.line, x.sheet_row, x.source_column
             FROM resolved x
             JOIN (SELECT line FROM punch_repeats UNION SELECT line FROM request_repeats) k ON k.line = x.line) fr
    ON c.duplicate AND fr.line = c.first_line
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

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.stage_import_inbox(uuid, uuid) TO punch_ledger_app;
