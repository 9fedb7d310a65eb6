-- The import parse's whole-file marks in one pass over the batch's valid rows, and ImportCommitted's persons and dates
-- from that pass instead of a scan at the end of the commit.
--
-- mark_import_repeats (0031) materialized the valid rows (seven columns, 100,000 rows: ~85 ms of its ~215 for the
-- benchmark's DingTalk workbook, measured by hand on a private server) and hashed them once per kind of key. Now one
-- scan feeds one hash aggregate with grouping sets: by person (the person's first and last punch), by punch key (our
-- CSV: person, instant and type; a DingTalk export: person and UTC minute, 0031) and by request id (our CSV's ids that
-- the file brought). Only when some key is carried by more than one row (usually none is) are the rows read again to
-- mark the repeats; only when a person already has DingTalk punches in the export's span (usually none has) are that
-- person's rows probed one by one. Same codes, details, first lines and events as 0031.
--
-- The pass's by-person groups are also the batch's valid persons and the span of their punches: when it marks nothing
-- they are kept on the batch (valid_persons, valid_first_punch_at, valid_last_punch_at), and announce_import_committed
-- takes them when the commit accepted every valid row — the usual case — instead of grouping the batch's rows once more
-- while the commit's last transaction waits (~135 ms per 100,000 rows, 0032). Otherwise (a row marked, a row the door
-- did not accept, a batch parsed before this migration) it groups them as 0032 does.
-- Measured in bench/Import.Benchmarks/README.md, "stop 34".

ALTER TABLE staffing.import_batches
  ADD COLUMN valid_persons integer,
  ADD COLUMN valid_first_punch_at timestamptz,
  ADD COLUMN valid_last_punch_at timestamptz;
