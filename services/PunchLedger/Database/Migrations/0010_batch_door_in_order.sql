-- The batch door records its rows' events in ordinal order (issue 13 item 7).
--
-- 0005's batch door inserted the rows that share no key with another row of the batch first, together, and the
-- rest (in-batch repeats, keys already in the ledger) one by one after them. Event ids then followed that
-- order, not the rows': a redelivered punch got a higher id than punches that came after it in the batch. The
-- rules read a day's punches in (punch_time, id) order, so when two punches of a person tie to the microsecond
-- the day's pairing could differ from submitting the same rows one by one, which the door promises. The case
-- from the issue: OUT 12:00:00 rid-A, OUT 12:00:00 rid-A again, IN 12:00:00 rid-B is EXCEPTION
-- {LATE,MISSING_IN,MISSING_OUT} one by one (OUT, then IN), and was {EARLY_LEAVE,LATE} from the batch door
-- (IN, then OUT).
--
-- Now every row gets its event id up front, in ordinal order, drawn from the ledger's own identity sequence
-- after the persons' locks (so a person's events still get ids in the order their transactions hold the lock;
-- the outbox relay's watermark relies on that), and both paths insert with that id (OVERRIDING SYSTEM VALUE).
-- The ids of rows that end up not recorded (duplicates, conflicts, invalid rows) are skipped, as a
-- sequence skips values anyway. Everything else is 0005's door as it was.

-- 0005's staffing.store_time_punch_event, with the event id given.
CREATE FUNCTION staffing.store_time_punch_event_with_id(
  p_event_id bigint,
  p_tenant_id uuid,
  p_person_uuid uuid,
  p_punch_time timestamptz,
  p_punch_type text,
  p_source_provider text,
  p_source_event_id text,
  p_request_id text,
  p_payload jsonb,
  p_initiator_id text,
  OUT o_event_id bigint,
  OUT o_event_uuid uuid,
  OUT o_outcome text)
LANGUAGE plpgsql
AS $$
BEGIN
  INSERT INTO staffing.time_punch_events AS e
    (id, tenant_id, person_uuid, punch_time, punch_type, source_provider, source_event_id,
     request_id, payload, initiator_id)
  OVERRIDING SYSTEM VALUE
  VALUES
    (p_event_id, p_tenant_id, p_person_uuid, p_punch_time, p_punch_type, p_source_provider, p_source_event_id,
     p_request_id, p_payload, p_initiator_id)
  ON CONFLICT DO NOTHING
  RETURNING e.id, e.event_uuid INTO o_event_id, o_event_uuid;
  IF FOUND THEN
    o_outcome := 'ACCEPTED';
    RETURN;
  END IF;
  SELECT x.o_event_id, x.o_event_uuid, x.o_outcome INTO o_event_id, o_event_uuid, o_outcome
  FROM staffing.existing_time_punch_event(p_tenant_id, p_person_uuid, p_punch_time, p_punch_type,
                                          p_source_provider, p_source_event_id, p_request_id, p_payload) x;
END;
$$;

-- 0005's batch door (internal since 0008, which wraps it), same signature and answers; its rows now keep their order.
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
  v_event_id bigint[];
  v_event_uuid uuid[];
  v_outcome text[];
  v_error text[];
  v_unresolved integer;
  v_one_id bigint;
  v_one_uuid uuid;
  v_one_outcome text;
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

  -- Row k's event id, if it is recorded: the k-th of n ids drawn now, after the locks.
  v_sequence := pg_get_serial_sequence('staffing.time_punch_events', 'id')::regclass;
  v_ids := ARRAY(SELECT nextval(v_sequence) FROM generate_series(1, v_n));

  -- Fast path, set-based: rows that are valid and share neither request_id nor source event with another
  -- valid row of the batch cannot influence each other. Rows left unresolved (in-batch repeats, keys that
  -- already exist) go through the row-by-row path below, in ordinal order, with their own ids.
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
    SELECT v.*
    FROM (SELECT x.*,
                 count(*) OVER (PARTITION BY x.request_id) AS same_request,
                 count(*) OVER (PARTITION BY x.source_provider, x.source_event_id) AS same_source
          FROM input x
          WHERE NOT x.invalid) v
    WHERE v.same_request = 1 AND (v.source_event_id IS NULL OR v.same_source = 1)
  ),
  inserted AS (
    INSERT INTO staffing.time_punch_events AS e
      (id, tenant_id, person_uuid, punch_time, punch_type, source_provider, source_event_id,
       request_id, payload, initiator_id)
    OVERRIDING SYSTEM VALUE
    SELECT v_ids[f.ord], p_tenant_id, f.person_uuid, f.punch_time, f.punch_type, f.source_provider, f.source_event_id,
           f.request_id, f.payload, p_initiator_id
    FROM independent f
    ORDER BY f.ord
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
  LEFT JOIN inserted n ON n.id = v_ids[i.ord];

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

  PERFORM staffing.project_daily_attendance_results(
            p_tenant_id,
            array_agg(k.person_uuid),
            array_agg(k.work_date),
            array_agg(k.only_if_missing),
            (SELECT array_agg(a.event_id ORDER BY a.ord)
             FROM unnest(v_event_id, v_outcome) WITH ORDINALITY AS a(event_id, outcome, ord)
             WHERE a.outcome = 'ACCEPTED'))
  FROM (SELECT a.person_uuid, d.work_date, bool_and(d.outside) AS only_if_missing
        FROM unnest(p_person_uuids, p_punch_times, v_outcome) AS a(person_uuid, punch_time, outcome)
        CROSS JOIN LATERAL (VALUES
          (staffing.work_date_of(a.punch_time) - 1,
           a.punch_time >= staffing.window_end_of(staffing.work_date_of(a.punch_time) - 1)),
          (staffing.work_date_of(a.punch_time),
           a.punch_time < staffing.window_start_of(staffing.work_date_of(a.punch_time)))
        ) AS d(work_date, outside)
        WHERE a.outcome = 'ACCEPTED'
        GROUP BY a.person_uuid, d.work_date) k;

  RETURN QUERY
    SELECT o.ord::int, o.event_id, o.event_uuid, o.outcome, o.error_code
    FROM unnest(v_event_id, v_event_uuid, v_outcome, v_error)
           WITH ORDINALITY AS o(event_id, event_uuid, outcome, error_code, ord)
    ORDER BY o.ord;
END;
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
