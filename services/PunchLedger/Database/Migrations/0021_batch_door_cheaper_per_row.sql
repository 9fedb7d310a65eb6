-- The batch door, cheaper per row (issue 13 item 7: ≥ 60,000 punches/s on import-shaped batches). Same signatures,
-- answers, events, results, outbox rows and audit entries as 0010's door (behind 0008's person check); only what each
-- row costs changes. Measured with the backend's own CPU time per 1,000-row import-shaped call
-- (bench/PunchLedger.Benchmarks/README.md, "2026-12-04 (late)"), the parts that were cut:
--   * event UUIDs: the column default draws a strong random UUID and does numeric time arithmetic for every row;
--     a batch now draws one time-ordered UUID and numbers its rows in the last 12 bits (below);
--   * in-batch repeats: two window functions (two sorts of the batch by text keys) found the rows that share a key;
--     a hash aggregate over the keys now lists the repeated ones, usually none;
--   * the insert: ON CONFLICT DO NOTHING probed all four unique indexes before each row; a row without a
--     source_event_id now names its only possible conflict, the request_id (one probe);
--   * the days a batch touches: the time zone arithmetic ran six times per row, now three times;
--   * the person check of 0008: a batch whose persons are all active (the common case) no longer joins its rows
--     to the persons' states; only a batch with a refused person takes 0008's per-row path;
--   * the projection (shared with the single door and the rebuild): each day's punches are aggregated in the
--     index's order instead of being sorted twice per day.

-- ---------------------------------------------------------------------------------------------------
-- Event UUIDs for a batch
-- ---------------------------------------------------------------------------------------------------

-- The UUID of a batch's row p_ordinal (1..4095), given p_stem = left(staffing.time_ordered_uuid()::text, 33), drawn
-- once per batch: the batch's 48-bit millisecond, version 7, 62 random bits (rand_a's 12 and 50 of rand_b's, as
-- staffing.time_ordered_uuid drew them), and the ordinal in rand_b's last 12 bits (a counter, RFC 9562 §6.2
-- method 1). Unique within the batch by the ordinal, across batches by the millisecond and the random bits; the
-- unique index stays the backstop (a collision would fail the call, and its retry draws a new stem). Inlined (plain
-- SQL, no SET).
CREATE FUNCTION staffing.batch_event_uuid(p_stem text, p_ordinal bigint)
RETURNS uuid
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$ SELECT (p_stem || lpad(to_hex(p_ordinal), 3, '0'))::uuid $$;


