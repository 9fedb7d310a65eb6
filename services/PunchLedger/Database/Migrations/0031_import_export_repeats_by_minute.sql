-- The import parse's whole-file marks (mark_import_repeats, 0028) for a DingTalk export: its rows' duplicates found by
-- one hash of (person, UTC minute) instead of two, one of them over the request ids' text. auto_explain of the statement
-- for the benchmark's 100,000-row workbook: the punch-key hash ~85 ms and the request-id hash ~97 ms of ~330 ms
-- (bench/Import.Benchmarks/README.md, "2026-12-06 (stop 31)"). Our CSV format is marked as before. Same codes, details
-- and first lines; only the function's body changes.

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
CREATE OR REPLACE FUNCTION staffing.mark_import_repeats(p_import_id uuid)
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
    FROM valid v WHERE NOT v_dingtalk GROUP BY v.person_uuid, v.punch_time, v.punch_type HAVING count(*) > 1),
  -- A request id the parse derived for a CSV row without one ('import:<this import>:<line>', ImportFormats) is unique:
  -- the line's, and no file can carry this import's id, which is drawn as the file is stored. Only the others are hashed.
  request_repeats AS MATERIALIZED (
    SELECT v.request_id, min(v.line) AS line
    FROM valid v WHERE NOT v_dingtalk AND v.request_id NOT LIKE 'import:' || p_import_id::text || ':%'
    GROUP BY v.request_id HAVING count(*) > 1),
  -- A DingTalk export's row never brings a request id: the staging named it 'import:dingtalk:<person>:<UTC minute>', a
  -- function of its person and minute, and the same person and instant (the punch key) is the same minute. So its
  -- repeats are those of (person, UTC minute), hashed as a uuid and a timestamp (0031) instead of the two keys above,
  -- one of them the id's ~70 characters of text: the same rows and first lines.
  minute_repeats AS MATERIALIZED (
    SELECT v.person_uuid, date_trunc('minute', v.punch_time AT TIME ZONE 'UTC') AS utc_minute, min(v.line) AS line
    FROM valid v WHERE v_dingtalk
    GROUP BY v.person_uuid, date_trunc('minute', v.punch_time AT TIME ZONE 'UTC') HAVING count(*) > 1),
  -- A row repeats the first line of its punch or of its request id, whichever comes first (0025's least(…) < line).
  duplicates AS MATERIALIZED (
    SELECT k.line, min(k.first_line) AS first_line
    FROM (SELECT v.line, pr.line AS first_line
          FROM valid v JOIN punch_repeats pr
            ON pr.person_uuid = v.person_uuid AND pr.punch_time = v.punch_time AND pr.punch_type = v.punch_type
          UNION ALL
          SELECT v.line, qr.line FROM valid v JOIN request_repeats qr ON qr.request_id = v.request_id
          UNION ALL
          SELECT v.line, mr.line
          FROM valid v JOIN minute_repeats mr
            ON mr.person_uuid = v.person_uuid AND mr.utc_minute = date_trunc('minute', v.punch_time AT TIME ZONE 'UTC')) k
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

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.mark_import_repeats(uuid) TO punch_ledger_app;
