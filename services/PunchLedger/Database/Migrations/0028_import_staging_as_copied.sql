-- The import's parse stages each block of rows as soon as it is copied, on a connection of its own, while the next block
-- is read: 0022/0025 staged the whole file in ONE statement after the last block (~1.2 s of one backend per 100,000
-- rows, the other core idle, after the reading). What needs the whole file — duplicates within it, and a DingTalk
-- export's punches the ledger already has — is one statement at the end that marks the (usually no) rows concerned.
-- Same rows, codes and details as 0025's stage_import_inbox; measured with bench/Import.Benchmarks/StagingProbe and
-- through the gateway (bench/Import.Benchmarks/README.md, "2026-12-06 (later)").

-- The parse attempt that owns the batch's staging: a block is staged only for it (see stage_import_block).
ALTER TABLE staffing.import_batches ADD COLUMN parse_attempt uuid NULL;

-- Turns the rows of lines p_first_line..p_last_line of one parse attempt's inbox (caller's tenant) into the batch's
-- import_rows, in line order, and deletes them from the inbox. A row's code is the first of (0022's rules):
--   the parse's own (bad time, not a punch …);
--   employee_number   -> the tenant's person with that number, else IMPORT_ROW_UNKNOWN_EMPLOYEE;
--   DingTalk user id  -> (no employee number) its active identity link, else IMPORT_ROW_UNMAPPED_EXTERNAL_ID;
--   person_uuid       -> a person of the tenant, else IMPORT_ROW_UNKNOWN_PERSON;
--   a deactivated person: IMPORT_ROW_INACTIVE_PERSON.
-- A row without a request id (format dingtalk) is named 'import:dingtalk:<person_uuid>:<UTC minute>' (0018).
-- The batch must still be PARSING by this attempt. Its row is held (KEY SHARE) until the block's transaction ends: an
-- attempt that starts over takes it FOR UPDATE (and sets its own parse_attempt) before it removes the batch's rows, so
-- a late block of an earlier attempt either lands before that removal or is refused; it never lands after it.
-- Planned as 0022 explains: the tenant's persons and links read once and hashed, no nested loops, no JIT, whatever the
-- statistics say.
CREATE FUNCTION staffing.stage_import_block(p_import_id uuid, p_attempt uuid, p_first_line integer, p_last_line integer)
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
  v_staged integer;
