-- Plain inserts where no key can exist yet, and fewer rows for the days a batch touches (issue 13 item 7: >= 60,000
-- punches/s on import-shaped batches). Same signatures, answers, events, results, outbox rows and audit entries as
-- 0021's door and projection; what changes is said where it does. An insert with an arbiter (ON CONFLICT) is a
-- speculative insertion: each row probes the arbiter's index before it is inserted and takes one more WAL record
-- after. Measured with the backend's own CPU time (/proc/self/schedstat) per 1,000-row import-shaped call, old and
-- new functions called alternately, 100 calls each (bench/PunchLedger.Benchmarks/README.md, "2026-12-06"): the door's
-- insert ~12 %, the projection's ~4 %, the list of days ~3 %.

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
  -- First as a plain INSERT: a key that already exists (a retry, a redelivery, a concurrent door that committed the
  -- same key first) makes it fail with unique_violation, which undoes it whole (this block is a subtransaction), and
  -- then 0021's statement, whose ON CONFLICT leaves such rows to the row-by-row path, runs instead. An insert with an
  -- arbiter is a speculative insertion: each row probes the arbiter's index before it is inserted and is confirmed
  -- by one more WAL record after, ~12 % of the call's CPU on import-shaped batches, where no key exists yet. One
  -- statement either way, so the audit log's statement trigger (0019) writes one entry for it.
  BEGIN
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
    inserted AS (
      INSERT INTO staffing.time_punch_events AS e
        (id, event_uuid, tenant_id, person_uuid, punch_time, punch_type, source_provider, source_event_id,
         request_id, payload, initiator_id)
      OVERRIDING SYSTEM VALUE
      SELECT v_ids[f.ord], staffing.batch_event_uuid(v_uuid_stem, f.ord), p_tenant_id, f.person_uuid, f.punch_time,
             f.punch_type, f.source_provider, f.source_event_id, f.request_id, f.payload, p_initiator_id
      FROM independent f
      RETURNING e.id, e.event_uuid
    )
    SELECT array_agg(n.id ORDER BY i.ord),
           array_agg(n.event_uuid ORDER BY i.ord),
           array_agg(CASE WHEN i.invalid THEN 'REJECTED' WHEN n.id IS NOT NULL THEN 'ACCEPTED' END ORDER BY i.ord),
           array_agg(CASE WHEN i.invalid THEN 'STAFFING_INVALID_ARGUMENT' END ORDER BY i.ord),
           count(*) FILTER (WHERE NOT i.invalid AND n.id IS NULL)
      INTO v_event_id, v_event_uuid, v_outcome, v_error, v_unresolved
    FROM input i
    LEFT JOIN inserted n ON n.id = v_ids[i.ord];
  EXCEPTION WHEN unique_violation THEN
    -- 0021's statement.
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
  END;

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
  -- punch is outside of is only computed when it has no result yet). 0021 asked each punch whether it is outside
  -- either day; the punches of one person and local date are now taken together: all of them are outside the day
  -- before when the first is, and all outside their own date when the last is. Half the rows and two thirds of the
  -- time zone arithmetic: 3.6-3.9 -> 2.5-2.8 ms per 1,000-row import-shaped call, measured on its own.
  WITH punch_days AS MATERIALIZED (
    SELECT a.person_uuid, staffing.work_date_of(a.punch_time) AS work_date,
           min(a.punch_time) AS first_punch, max(a.punch_time) AS last_punch
    FROM unnest(p_person_uuids, p_punch_times, v_outcome) AS a(person_uuid, punch_time, outcome)
    WHERE a.outcome = 'ACCEPTED'
    GROUP BY 1, 2
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
  FROM (SELECT p.person_uuid, d.work_date, bool_and(d.outside) AS only_if_missing
        FROM punch_days p
        CROSS JOIN LATERAL (VALUES
          (p.work_date - 1, p.first_punch >= staffing.window_end_of(p.work_date - 1)),
          (p.work_date, p.last_punch < staffing.window_start_of(p.work_date))
        ) AS d(work_date, outside)
        GROUP BY p.person_uuid, d.work_date) k;

  RETURN QUERY
    SELECT o.ord::int, o.event_id, o.event_uuid, o.outcome, o.error_code
    FROM unnest(v_event_id, v_event_uuid, v_outcome, v_error)
           WITH ORDINALITY AS o(event_id, event_uuid, outcome, error_code, ord)
    ORDER BY o.ord;
END;
$$;

-- ---------------------------------------------------------------------------------------------------
-- The projection (shared by both doors and the rebuild)
-- ---------------------------------------------------------------------------------------------------

-- 0021's projection, same signature and writes; only the insert of new results differs (said there).
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
  v_attempt integer := 0;
BEGIN
  -- New results by a plain INSERT (the rest is 0021's statement). 0005 inserted them with ON CONFLICT DO UPDATE, a
  -- speculative insertion: one probe of the primary key before each row and one more WAL record after it, ~4 % of
  -- an import-shaped batch door call. A conflict cannot come under READ COMMITTED: every caller holds the persons'
  -- advisory locks (the doors) or the table in SHARE ROW EXCLUSIVE mode (the rebuild) from an earlier statement,
  -- so this statement's snapshot, taken after them, already shows every result of these persons' days. Should one
  -- come all the same, the statement is undone (this block is a subtransaction) and runs again: its new snapshot
  -- shows the other transaction's row, which it then updates, as ON CONFLICT DO UPDATE would have. Under
  -- REPEATABLE READ or SERIALIZABLE the snapshot stays the same, and ON CONFLICT DO UPDATE would have failed with a
  -- serialization failure for a row it cannot see: so does this.
  LOOP
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
    EXCEPTION WHEN unique_violation THEN
      v_attempt := v_attempt + 1;
      IF current_setting('transaction_isolation') <> 'read committed' OR v_attempt >= 3 THEN
        RAISE EXCEPTION USING
          ERRCODE = 'serialization_failure',
          MESSAGE = 'could not serialize access due to a concurrent insert of a daily result';
      END IF;
    END;
  END LOOP;
END;
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