-- ---------------------------------------------------------------------------------------------------
-- The batch door (internal; 0008's door checks the persons and calls it)
-- ---------------------------------------------------------------------------------------------------

-- 0010's door, same signature and answers. What differs is said where it differs; the rest is 0010's text.
CREATE OR REPLACE FUNCTION staffing.submit_time_punch_events_any_person(
  p_tenant_id uuid,
  p_person_uuids uuid[],
  p_punch_times timestamptz[],
  p_punch_types text[],
  p_source_providers text[],
  p_source_event_ids text[],
  p_request_ids text[],
  p_payloads jsonb[],
  p_initiator_id text)
RETURNS TABLE(ordinal int, event_id bigint, event_uuid uuid, outcome text, error_code text)
LANGUAGE plpgsql
AS $$
DECLARE
  v_n integer := cardinality(p_request_ids);
  v_sequence regclass;
  v_ids bigint[];
  v_uuid_stem text;
  v_repeated_request_ids text[];
  v_repeated_source_event_ids text[];
  v_event_id bigint[];
  v_event_uuid uuid[];
  v_outcome text[];
  v_error text[];
  v_unresolved integer;
  v_one_id bigint;
  v_one_uuid uuid;
  v_one_outcome text;
  v_days integer;
  r record;
BEGIN
  PERFORM staffing.assert_current_tenant(p_tenant_id);
  IF v_n IS NULL
     OR cardinality(p_person_uuids) IS DISTINCT FROM v_n
     OR cardinality(p_punch_times) IS DISTINCT FROM v_n
     OR cardinality(p_punch_types) IS DISTINCT FROM v_n
     OR cardinality(p_source_providers) IS DISTINCT FROM v_n
     OR cardinality(p_source_event_ids) IS DISTINCT FROM v_n
     OR cardinality(p_payloads) IS DISTINCT FROM v_n THEN
    RAISE EXCEPTION USING
      MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = 'the punch arrays must all be given and have the same length';
  END IF;
  IF v_n > 1000 THEN
    RAISE EXCEPTION USING
      MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = format('a batch holds at most 1000 punches, got %s', v_n);
  END IF;
  IF v_n = 0 THEN
    RETURN;
  END IF;
  IF array_ndims(p_person_uuids) <> 1 OR array_ndims(p_punch_times) <> 1 OR array_ndims(p_punch_types) <> 1
     OR array_ndims(p_source_providers) <> 1 OR array_ndims(p_source_event_ids) <> 1
     OR array_ndims(p_request_ids) <> 1 OR array_ndims(p_payloads) <> 1 THEN
    RAISE EXCEPTION USING
      MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = 'the punch arrays must be one-dimensional';
  END IF;

  -- The persons' locks, in ascending order, before anything is written (0005_kernel.sql).
  PERFORM count(staffing.lock_attendance_person(p_tenant_id, x.person_uuid))
  FROM (SELECT DISTINCT u.person_uuid
        FROM unnest(p_person_uuids) AS u(person_uuid)
        WHERE u.person_uuid IS NOT NULL
        ORDER BY u.person_uuid) x;

  -- Row k's event id, if it is recorded: the k-th of n ids drawn now, after the locks (0010).
  v_sequence := pg_get_serial_sequence('staffing.time_punch_events', 'id')::regclass;
  v_ids := ARRAY(SELECT nextval(v_sequence) FROM generate_series(1, v_n));
  -- Row k's event UUID on the fast path: staffing.batch_event_uuid(v_uuid_stem, k).
  v_uuid_stem := left(staffing.time_ordered_uuid()::text, 33);

  -- The keys that more than one row carries (usually none), by hashing, where 0010 sorted the batch twice by window.
  -- Invalid rows count too, and a source_event_id repeated under two providers does: a valid row that only looks
  -- repeated so goes the row-by-row path below, which answers it as the fast path would have.
  SELECT ARRAY(SELECT u.request_id FROM unnest(p_request_ids) AS u(request_id)
               GROUP BY u.request_id HAVING count(*) > 1),
         ARRAY(SELECT u.source_event_id FROM unnest(p_source_event_ids) AS u(source_event_id)
               WHERE u.source_event_id IS NOT NULL
               GROUP BY u.source_event_id HAVING count(*) > 1)
    INTO v_repeated_request_ids, v_repeated_source_event_ids;

  -- Fast path, set-based: valid rows whose keys no other row of the batch carries cannot influence each other. Rows
  -- left unresolved (in-batch repeats, keys that already exist) go through the row-by-row path below, in ordinal
  -- order, with their own ids. The ids and UUIDs are given, so the insert's order decides nothing.
  --
  -- 0010 inserted them with ON CONFLICT DO NOTHING, whose arbiters are all four unique indexes: four probes before
  -- each row. The id (drawn from the sequence) and the UUID (unique in the batch, random across batches) cannot be
  -- taken already, so a row without a source_event_id names its one possible conflict, the request_id; a row with
  -- one still lets every unique index decide (its provider + source_event_id may be stored under another request_id).
  -- The two inserts are one statement, so the audit log's statement trigger (0019) still writes one entry for them.
  WITH input AS (
    SELECT i.ord::int AS ord, i.person_uuid, i.punch_time, i.punch_type, i.source_provider,
           i.source_event_id, i.request_id, coalesce(i.payload, '{}'::jsonb) AS payload,
           staffing.punch_argument_problem(i.person_uuid, i.punch_time, i.punch_type, i.source_provider,
                                           i.source_event_id, i.request_id, i.payload) IS NOT NULL AS invalid
    FROM unnest(p_person_uuids, p_punch_times, p_punch_types, p_source_providers, p_source_event_ids,
                p_request_ids, p_payloads)
           WITH ORDINALITY AS i(person_uuid, punch_time, punch_type, source_provider, source_event_id,
                                request_id, payload, ord)
  ),
  independent AS (
    SELECT x.*
    FROM input x
    WHERE NOT x.invalid
      AND x.request_id <> ALL (v_repeated_request_ids)
      AND (x.source_event_id IS NULL OR x.source_event_id <> ALL (v_repeated_source_event_ids))
  ),
  inserted_without_source AS (
    INSERT INTO staffing.time_punch_events AS e
      (id, event_uuid, tenant_id, person_uuid, punch_time, punch_type, source_provider, source_event_id,
       request_id, payload, initiator_id)
    OVERRIDING SYSTEM VALUE
    SELECT v_ids[f.ord], staffing.batch_event_uuid(v_uuid_stem, f.ord), p_tenant_id, f.person_uuid, f.punch_time,
           f.punch_type, f.source_provider, f.source_event_id, f.request_id, f.payload, p_initiator_id
    FROM independent f
    WHERE f.source_event_id IS NULL
    ON CONFLICT (tenant_id, request_id) WHERE request_id IS NOT NULL DO NOTHING
    RETURNING e.id, e.event_uuid
  ),
  inserted_with_source AS (
    INSERT INTO staffing.time_punch_events AS e
      (id, event_uuid, tenant_id, person_uuid, punch_time, punch_type, source_provider, source_event_id,
       request_id, payload, initiator_id)
    OVERRIDING SYSTEM VALUE
    SELECT v_ids[f.ord], staffing.batch_event_uuid(v_uuid_stem, f.ord), p_tenant_id, f.person_uuid, f.punch_time,
           f.punch_type, f.source_provider, f.source_event_id, f.request_id, f.payload, p_initiator_id
    FROM independent f
    WHERE f.source_event_id IS NOT NULL
    ON CONFLICT DO NOTHING
    RETURNING e.id, e.event_uuid
  )
  SELECT array_agg(n.id ORDER BY i.ord),
         array_agg(n.event_uuid ORDER BY i.ord),
         array_agg(CASE WHEN i.invalid THEN 'REJECTED' WHEN n.id IS NOT NULL THEN 'ACCEPTED' END ORDER BY i.ord),
         array_agg(CASE WHEN i.invalid THEN 'STAFFING_INVALID_ARGUMENT' END ORDER BY i.ord),
         count(*) FILTER (WHERE NOT i.invalid AND n.id IS NULL)
    INTO v_event_id, v_event_uuid, v_outcome, v_error, v_unresolved
  FROM input i
  LEFT JOIN (SELECT w.id, w.event_uuid FROM inserted_without_source w
             UNION ALL
             SELECT s.id, s.event_uuid FROM inserted_with_source s) n ON n.id = v_ids[i.ord];

  IF v_unresolved > 0 THEN
    FOR r IN
      SELECT u.*
      FROM unnest(p_person_uuids, p_punch_times, p_punch_types, p_source_providers, p_source_event_ids,
                  p_request_ids, p_payloads, v_outcome)
             WITH ORDINALITY AS u(person_uuid, punch_time, punch_type, source_provider, source_event_id,
                                  request_id, payload, outcome, ord)
      WHERE u.outcome IS NULL
      ORDER BY u.ord
    LOOP
      SELECT s.o_event_id, s.o_event_uuid, s.o_outcome
        INTO v_one_id, v_one_uuid, v_one_outcome
      FROM staffing.store_time_punch_event_with_id(
             v_ids[r.ord], p_tenant_id, r.person_uuid, r.punch_time, r.punch_type, r.source_provider,
             r.source_event_id, r.request_id, coalesce(r.payload, '{}'::jsonb), p_initiator_id) s;
      IF v_one_outcome = 'CONFLICT' THEN
        v_outcome[r.ord] := 'REJECTED';
        v_error[r.ord] := 'STAFFING_IDEMPOTENCY_CONFLICT';
      ELSE
        v_outcome[r.ord] := v_one_outcome;
        v_event_id[r.ord] := v_one_id;
        v_event_uuid[r.ord] := v_one_uuid;
      END IF;
    END LOOP;
  END IF;

  -- The days of the accepted punches, as 0010 computes them (each punch's local date and the day before; a day the
  -- punch is outside of is only computed when it has no result yet), with each punch's local date computed once
  -- instead of four times (time zone arithmetic is most of this statement's cost). MATERIALIZED keeps the planner
  -- from copying the expression back into every place that reads the column.
  WITH accepted AS MATERIALIZED (
    SELECT a.person_uuid, a.punch_time, staffing.work_date_of(a.punch_time) AS work_date
    FROM unnest(p_person_uuids, p_punch_times, v_outcome) AS a(person_uuid, punch_time, outcome)
    WHERE a.outcome = 'ACCEPTED'
  )
  SELECT staffing.project_daily_attendance_results(
           p_tenant_id,
           array_agg(k.person_uuid),
           array_agg(k.work_date),
           array_agg(k.only_if_missing),
           (SELECT array_agg(a.event_id ORDER BY a.ord)
            FROM unnest(v_event_id, v_outcome) WITH ORDINALITY AS a(event_id, outcome, ord)
            WHERE a.outcome = 'ACCEPTED'))
    INTO v_days
  FROM (SELECT a.person_uuid, d.work_date, bool_and(d.outside) AS only_if_missing
        FROM accepted a
        CROSS JOIN LATERAL (VALUES
          (a.work_date - 1, a.punch_time >= staffing.window_end_of(a.work_date - 1)),
          (a.work_date, a.punch_time < staffing.window_start_of(a.work_date))
        ) AS d(work_date, outside)
        GROUP BY a.person_uuid, d.work_date) k;

  RETURN QUERY
    SELECT o.ord::int, o.event_id, o.event_uuid, o.outcome, o.error_code
    FROM unnest(v_event_id, v_event_uuid, v_outcome, v_error)
           WITH ORDINALITY AS o(event_id, event_uuid, outcome, error_code, ord)
    ORDER BY o.ord;
END;
$$;

-- ---------------------------------------------------------------------------------------------------
-- The batch door (0008's person check)
-- ---------------------------------------------------------------------------------------------------

-- 0008's door, same signature and answers. It asks about each distinct person first (one probe each); when none of
-- them is refused, which is every batch of active persons, the batch goes to the door as it came, without joining
-- its rows to the persons' states. Otherwise the rows are sorted out exactly as 0008 does.
CREATE OR REPLACE FUNCTION staffing.submit_time_punch_events(
  p_tenant_id uuid,
  p_person_uuids uuid[],
  p_punch_times timestamptz[],
  p_punch_types text[],
  p_source_providers text[],
  p_source_event_ids text[],
  p_request_ids text[],
  p_payloads jsonb[],
  p_initiator_id text)
RETURNS TABLE(ordinal int, event_id bigint, event_uuid uuid, outcome text, error_code text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, staffing
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_refusals text[];    -- per row: the person's refusal code, or NULL when the row goes to the old door
  v_passed bigint[];    -- the ordinals of the rows that go to the old door, in order
BEGIN
  -- The old door checks the tenant and the arrays' shapes again; these guard the lookups below (a
  -- mis-shaped batch goes to the old door untouched, which refuses it).
  PERFORM staffing.assert_current_tenant(p_tenant_id);
  IF cardinality(p_person_uuids) > 0
     AND array_ndims(p_person_uuids) = 1
     AND cardinality(p_person_uuids) = ALL (ARRAY[cardinality(p_punch_times), cardinality(p_punch_types),
           cardinality(p_source_providers), cardinality(p_source_event_ids), cardinality(p_request_ids),
           cardinality(p_payloads)])
     AND cardinality(p_person_uuids) <= 1000
     -- Some person is refused (or missing: a NULL person_uuid is sorted out below as a bad argument). OFFSET 0
     -- keeps the probe above the DISTINCT: pushed below it, it ran once per row instead of once per person.
     AND EXISTS (SELECT 1
                 FROM (SELECT DISTINCT u.person_uuid FROM unnest(p_person_uuids) AS u(person_uuid) OFFSET 0) d
                 WHERE staffing.person_refusal_code(staffing.person_state(p_tenant_id, d.person_uuid)) IS NOT NULL) THEN
    -- Each distinct person once; rows with a bad argument or an already recorded key are not refused here.
    SELECT array_agg(
             CASE WHEN s.refusal IS NULL THEN NULL -- the common case: no further probe
                  WHEN staffing.punch_argument_problem(i.person_uuid, i.punch_time, i.punch_type, i.source_provider,
                                                       i.source_event_id, i.request_id, i.payload) IS NOT NULL THEN NULL
                  WHEN staffing.punch_key_recorded(p_tenant_id, i.source_provider, i.source_event_id, i.request_id) THEN NULL
                  ELSE s.refusal END
             ORDER BY i.ord)
      INTO v_refusals
    FROM unnest(p_person_uuids, p_punch_times, p_punch_types, p_source_providers, p_source_event_ids,
                p_request_ids, p_payloads)
           WITH ORDINALITY AS i(person_uuid, punch_time, punch_type, source_provider, source_event_id,
                                request_id, payload, ord)
    LEFT JOIN (SELECT d.person_uuid, staffing.person_refusal_code(staffing.person_state(p_tenant_id, d.person_uuid)) AS refusal
               FROM (SELECT DISTINCT u.person_uuid FROM unnest(p_person_uuids) AS u(person_uuid)) d) s
      ON s.person_uuid = i.person_uuid;
  END IF;

  IF coalesce(cardinality(array_remove(v_refusals, NULL)), 0) = 0 THEN
    RETURN QUERY
      SELECT * FROM staffing.submit_time_punch_events_any_person(p_tenant_id, p_person_uuids, p_punch_times,
        p_punch_types, p_source_providers, p_source_event_ids, p_request_ids, p_payloads, p_initiator_id);
    RETURN;
  END IF;

  SELECT coalesce(array_agg(r.ord ORDER BY r.ord) FILTER (WHERE r.refusal IS NULL), '{}')
    INTO v_passed
  FROM unnest(v_refusals) WITH ORDINALITY AS r(refusal, ord);

  RETURN QUERY
    WITH passed AS (
      SELECT o.ordinal, o.event_id, o.event_uuid, o.outcome, o.error_code
      FROM staffing.submit_time_punch_events_any_person(
             p_tenant_id,
             ARRAY(SELECT p_person_uuids[k] FROM unnest(v_passed) WITH ORDINALITY AS x(k, n) ORDER BY n),
             ARRAY(SELECT p_punch_times[k] FROM unnest(v_passed) WITH ORDINALITY AS x(k, n) ORDER BY n),
             ARRAY(SELECT p_punch_types[k] FROM unnest(v_passed) WITH ORDINALITY AS x(k, n) ORDER BY n),
             ARRAY(SELECT p_source_providers[k] FROM unnest(v_passed) WITH ORDINALITY AS x(k, n) ORDER BY n),
             ARRAY(SELECT p_source_event_ids[k] FROM unnest(v_passed) WITH ORDINALITY AS x(k, n) ORDER BY n),
             ARRAY(SELECT p_request_ids[k] FROM unnest(v_passed) WITH ORDINALITY AS x(k, n) ORDER BY n),
             ARRAY(SELECT p_payloads[k] FROM unnest(v_passed) WITH ORDINALITY AS x(k, n) ORDER BY n),
             p_initiator_id) o
    )
    SELECT v_passed[p.ordinal]::int, p.event_id, p.event_uuid, p.outcome, p.error_code
    FROM passed p
    UNION ALL
    SELECT r.ord::int, NULL::bigint, NULL::uuid, 'REJECTED'::text, r.refusal
    FROM unnest(v_refusals) WITH ORDINALITY AS r(refusal, ord)
    WHERE r.refusal IS NOT NULL
    ORDER BY 1;
END;
$$;

-- ---------------------------------------------------------------------------------------------------
-- The projection (shared by both doors and the rebuild)
-- ---------------------------------------------------------------------------------------------------

-- 0005's projection, same signature and writes; only the reading of each day's punches differs (said there).
CREATE OR REPLACE FUNCTION staffing.project_daily_attendance_results(
  p_tenant_id uuid,
  p_person_uuids uuid[],
  p_work_dates date[],
  p_only_if_missing boolean[],
  p_event_ids bigint[])
RETURNS integer
LANGUAGE plpgsql
AS $$
DECLARE
  v_days integer;
BEGIN
  WITH day AS (
    SELECT u.person_uuid, u.work_date, s.ruleset_version IS NOT NULL AS stored, s.ctid AS stored_ctid,
           s.ruleset_version, s.status, s.flags, s.first_in_time, s.last_out_time, s.worked_minutes,
           s.late_minutes, s.early_leave_minutes, s.input_punch_count, s.input_max_punch_event_db_id,
           s.input_max_punch_time
    FROM unnest(p_person_uuids, p_work_dates, p_only_if_missing) AS u(person_uuid, work_date, only_if_missing)
    -- LATERAL: one key lookup per day, never a join against all of the tenant's results.
    LEFT JOIN LATERAL (
      SELECT s.ctid, s.*
      FROM staffing.daily_attendance_results s
      WHERE s.tenant_id = p_tenant_id AND s.person_uuid = u.person_uuid AND s.work_date = u.work_date
      LIMIT 1 -- (at most one row anyway) keeps the planner from flattening this into a join
    ) s ON true
    WHERE u.only_if_missing IS NOT TRUE OR s.ruleset_version IS NULL
  ),
  result AS (
    SELECT d.person_uuid, d.work_date, d.stored, d.stored_ctid,
           (d.status, d.flags, d.worked_minutes, d.late_minutes, d.early_leave_minutes, d.first_in_time,
            d.last_out_time)
             IS DISTINCT FROM
           (r.status, r.flags, r.worked_minutes, r.late_minutes, r.early_leave_minutes, r.first_in_time,
            r.last_out_time) AS changed,
           (d.ruleset_version, d.input_punch_count, d.input_max_punch_event_db_id, d.input_max_punch_time)
             IS DISTINCT FROM
           ('STANDARD_SHIFT_V1', r.input_punch_count, r.input_max_punch_event_db_id, r.input_max_punch_time)
             AS recounted,
           r.*
    FROM day d
    -- One index range scan per day, on (tenant_id, person_uuid, punch_time, id); LATERAL keeps the
    -- plan that way whatever the statistics say (a plan cached while the ledger was small must not
    -- turn into a scan of the tenant's whole ledger later).
    -- The punches come in (punch_time, id) order from the ordered subquery (the index's own order: no sort), and the
    -- aggregates take them in that order; array_agg(… ORDER BY …) sorted every day's punches twice more.
    CROSS JOIN LATERAL (
      SELECT array_agg(w.punch_time) AS punch_times,
             array_agg(w.punch_type) AS punch_types,
             max(w.id) AS max_event_id
      FROM (SELECT e.punch_time, e.punch_type, e.id
            FROM staffing.time_punch_events e
            WHERE e.tenant_id = p_tenant_id
              AND e.person_uuid = d.person_uuid
              AND e.punch_time >= staffing.window_start_of(d.work_date)
              AND e.punch_time < staffing.window_end_of(d.work_date)
            ORDER BY e.punch_time, e.id) w
    ) p
    CROSS JOIN LATERAL staffing.daily_attendance_result(d.work_date, p.punch_times, p.punch_types, p.max_event_id) r
  ),
  updated AS (
    UPDATE staffing.daily_attendance_results AS t SET
      ruleset_version = 'STANDARD_SHIFT_V1',
      status = r.status,
      flags = r.flags,
      first_in_time = r.first_in_time,
      last_out_time = r.last_out_time,
      worked_minutes = r.worked_minutes,
      late_minutes = r.late_minutes,
      early_leave_minutes = r.early_leave_minutes,
      input_punch_count = r.input_punch_count,
      input_max_punch_event_db_id = r.input_max_punch_event_db_id,
      input_max_punch_time = r.input_max_punch_time,
      computed_at = now(),
      -- When the result's values last changed (the seed rewrites it on every recompute, like
      -- computed_at; timestamps are not part of the rules).
      updated_at = CASE WHEN r.changed THEN now() ELSE t.updated_at END
    FROM result r
    -- The row the probe above found, by its address (a TID scan, not a second descent of an index);
    -- the key repeats as a check, also for a row a concurrent rebuild updated meanwhile.
    WHERE t.ctid = r.stored_ctid AND r.stored AND (r.changed OR r.recounted)
      AND t.tenant_id = p_tenant_id AND t.person_uuid = r.person_uuid AND t.work_date = r.work_date
    RETURNING 1
  ),
  created AS (
    INSERT INTO staffing.daily_attendance_results AS t (
      tenant_id, person_uuid, work_date, ruleset_version, status, flags,
      first_in_time, last_out_time, worked_minutes, late_minutes, early_leave_minutes,
      input_punch_count, input_max_punch_event_db_id, input_max_punch_time,
      computed_at, created_at, updated_at)
    SELECT p_tenant_id, r.person_uuid, r.work_date, 'STANDARD_SHIFT_V1', r.status, r.flags,
           r.first_in_time, r.last_out_time, r.worked_minutes, r.late_minutes, r.early_leave_minutes,
           r.input_punch_count, r.input_max_punch_event_db_id, r.input_max_punch_time,
           now(), now(), now()
    FROM result r
    WHERE NOT r.stored
    ON CONFLICT (tenant_id, person_uuid, work_date) DO UPDATE SET
      ruleset_version = EXCLUDED.ruleset_version,
      status = EXCLUDED.status,
      flags = EXCLUDED.flags,
      first_in_time = EXCLUDED.first_in_time,
      last_out_time = EXCLUDED.last_out_time,
      worked_minutes = EXCLUDED.worked_minutes,
      late_minutes = EXCLUDED.late_minutes,
      early_leave_minutes = EXCLUDED.early_leave_minutes,
      input_punch_count = EXCLUDED.input_punch_count,
      input_max_punch_event_db_id = EXCLUDED.input_max_punch_event_db_id,
      input_max_punch_time = EXCLUDED.input_max_punch_time,
      computed_at = EXCLUDED.computed_at,
      updated_at = EXCLUDED.updated_at
    RETURNING 1
  ),
  announced AS (
    INSERT INTO staffing.outbox (tenant_id, event_ids, changed_days)
    SELECT p_tenant_id, coalesce(p_event_ids, '{}'), c.days
    FROM (SELECT coalesce(jsonb_agg(jsonb_build_object('person_uuid', r.person_uuid, 'work_date', r.work_date,
                                                       'status', r.status, 'flags', r.flags)
                                    ORDER BY r.person_uuid, r.work_date) FILTER (WHERE r.changed),
                          '[]'::jsonb) AS days
          FROM result r) c
    WHERE cardinality(p_event_ids) > 0 OR c.days <> '[]'::jsonb
  )
  SELECT (SELECT count(*) FROM updated) + (SELECT count(*) FROM created) INTO v_days;
  RETURN v_days;
END;
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