BEGIN
  PERFORM FROM staffing.import_batches b
  WHERE b.import_id = p_import_id AND b.tenant_id = v_tenant AND b.status = 'PARSING' AND b.parse_attempt = p_attempt
  FOR KEY SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = format('import %s is not being parsed by attempt %s in this tenant', p_import_id, p_attempt);
  END IF;
  INSERT INTO staffing.import_rows (import_id, tenant_id, line, person_text, time_text, type_text, employee_number,
                                    external_user_id, person_uuid, punch_time, punch_type, request_id, error_code, error_detail,
                                    event_uuid, sheet_row, source_column)
  WITH persons AS MATERIALIZED (
    SELECT p.person_uuid, p.employee_number, p.active FROM person.persons p WHERE p.tenant_id = v_tenant),
  links AS MATERIALIZED (
    SELECT l.external_user_id, l.person_uuid, lp.active
    FROM person.external_identity_links l
    LEFT JOIN persons lp ON lp.person_uuid = l.person_uuid
    WHERE l.tenant_id = v_tenant AND l.provider = 'DINGTALK' AND l.unlinked_at IS NULL)
  SELECT p_import_id, v_tenant, s.line, s.person_text, s.time_text, s.type_text, s.employee_number, s.external_user_id,
         coalesce(s.person_uuid, e.person_uuid, l.person_uuid),
         s.punch_time, s.punch_type,
         -- A punch of a DingTalk export comes without a request id: it is named by its person and minute.
         coalesce(s.request_id, 'import:dingtalk:' || coalesce(e.person_uuid, l.person_uuid)::text || ':'
                                || to_char(s.punch_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')),
         CASE
           WHEN s.error_code IS NOT NULL THEN s.error_code
           WHEN s.employee_number IS NOT NULL AND e.person_uuid IS NULL THEN 'IMPORT_ROW_UNKNOWN_EMPLOYEE'
           WHEN s.external_user_id IS NOT NULL AND s.employee_number IS NULL AND l.person_uuid IS NULL
             THEN 'IMPORT_ROW_UNMAPPED_EXTERNAL_ID'
           WHEN s.person_uuid IS NOT NULL AND g.person_uuid IS NULL THEN 'IMPORT_ROW_UNKNOWN_PERSON'
           WHEN coalesce(g.active, e.active, l.active) IS FALSE THEN 'IMPORT_ROW_INACTIVE_PERSON'
         END,
         CASE
           WHEN s.error_code IS NOT NULL THEN s.error_detail
           WHEN s.employee_number IS NOT NULL AND e.person_uuid IS NULL
             THEN format('no person of this tenant has employee number %s', s.employee_number)
           WHEN s.external_user_id IS NOT NULL AND s.employee_number IS NULL AND l.person_uuid IS NULL
             THEN format('DingTalk user id %s is linked to no person (link it in identity-mapping)', s.external_user_id)
           WHEN s.person_uuid IS NOT NULL AND g.person_uuid IS NULL
             THEN format('person_uuid %s is not a person of this tenant', s.person_uuid)
           WHEN coalesce(g.active, e.active, l.active) IS FALSE THEN 'the person is deactivated'
         END,
         NULL::uuid, s.sheet_row, s.source_column
  FROM staffing.import_rows_inbox s
  LEFT JOIN persons e ON s.error_code IS NULL AND e.employee_number = s.employee_number
  LEFT JOIN links l ON s.error_code IS NULL AND s.employee_number IS NULL AND l.external_user_id = s.external_user_id
  LEFT JOIN persons g ON s.error_code IS NULL AND g.person_uuid = s.person_uuid
  WHERE s.import_id = p_import_id AND s.attempt = p_attempt AND s.tenant_id = v_tenant
    AND s.line BETWEEN p_first_line AND p_last_line
  -- In line order: the commit reads the rows a range of lines at a time.
  ORDER BY s.line;
  GET DIAGNOSTICS v_staged = ROW_COUNT;

  DELETE FROM staffing.import_rows_inbox
  WHERE import_id = p_import_id AND attempt = p_attempt AND tenant_id = v_tenant AND line BETWEEN p_first_line AND p_last_line;
  RETURN v_staged;
END;
$$;

-- Once every block is staged (the parse's last transaction, the batch row locked FOR UPDATE): among the batch's valid
-- rows, marks
--   the same person, instant and type, or the same request id, as an earlier line: IMPORT_ROW_DUPLICATE_IN_FILE, naming
--     that line (or its sheet row and column) — the keys that more than one valid row carries, with their first line,
--     by hash aggregates (0025);
--   a DingTalk export's row of a punch the ledger already has from DingTalk (the same person in the same minute, from
--     the Stream connector or an earlier import of an export): IMPORT_ROW_ALREADY_RECORDED with that event — one probe
--     per person first, then per row only for persons that have such punches (0022).
-- Returns the number of rows marked (usually none: only they are rewritten). The batch's rows are read by its primary
-- key's range and the marked rows written back through it, whatever the statistics of import_rows say (it holds every
-- batch's rows, and is never analysed while a parse runs).
CREATE FUNCTION staffing.mark_import_repeats(p_import_id uuid)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET work_mem = '64MB'
SET enable_nestloop = off
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
  v_tenant uuid := current_setting('app.current_tenant')::uuid;
  v_dingtalk boolean;
  v_lines integer[];
  v_codes text[];
  v_details text[];
  v_events uuid[];
BEGIN
  SELECT b.format = 'dingtalk' INTO v_dingtalk
  FROM staffing.import_batches b WHERE b.import_id = p_import_id AND b.tenant_id = v_tenant AND b.status = 'PARSING';
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = format('import %s is not being parsed in this tenant', p_import_id);
  END IF;

  WITH valid AS MATERIALIZED (
    SELECT r.line, r.person_uuid, r.punch_time, r.punch_type, r.request_id, r.sheet_row, r.source_column
    FROM staffing.import_rows r
    WHERE r.import_id = p_import_id AND r.tenant_id = v_tenant AND r.error_code IS NULL),
  punch_repeats AS MATERIALIZED (
    SELECT v.person_uuid, v.punch_time, v.punch_type, min(v.line) AS line
    FROM valid v GROUP BY v.person_uuid, v.punch_time, v.punch_type HAVING count(*) > 1),
  -- A request id the parse derived for a CSV row without one ('import:<this import>:<line>', ImportFormats) is unique:
  -- the line's, and no file can carry this import's id, which is drawn as the file is stored. Only the others are hashed.
  request_repeats AS MATERIALIZED (
    SELECT v.request_id, min(v.line) AS line
    FROM valid v WHERE v.request_id NOT LIKE 'import:' || p_import_id::text || ':%'
    GROUP BY v.request_id HAVING count(*) > 1),
  -- A row repeats the first line of its punch or of its request id, whichever comes first (0025's least(…) < line).
  duplicates AS MATERIALIZED (
    SELECT k.line, min(k.first_line) AS first_line
    FROM (SELECT v.line, pr.line AS first_line
          FROM valid v JOIN punch_repeats pr
            ON pr.person_uuid = v.person_uuid AND pr.punch_time = v.punch_time AND pr.punch_type = v.punch_type
          UNION ALL
          SELECT v.line, qr.line FROM valid v JOIN request_repeats qr ON qr.request_id = v.request_id) k
    WHERE k.first_line < k.line
    GROUP BY k.line),
  -- A DingTalk export's persons that have any punch from DingTalk within the file's span of their rows (one probe per
  -- person): the rows of the others need no probe of their own (an export's first import: none do).
  recorded_persons AS MATERIALIZED (
    SELECT s.person_uuid
    FROM (SELECT v.person_uuid, min(v.punch_time) AS first_at, max(v.punch_time) AS last_at FROM valid v
          WHERE v_dingtalk GROUP BY v.person_uuid) s
    -- LATERAL … LIMIT 1, not EXISTS: without nested loops the planner would make EXISTS a hash semi-join over all of
    -- the tenant's events; this can only be an index probe.
    CROSS JOIN LATERAL (
      SELECT FROM staffing.time_punch_events e
      WHERE e.tenant_id = v_tenant AND e.person_uuid = s.person_uuid
        AND e.punch_time >= date_trunc('minute', s.first_at) AND e.punch_time < date_trunc('minute', s.last_at) + interval '1 minute'
        AND (e.source_provider = 'DINGTALK' OR (e.source_provider = 'IMPORT' AND e.request_id LIKE 'import:dingtalk:%'))
      LIMIT 1) e),
  -- One DingTalk punch = one person in one minute (services/PunchLedger/Imports/README.md): the ledger's first event of
  -- the same person in the same minute that came from DingTalk, for the valid rows of recorded_persons that repeat no line.
  recorded AS MATERIALIZED (
    SELECT v.line, m.event_uuid, m.source_provider
    FROM valid v
    JOIN recorded_persons rp ON rp.person_uuid = v.person_uuid
    CROSS JOIN LATERAL (
      SELECT e.event_uuid, e.source_provider FROM staffing.time_punch_events e
      WHERE e.tenant_id = v_tenant AND e.person_uuid = v.person_uuid
        AND e.punch_time >= date_trunc('minute', v.punch_time)
        AND e.punch_time < date_trunc('minute', v.punch_time) + interval '1 minute'
        AND (e.source_provider = 'DINGTALK' OR (e.source_provider = 'IMPORT' AND e.request_id LIKE 'import:dingtalk:%'))
      ORDER BY e.id
      LIMIT 1) m
    WHERE NOT EXISTS (SELECT FROM duplicates d WHERE d.line = v.line)),
  marks AS (
    -- A duplicate names its first line (or that line's sheet row and column).
    SELECT d.line, 'IMPORT_ROW_DUPLICATE_IN_FILE' AS code,
           CASE WHEN f.sheet_row IS NULL THEN format('the same punch as line %s', d.first_line)
                ELSE format('the same punch as row %s (%s)', f.sheet_row, f.source_column) END AS detail,
           NULL::uuid AS event_uuid
    FROM duplicates d JOIN valid f ON f.line = d.first_line
    UNION ALL
    SELECT r.line, 'IMPORT_ROW_ALREADY_RECORDED',
           format('the ledger already has this DingTalk punch (same person, same minute): event %s, %s', r.event_uuid,
                  CASE WHEN r.source_provider = 'DINGTALK' THEN 'from the DingTalk connector'
                       ELSE 'from an earlier import of a DingTalk export' END),
           r.event_uuid
    FROM recorded r)
  SELECT array_agg(m.line), array_agg(m.code), array_agg(m.detail), array_agg(m.event_uuid)
    INTO v_lines, v_codes, v_details, v_events
  FROM marks m;

  IF v_lines IS NULL THEN
    RETURN 0;
  END IF;
  -- The marked rows by their keys: one probe of the primary key each (a hash join would read every batch's rows).
  PERFORM set_config('enable_nestloop', 'on', true);
  UPDATE staffing.import_rows r
  SET error_code = u.code, error_detail = u.detail, event_uuid = u.event_uuid
  FROM unnest(v_lines, v_codes, v_details, v_events) AS u(line, code, detail, event_uuid)
  WHERE r.import_id = p_import_id AND r.tenant_id = v_tenant AND r.line = u.line;
  RETURN cardinality(v_lines);
END;
$$;

DROP FUNCTION staffing.stage_import_inbox(uuid, uuid);

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.stage_import_block(uuid, uuid, integer, integer) TO punch_ledger_app;
GRANT EXECUTE ON FUNCTION staffing.mark_import_repeats(uuid) TO punch_ledger_app;