COMMENT ON COLUMN staffing.import_batches.valid_persons IS
  'persons of the valid rows, when the parse marked no row (mark_import_repeats, 0034); NULL otherwise';

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
  v_derived_ids text;
  v_persons uuid[];
  v_first_at timestamptz[];
  v_last_at timestamptz[];
  v_key_persons uuid[];
  v_key_ats timestamptz[];
  v_key_types text[];
  v_key_lines integer[];
  v_request_ids text[];
  v_request_lines integer[];
  v_recorded_persons uuid[];
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
  -- A request id the parse derived for a CSV row without one ('import:<this import>:<line>', ImportFormats) is unique:
  -- the line's, and no file can carry this import's id, which is drawn as the file is stored. Only the others are keys.
  v_derived_ids := 'import:' || p_import_id::text || ':%';

  -- The one pass. A row's punch key: our CSV's person, instant and type; a DingTalk export's person and UTC minute — its
  -- request id is 'import:dingtalk:<person>:<UTC minute>' and the same person and instant is the same minute (0031).
  -- A group is kept when it is a person's, or when more than one row carries its key.
  WITH groups AS (
    SELECT GROUPING(r.person_uuid) = 1 AS by_request, GROUPING(r.person_uuid, k.punch_at) = 1 AS by_person,
           r.person_uuid, k.punch_at, k.punch_type, k.request_id,
           min(r.line) AS first_line, min(r.punch_time) AS first_at, max(r.punch_time) AS last_at
    FROM staffing.import_rows r
    CROSS JOIN LATERAL (
      SELECT CASE WHEN v_dingtalk THEN date_trunc('minute', r.punch_time, 'UTC') ELSE r.punch_time END AS punch_at,
             CASE WHEN v_dingtalk THEN NULL ELSE r.punch_type END AS punch_type,
             CASE WHEN NOT v_dingtalk AND r.request_id NOT LIKE v_derived_ids THEN r.request_id END AS request_id) k
    WHERE r.import_id = p_import_id AND r.tenant_id = v_tenant AND r.error_code IS NULL
    GROUP BY GROUPING SETS ((r.person_uuid), (r.person_uuid, k.punch_at, k.punch_type), (k.request_id))
    HAVING CASE WHEN GROUPING(r.person_uuid) = 1 THEN count(*) > 1 AND k.request_id IS NOT NULL
                WHEN GROUPING(k.punch_at) = 1 THEN true
                ELSE count(*) > 1 END)
  SELECT array_agg(g.person_uuid) FILTER (WHERE g.by_person),
         array_agg(g.first_at) FILTER (WHERE g.by_person),
         array_agg(g.last_at) FILTER (WHERE g.by_person),
         array_agg(g.person_uuid) FILTER (WHERE NOT g.by_person AND NOT g.by_request),
         array_agg(g.punch_at) FILTER (WHERE NOT g.by_person AND NOT g.by_request),
         array_agg(g.punch_type) FILTER (WHERE NOT g.by_person AND NOT g.by_request),
         array_agg(g.first_line) FILTER (WHERE NOT g.by_person AND NOT g.by_request),
         array_agg(g.request_id) FILTER (WHERE g.by_request),
         array_agg(g.first_line) FILTER (WHERE g.by_request)
    INTO v_persons, v_first_at, v_last_at, v_key_persons, v_key_ats, v_key_types, v_key_lines, v_request_ids, v_request_lines
  FROM groups g;

  -- A DingTalk export's persons that have any punch from DingTalk within the file's span of their rows (one probe per
  -- person; an export's first import: none).
  IF v_dingtalk THEN
    SELECT array_agg(s.person_uuid) INTO v_recorded_persons
    FROM unnest(v_persons, v_first_at, v_last_at) AS s(person_uuid, first_at, last_at)
    -- LATERAL … LIMIT 1, not EXISTS: without nested loops the planner would make EXISTS a hash semi-join over all of
    -- the tenant's events; this can only be an index probe.
    CROSS JOIN LATERAL (
      SELECT FROM staffing.time_punch_events e
      WHERE e.tenant_id = v_tenant AND e.person_uuid = s.person_uuid
        AND e.punch_time >= date_trunc('minute', s.first_at) AND e.punch_time < date_trunc('minute', s.last_at) + interval '1 minute'
        AND (e.source_provider = 'DINGTALK' OR (e.source_provider = 'IMPORT' AND e.request_id LIKE 'import:dingtalk:%'))
      LIMIT 1) e;
  END IF;

  IF v_key_lines IS NOT NULL OR v_request_lines IS NOT NULL OR v_recorded_persons IS NOT NULL THEN
    WITH
    -- A row repeats the first line of its punch key or of its request id, whichever comes first (0025's least(…) < line).
    duplicates AS MATERIALIZED (
      SELECT k.line, min(k.first_line) AS first_line
      FROM (SELECT r.line, x.first_line
            FROM staffing.import_rows r
            JOIN unnest(v_key_persons, v_key_ats, v_key_types, v_key_lines) AS x(person_uuid, punch_at, punch_type, first_line)
              ON x.person_uuid = r.person_uuid
             AND x.punch_at = CASE WHEN v_dingtalk THEN date_trunc('minute', r.punch_time, 'UTC') ELSE r.punch_time END
             AND x.punch_type IS NOT DISTINCT FROM CASE WHEN v_dingtalk THEN NULL ELSE r.punch_type END
            WHERE r.import_id = p_import_id AND r.tenant_id = v_tenant AND r.error_code IS NULL AND v_key_lines IS NOT NULL
            UNION ALL
            SELECT r.line, x.first_line
            FROM staffing.import_rows r
            JOIN unnest(v_request_ids, v_request_lines) AS x(request_id, first_line) ON x.request_id = r.request_id
            WHERE r.import_id = p_import_id AND r.tenant_id = v_tenant AND r.error_code IS NULL AND v_request_lines IS NOT NULL) k
      WHERE k.first_line < k.line
      GROUP BY k.line),
    -- One DingTalk punch = one person in one minute (services/PunchLedger/Imports/README.md): the ledger's first event of
    -- the same person in the same minute that came from DingTalk, for the valid rows of the recorded persons that repeat
    -- no line.
    recorded AS MATERIALIZED (
      SELECT r.line, m.event_uuid, m.source_provider
      FROM staffing.import_rows r
      JOIN unnest(v_recorded_persons) AS rp(person_uuid) ON rp.person_uuid = r.person_uuid
      CROSS JOIN LATERAL (
        SELECT e.event_uuid, e.source_provider FROM staffing.time_punch_events e
        WHERE e.tenant_id = v_tenant AND e.person_uuid = r.person_uuid
          AND e.punch_time >= date_trunc('minute', r.punch_time)
          AND e.punch_time < date_trunc('minute', r.punch_time) + interval '1 minute'
          AND (e.source_provider = 'DINGTALK' OR (e.source_provider = 'IMPORT' AND e.request_id LIKE 'import:dingtalk:%'))
        ORDER BY e.id
        LIMIT 1) m
      WHERE r.import_id = p_import_id AND r.tenant_id = v_tenant AND r.error_code IS NULL AND v_recorded_persons IS NOT NULL
        AND NOT EXISTS (SELECT FROM duplicates d WHERE d.line = r.line)),
    marks AS (
      -- A duplicate names its first line (or that line's sheet row and column).
      SELECT d.line, 'IMPORT_ROW_DUPLICATE_IN_FILE' AS code,
             CASE WHEN f.sheet_row IS NULL THEN format('the same punch as line %s', d.first_line)
                  ELSE format('the same punch as row %s (%s)', f.sheet_row, f.source_column) END AS detail,
             NULL::uuid AS event_uuid
      FROM duplicates d
      JOIN staffing.import_rows f ON f.import_id = p_import_id AND f.tenant_id = v_tenant AND f.line = d.first_line
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
  END IF;

  -- The valid persons and their punches' span, for ImportCommitted, while they are the pass's (nothing marked).
  UPDATE staffing.import_batches b
  SET valid_persons = CASE WHEN v_lines IS NULL THEN coalesce(cardinality(v_persons), 0) END,
      valid_first_punch_at = CASE WHEN v_lines IS NULL THEN (SELECT min(t) FROM unnest(v_first_at) AS t) END,
      valid_last_punch_at = CASE WHEN v_lines IS NULL THEN (SELECT max(t) FROM unnest(v_last_at) AS t) END
  WHERE b.import_id = p_import_id AND b.tenant_id = v_tenant;

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

-- 0032's function and payload; the persons and dates come from the parse's pass (above) when the commit accepted every
-- valid row and the parse marked none.
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
  b staffing.import_batches;
  v_persons integer;
  v_from_date date;
  v_to_date date;
BEGIN
  SELECT * INTO b FROM staffing.import_batches x WHERE x.import_id = p_import_id AND x.status = 'COMMITTED';
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = format('import %s is not committed in this tenant', p_import_id);
  END IF;
  IF b.valid_persons IS NOT NULL AND b.rows_accepted = b.rows_valid THEN
    v_persons := b.valid_persons;
    v_from_date := staffing.work_date_of(b.valid_first_punch_at) - 1;
    v_to_date := staffing.work_date_of(b.valid_last_punch_at);
  ELSE
    SELECT count(p.person_uuid), staffing.work_date_of(min(p.first_at)) - 1, staffing.work_date_of(max(p.last_at))
      INTO v_persons, v_from_date, v_to_date
    FROM (SELECT r.person_uuid, min(r.punch_time) AS first_at, max(r.punch_time) AS last_at
          FROM staffing.import_rows r
          -- (every valid row went to the door; a batch committed before 0024 has its outcome in the row)
          WHERE r.import_id = p_import_id AND r.error_code IS NULL AND coalesce(r.outcome, 'ACCEPTED') = 'ACCEPTED'
            AND NOT EXISTS (SELECT FROM staffing.import_row_outcomes o
                            WHERE o.import_id = r.import_id AND o.line = r.line AND o.outcome <> 'ACCEPTED')
          GROUP BY r.person_uuid) p;
  END IF;
  INSERT INTO staffing.outbox (tenant_id, announcements)
  VALUES (v_tenant, jsonb_build_array(jsonb_build_object('type', 'ImportCommitted', 'payload', jsonb_build_object(
    'import_id', b.import_id, 'format', b.format, 'file_name', b.file_name, 'file_sha256', b.file_sha256,
    'idempotency_key', b.idempotency_key, 'committed_by', b.committed_by, 'committed_at', b.committed_at,
    'rows_read', b.rows_read, 'rows_invalid', b.rows_invalid, 'rows_accepted', b.rows_accepted,
    'rows_duplicate', b.rows_duplicate, 'rows_rejected', b.rows_rejected,
    'persons', v_persons, 'from_date', v_from_date, 'to_date', v_to_date))));
END;
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.mark_import_repeats(uuid) TO punch_ledger_app;
GRANT EXECUTE ON FUNCTION staffing.announce_import_committed(uuid) TO punch_ledger_app;
