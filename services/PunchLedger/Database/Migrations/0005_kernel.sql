-- The kernel: the doors that record punches and the projection that keeps daily results current.
--
-- Shape of a write (one transaction, the caller's):
--   1. check the tenant and the arguments;
--   2. take the per-(tenant, person) advisory lock of every person written (a batch: in ascending
--      order, which rules out deadlocks between doors);
--   3. only then, in a new statement, insert the events idempotently (request_id; provider +
--      source_event_id) and read the persons' events back: a statement's snapshot is taken when it
--      starts, so a statement that waited for the lock itself could miss an event the lock's previous
--      holder committed meanwhile, and overwrite its result with a stale one;
--   4. recompute the days the new events can change, set-based, write the results whose values or
--      watermark changed (and nothing else), and one outbox row listing the new events (PunchRecorded)
--      and the days whose result changed (DailyResultChanged).
--
-- Callers use READ COMMITTED (the default). Under REPEATABLE READ step 3 cannot refresh the snapshot;
-- a concurrent writer of the same person then makes a write fail with a serialization error (retry
-- with the same request_id is safe), never silently lose an event.
--
-- Internal functions below are not SECURITY DEFINER and have no pinned search_path (a SET clause
-- would forbid inlining and cost every call); they qualify every name and are only reachable from the
-- doors, which pin search_path, and from the owner.
--
-- The doors (and the rebuild) run with plan_cache_mode = force_generic_plan, which holds for everything
-- they call. Their statements take arrays and ids as parameters; with the default mode Postgres keeps
-- re-planning them per call (a custom plan that knows an array's length looks cheaper than the generic
-- one), and planning the projection costs several times executing it. The generic plans are safe
-- because the statements fix their own shape whatever the row estimates: per-day LATERAL index range
-- scans on the one index that can serve them (see 0002_time_punch_events.sql) and key lookups.

-- ---------------------------------------------------------------------------------------------------
-- Tenant guard
-- ---------------------------------------------------------------------------------------------------

-- The doors are SECURITY DEFINER, so RLS alone would only fail late and with a cast error; this names the
-- problem. The service sets app.current_tenant with set_config(..., true) in the same transaction.
CREATE FUNCTION staffing.assert_current_tenant(p_tenant_id uuid)
RETURNS void
LANGUAGE plpgsql
STABLE
AS $$
DECLARE
  v_setting text := current_setting('app.current_tenant', true);
  v_current uuid;
BEGIN
  IF p_tenant_id IS NULL THEN
    RAISE EXCEPTION USING MESSAGE = 'STAFFING_INVALID_ARGUMENT', DETAIL = 'tenant_id is required';
  END IF;
  IF v_setting IS NULL OR v_setting = '' THEN
    RAISE EXCEPTION USING
      MESSAGE = 'STAFFING_TENANT_MISSING',
      DETAIL = 'app.current_tenant is not set in this transaction';
  END IF;
  -- Fast path: the service writes the canonical text form.
  IF v_setting = p_tenant_id::text THEN
    RETURN;
  END IF;
  BEGIN
    v_current := v_setting::uuid;
  EXCEPTION WHEN invalid_text_representation THEN
    RAISE EXCEPTION USING
      MESSAGE = 'STAFFING_TENANT_INVALID',
      DETAIL = 'app.current_tenant is not a UUID';
  END;
  IF v_current <> p_tenant_id THEN
    RAISE EXCEPTION USING
      MESSAGE = 'STAFFING_TENANT_MISMATCH',
      DETAIL = 'tenant_id differs from app.current_tenant';
  END IF;
END;
$$;

-- ---------------------------------------------------------------------------------------------------
-- Ruleset STANDARD_SHIFT_V1 (seed 004 §4.2.1, §6.2): the calendar half of it, one definition each. The
-- pairing rules and the 5-minute tolerances live in staffing.daily_attendance_result. These are SQL
-- functions without SET clauses, so the planner inlines them and folds the constants.
-- ---------------------------------------------------------------------------------------------------

-- Work dates are Asia/Shanghai dates (seed 004 §3.2) until tenants get their own time profiles.
CREATE FUNCTION staffing.attendance_time_zone()
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$ SELECT 'Asia/Shanghai'::text $$;

CREATE FUNCTION staffing.work_date_of(p_punch_time timestamptz)
RETURNS date
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$ SELECT (p_punch_time AT TIME ZONE staffing.attendance_time_zone())::date $$;

-- The instant a local date starts, for range scans by work date.
CREATE FUNCTION staffing.start_of_work_date(p_work_date date)
RETURNS timestamptz
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$ SELECT p_work_date::timestamp AT TIME ZONE staffing.attendance_time_zone() $$;

-- The standard shift: 09:00–18:00 local.
CREATE FUNCTION staffing.shift_start_of(p_work_date date)
RETURNS timestamptz
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$ SELECT (p_work_date + time '09:00') AT TIME ZONE staffing.attendance_time_zone() $$;

CREATE FUNCTION staffing.shift_end_of(p_work_date date)
RETURNS timestamptz
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$ SELECT (p_work_date + time '18:00') AT TIME ZONE staffing.attendance_time_zone() $$;

-- The punches that count for a work date: [shift start - 6h, shift end + 12h), i.e. [03:00, next day
-- 06:00) local, for early arrivals and OUTs after midnight. Neighbouring days' windows overlap.
CREATE FUNCTION staffing.window_start_of(p_work_date date)
RETURNS timestamptz
LANGUAGE sql
STABLE PARALLEL SAFE -- timestamptz ± interval is STABLE; declaring more would stop the planner inlining it
AS $$ SELECT staffing.shift_start_of(p_work_date) - interval '6 hours' $$;

CREATE FUNCTION staffing.window_end_of(p_work_date date)
RETURNS timestamptz
LANGUAGE sql
STABLE PARALLEL SAFE -- timestamptz ± interval is STABLE; declaring more would stop the planner inlining it
AS $$ SELECT staffing.shift_end_of(p_work_date) + interval '12 hours' $$;

-- ---------------------------------------------------------------------------------------------------
-- Argument checks, one place for the single and the batch door
-- ---------------------------------------------------------------------------------------------------

-- Returns what is wrong with a punch (the DETAIL of STAFFING_INVALID_ARGUMENT), or NULL when nothing is.
-- A NULL payload is accepted and means '{}'. Inlined into the callers' queries (plain SQL, no SET).
CREATE FUNCTION staffing.punch_argument_problem(
  p_person_uuid uuid,
  p_punch_time timestamptz,
  p_punch_type text,
  p_source_provider text,
  p_source_event_id text,
  p_request_id text,
  p_payload jsonb)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN p_person_uuid IS NULL THEN 'person_uuid is required'
    WHEN p_punch_time IS NULL THEN 'punch_time is required'
    -- ±infinity has no work date.
    WHEN NOT isfinite(p_punch_time) THEN 'punch_time must be a finite instant'
    WHEN p_punch_type IS NULL OR p_punch_type NOT IN ('IN','OUT','RAW')
      THEN 'punch_type must be IN, OUT or RAW'
    WHEN p_source_provider IS NULL OR p_source_provider NOT IN ('MANUAL','IMPORT','DINGTALK','WECOM','CORRECTION')
      THEN 'source_provider must be MANUAL, IMPORT, DINGTALK, WECOM or CORRECTION'
    WHEN p_source_event_id = '' THEN 'source_event_id must be NULL or non-empty'
    WHEN char_length(p_source_event_id) > 200 THEN 'source_event_id is longer than 200 characters'
    -- Platform punches are deduplicated on their own id: without it a redelivery would count twice.
    WHEN p_source_provider IN ('DINGTALK','WECOM') AND p_source_event_id IS NULL
      THEN 'source_event_id is required for ' || p_source_provider || ' punches'
    WHEN p_request_id IS NULL OR p_request_id = '' THEN 'request_id is required'
    WHEN char_length(p_request_id) > 200 THEN 'request_id is longer than 200 characters'
    WHEN p_payload IS NOT NULL AND jsonb_typeof(p_payload) <> 'object' THEN 'payload must be a JSON object'
  END
$$;

-- ---------------------------------------------------------------------------------------------------
-- Locks
-- ---------------------------------------------------------------------------------------------------

-- Serializes the recomputation of one person's days (seed 004 §4.2.1 serializes each (tenant, person,
-- work_date); one lock per person covers both days a punch touches with one call and lets a batch take
-- one lock per person instead of two per punch). A door takes it before it writes the person's events,
-- in ascending person order when it takes several. Returns true, so that plpgsql can take it in a
-- simple expression rather than a statement of its own. Inlined (plain SQL, no SET).
CREATE FUNCTION staffing.lock_attendance_person(p_tenant_id uuid, p_person_uuid uuid)
RETURNS boolean
LANGUAGE sql
VOLATILE
AS $$
  SELECT pg_advisory_xact_lock(hashtext(p_tenant_id::text), hashtext(p_person_uuid::text)) IS NULL
$$;

-- ---------------------------------------------------------------------------------------------------
-- Events
-- ---------------------------------------------------------------------------------------------------

-- The PunchRecorded message of an event (staffing.outbox_messages spells the outbox out with it).
CREATE FUNCTION staffing.punch_recorded_message(
  p_tenant_id uuid,
  p_event_id bigint,
  p_event_uuid uuid,
  p_person_uuid uuid,
  p_punch_time timestamptz,
  p_punch_type text,
  p_source_provider text,
  p_source_event_id text,
  p_request_id text)
RETURNS jsonb
LANGUAGE sql
STABLE PARALLEL SAFE -- jsonb_build_object is STABLE; declaring more would stop the planner inlining it
AS $$
  SELECT jsonb_build_object(
    'tenant_id', p_tenant_id,
    'event_id', p_event_id,
    'event_uuid', p_event_uuid,
    'person_uuid', p_person_uuid,
    'punch_time', p_punch_time,
    'punch_type', p_punch_type,
    'source_provider', p_source_provider,
    'source_event_id', p_source_event_id,
    'request_id', p_request_id,
    'work_date', staffing.work_date_of(p_punch_time))
$$;

-- Records one (already validated) punch idempotently, without recomputing anything; the batch door's
-- path for rows that share a key with another row or with a stored event.
--   ACCEPTED  a new event was inserted;
--   DUPLICATE an event with the same request_id (or, failing that, the same provider + source_event_id)
--             exists with the same person, time, type, provider, source_event_id and payload: that event;
--   CONFLICT  such an event exists with different fields: that event; nothing was written.
-- Race-safe: ON CONFLICT DO NOTHING waits for a concurrent insert of the same key to commit or abort,
-- and the lookup runs as a new statement, so it sees the winner.
CREATE FUNCTION staffing.store_time_punch_event(
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
    (tenant_id, person_uuid, punch_time, punch_type, source_provider, source_event_id,
     request_id, payload, initiator_id)
  VALUES
    (p_tenant_id, p_person_uuid, p_punch_time, p_punch_type, p_source_provider, p_source_event_id,
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

-- After an INSERT hit an existing key: the event that holds it (OUT) and DUPLICATE or CONFLICT. The
-- request_id decides first (it is the caller's own key); the platform id covers a redelivery that
-- arrives under a new request_id.
CREATE FUNCTION staffing.existing_time_punch_event(
  p_tenant_id uuid,
  p_person_uuid uuid,
  p_punch_time timestamptz,
  p_punch_type text,
  p_source_provider text,
  p_source_event_id text,
  p_request_id text,
  p_payload jsonb,
  OUT o_event_id bigint,
  OUT o_event_uuid uuid,
  OUT o_outcome text)
LANGUAGE plpgsql
AS $$
DECLARE
  v_same boolean;
BEGIN
  SELECT e.id, e.event_uuid,
         (e.person_uuid = p_person_uuid
          AND e.punch_time = p_punch_time
          AND e.punch_type = p_punch_type
          AND e.source_provider = p_source_provider
          AND e.source_event_id IS NOT DISTINCT FROM p_source_event_id
          AND e.payload = p_payload)
    INTO o_event_id, o_event_uuid, v_same
  FROM staffing.time_punch_events e
  WHERE e.tenant_id = p_tenant_id
    AND (e.request_id = p_request_id
         OR (e.source_provider = p_source_provider AND e.source_event_id = p_source_event_id))
  ORDER BY e.request_id = p_request_id DESC
  LIMIT 1;
  IF NOT FOUND THEN
    -- Only the event_uuid key is left, and time-ordered UUIDs with 74 random bits do not repeat.
    RAISE EXCEPTION USING
      MESSAGE = 'STAFFING_INTERNAL',
      DETAIL = 'the event conflicted on insert but no conflicting event is visible';
  END IF;
  o_outcome := CASE WHEN v_same THEN 'DUPLICATE' ELSE 'CONFLICT' END;
END;
$$;

-- ---------------------------------------------------------------------------------------------------
-- Projection: events -> daily results
-- ---------------------------------------------------------------------------------------------------

-- The result of one work date from its punches (those in the day's window, in (punch_time, id) order),
-- by seed 004 §4.2.1's state machine, field for field (the tests run the seed's function verbatim
-- against the kernel):
--   IN  while expecting IN   -> opens a pair; the first IN of the day is first_in
--   IN  while expecting OUT  -> MISSING_OUT; the earlier IN is dropped, this IN opens the pair
--   OUT while expecting OUT  -> closes the pair: worked += floor(minutes) when positive; last_out
--   OUT while expecting IN   -> MISSING_IN (an unpaired OUT is no last_out)
--   end of window expecting OUT -> MISSING_OUT; no IN at all -> MISSING_IN
--   late  = floor(minutes from 09:00 to first_in)  - 5 when that exceeds 5 (LATE)
--   early = floor(minutes from last_out to 18:00) - 5 when that exceeds 5 (EARLY_LEAVE)
--   no punch: ABSENT, flags {ABSENT}; no flag: PRESENT; otherwise EXCEPTION. Flags are distinct and in
--   the order the seed's array_agg(DISTINCT f ORDER BY f) gives them.
--
-- RAW punches (platform punches without a direction) take the direction the machine expects: IN when
-- it expects IN (the previous effective punch was an OUT, or there is none), OUT when it expects OUT
-- (the previous effective punch was an IN). A run of RAWs thus alternates IN, OUT, IN, ... from the
-- opposite of the last IN/OUT before it, or from IN at the start of the window. Each day's window reads
-- its RAWs on its own, from its own first punch.
--
-- A pure function over arrays, called once per day by the set-based statement below: no query runs
-- per day, and the rules read like the seed's loop. (A window-function formulation of the same rules
-- was measured slower here: its executor set-up costs more than this loop over a handful of punches.)
CREATE FUNCTION staffing.daily_attendance_result(
  p_work_date date,
  p_punch_times timestamptz[],
  p_punch_types text[],
  p_max_event_id bigint,
  OUT status text,
  OUT flags text[],
  OUT first_in_time timestamptz,
  OUT last_out_time timestamptz,
  OUT worked_minutes int,
  OUT late_minutes int,
  OUT early_leave_minutes int,
  OUT input_punch_count int,
  OUT input_max_punch_event_db_id bigint,
  OUT input_max_punch_time timestamptz)
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  v_expect_out boolean := false;
  v_open_in timestamptz;
  v_is_in boolean;
  v_missing_in boolean := false;
  v_missing_out boolean := false;
  v_delta int;
  v_late int;
  v_early int;
BEGIN
  worked_minutes := 0;
  late_minutes := 0;
  early_leave_minutes := 0;
  input_punch_count := coalesce(cardinality(p_punch_times), 0);
  IF input_punch_count = 0 THEN
    status := 'ABSENT';
    flags := ARRAY['ABSENT'];
    RETURN;
  END IF;

  FOR i IN 1 .. input_punch_count LOOP
    v_is_in := CASE p_punch_types[i] WHEN 'IN' THEN true WHEN 'OUT' THEN false ELSE NOT v_expect_out END;
    IF v_is_in THEN
      IF v_expect_out THEN
        v_missing_out := true;
      END IF;
      v_open_in := p_punch_times[i];
      v_expect_out := true;
      IF first_in_time IS NULL THEN
        first_in_time := p_punch_times[i];
      END IF;
    ELSIF v_expect_out THEN
      v_delta := floor(extract(epoch FROM (p_punch_times[i] - v_open_in)) / 60.0)::int;
      IF v_delta > 0 THEN
        worked_minutes := worked_minutes + v_delta;
      END IF;
      last_out_time := p_punch_times[i];
      v_expect_out := false;
    ELSE
      v_missing_in := true;
    END IF;
  END LOOP;

  IF first_in_time IS NULL THEN
    v_missing_in := true;
  END IF;
  IF v_expect_out THEN
    v_missing_out := true;
  END IF;
  v_late := floor(extract(epoch FROM (first_in_time - staffing.shift_start_of(p_work_date))) / 60.0)::int;
  v_early := floor(extract(epoch FROM (staffing.shift_end_of(p_work_date) - last_out_time)) / 60.0)::int;
  IF v_late > 5 THEN
    late_minutes := v_late - 5;
  END IF;
  IF v_early > 5 THEN
    early_leave_minutes := v_early - 5;
  END IF;

  flags := '{}';
  IF v_early > 5 THEN flags := flags || 'EARLY_LEAVE'::text; END IF;
  IF v_late > 5 THEN flags := flags || 'LATE'::text; END IF;
  IF v_missing_in THEN flags := flags || 'MISSING_IN'::text; END IF;
  IF v_missing_out THEN flags := flags || 'MISSING_OUT'::text; END IF;
  status := CASE WHEN cardinality(flags) = 0 THEN 'PRESENT' ELSE 'EXCEPTION' END;

  input_max_punch_event_db_id := p_max_event_id;
  input_max_punch_time := p_punch_times[input_punch_count]; -- in time order, the last is the latest
END;
$$;


-- Recomputes the given (person, work_date) days of one tenant from the events and writes what changed:
--   * a day without a stored result gets one;
--   * a stored result is rewritten only when its values or its watermark (punch count, max event id,
--     max punch time) differ; updated_at moves only when the values do. The seed rewrites every
--     recomputed day with a new computed_at; skipping identical ones is what makes it cheap for a door
--     to pass both days a punch could touch (seed 004 §6.1). A day a new punch falls into always
--     changes (its watermark does), so computed_at moves with every punch as the seed requires;
--   * one outbox row with p_event_ids (PunchRecorded) and the days whose values changed or that are
--     new (DailyResultChanged), unless both are empty.
-- A day flagged in p_only_if_missing is one no new punch falls into (the day before, for a punch after
-- 06:00): it cannot change, and is computed only when it has no result yet (seed 004 §6.1 gives both
-- days a result). Days must be distinct. Returns the number of results written. The caller holds the
-- persons' locks (staffing.lock_attendance_person), taken in an earlier statement.
--
-- Existing results are written with a plain UPDATE (a HOT update: no indexed column changes, and the
-- table's fillfactor leaves room): ON CONFLICT DO UPDATE would first lock the row, one more WAL record.
-- New ones are inserted with ON CONFLICT, which only matters if a rebuild (which takes no person locks)
-- wrote the day after this statement's snapshot; its result is then overwritten with the same values.
CREATE FUNCTION staffing.project_daily_attendance_results(
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
    CROSS JOIN LATERAL (
      SELECT array_agg(e.punch_time ORDER BY e.punch_time, e.id) AS punch_times,
             array_agg(e.punch_type ORDER BY e.punch_time, e.id) AS punch_types,
             max(e.id) AS max_event_id
      FROM staffing.time_punch_events e
      WHERE e.tenant_id = p_tenant_id
        AND e.person_uuid = d.person_uuid
        AND e.punch_time >= staffing.window_start_of(d.work_date)
        AND e.punch_time < staffing.window_end_of(d.work_date)
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

-- ---------------------------------------------------------------------------------------------------
-- The doors (the only functions the service role may execute)
-- ---------------------------------------------------------------------------------------------------

-- Records one punch and recomputes the days it can change (its local date and the day before, whose
-- window reaches 06:00 of this one), all in the caller's transaction. A retry with the same request_id
-- and the same fields returns the original event with duplicate = true and recomputes nothing. One row
-- (OUT parameters, not a set: no tuplestore per call); SELECT … FROM it gives that row.
--
-- After the person's lock (an earlier statement, so the insert's and the projection's snapshots see every
-- event the lock's previous holder committed) it stores the event (staffing.store_time_punch_event, as the
-- batch door does for rows that hit a key) and hands its two days to
-- staffing.project_daily_attendance_results, the one definition of how results and the outbox are
-- written, shared with the batch door. (Inlining the projection into the INSERT's statement was
-- measured: no faster, since the cost is per statement start-up either way.) When the INSERT hit an
-- existing key, nothing else is written and the stored event decides between DUPLICATE and
-- STAFFING_IDEMPOTENCY_CONFLICT.
CREATE FUNCTION staffing.submit_time_punch_event(
  p_tenant_id uuid,
  p_person_uuid uuid,
  p_punch_time timestamptz,
  p_punch_type text,
  p_source_provider text,
  p_source_event_id text,
  p_request_id text,
  p_payload jsonb,
  p_initiator_id text,
  OUT event_id bigint,
  OUT event_uuid uuid,
  OUT duplicate boolean)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, staffing
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_payload jsonb := coalesce(p_payload, '{}'::jsonb);
  v_problem text;
  v_work_date date;
  v_locked boolean;
  v_outcome text;
BEGIN
  -- The common case costs one comparison; anything else gets the precise error (or passes, for a
  -- non-canonical spelling of the same UUID).
  IF current_setting('app.current_tenant', true) IS DISTINCT FROM p_tenant_id::text THEN
    PERFORM staffing.assert_current_tenant(p_tenant_id);
  END IF;
  v_problem := staffing.punch_argument_problem(p_person_uuid, p_punch_time, p_punch_type, p_source_provider,
                                               p_source_event_id, p_request_id, v_payload);
  IF v_problem IS NOT NULL THEN
    RAISE EXCEPTION USING MESSAGE = 'STAFFING_INVALID_ARGUMENT', DETAIL = v_problem;
  END IF;
  v_work_date := staffing.work_date_of(p_punch_time);
  v_locked := staffing.lock_attendance_person(p_tenant_id, p_person_uuid);

  SELECT x.o_event_id, x.o_event_uuid, x.o_outcome INTO event_id, event_uuid, v_outcome
  FROM staffing.store_time_punch_event(p_tenant_id, p_person_uuid, p_punch_time, p_punch_type, p_source_provider,
                                       p_source_event_id, p_request_id, v_payload, p_initiator_id) x;
  IF v_outcome = 'ACCEPTED' THEN
    -- The day before (its window reaches 06:00 of this date) and the punch's own date; a day the punch
    -- is outside of cannot change and is only computed when it has no result yet.
    PERFORM staffing.project_daily_attendance_results(
      p_tenant_id,
      ARRAY[p_person_uuid, p_person_uuid],
      ARRAY[v_work_date - 1, v_work_date],
      ARRAY[p_punch_time >= staffing.window_end_of(v_work_date - 1), p_punch_time < staffing.window_start_of(v_work_date)],
      ARRAY[event_id]);
    duplicate := false;
    RETURN;
  END IF;
  IF v_outcome = 'CONFLICT' THEN
    RAISE EXCEPTION USING
      MESSAGE = 'STAFFING_IDEMPOTENCY_CONFLICT',
      DETAIL = format('event %s already has request_id %L or source event %s/%s, with different fields',
                      event_uuid, p_request_id, p_source_provider, coalesce(p_source_event_id, '-'));
  END IF;
  duplicate := true;
END;
$$;

-- Records up to 1,000 punches in one transaction. One row out per row in (ordinal = 1-based position):
--   ACCEPTED   new event;
--   DUPLICATE  same as an existing event, or as an earlier row of this batch (event_id is that event's);
--   REJECTED   error_code STAFFING_INVALID_ARGUMENT or STAFFING_IDEMPOTENCY_CONFLICT; the other rows
--              are unaffected.
-- The outcome of every row is the one it would get if the rows were submitted one by one in ordinal
-- order (rejected rows skipped). The persons are locked once each, in order, and the days touched by
-- accepted rows are recomputed once each, together, with one outbox row for the whole batch.
CREATE FUNCTION staffing.submit_time_punch_events(
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
  v_n integer := cardinality(p_request_ids);
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

  -- The persons' locks, in ascending order, before anything is written (see the top of this file).
  PERFORM count(staffing.lock_attendance_person(p_tenant_id, x.person_uuid))
  FROM (SELECT DISTINCT u.person_uuid
        FROM unnest(p_person_uuids) AS u(person_uuid)
        WHERE u.person_uuid IS NOT NULL
        ORDER BY u.person_uuid) x;

  -- Fast path, set-based: rows that are valid and share neither request_id nor source event with
  -- another valid row of the batch cannot influence each other, so they are inserted together (in
  -- ordinal order, so event ids follow it). Rows left unresolved (in-batch repeats, or keys that already
  -- exist) go through the row-by-row path below, in ordinal order.
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
      (tenant_id, person_uuid, punch_time, punch_type, source_provider, source_event_id,
       request_id, payload, initiator_id)
    SELECT p_tenant_id, f.person_uuid, f.punch_time, f.punch_type, f.source_provider, f.source_event_id,
           f.request_id, f.payload, p_initiator_id
    FROM independent f
    ORDER BY f.ord
    ON CONFLICT DO NOTHING
    RETURNING e.id, e.event_uuid, e.request_id
  )
  SELECT array_agg(n.id ORDER BY i.ord),
         array_agg(n.event_uuid ORDER BY i.ord),
         array_agg(CASE WHEN i.invalid THEN 'REJECTED' WHEN n.id IS NOT NULL THEN 'ACCEPTED' END ORDER BY i.ord),
         array_agg(CASE WHEN i.invalid THEN 'STAFFING_INVALID_ARGUMENT' END ORDER BY i.ord),
         count(*) FILTER (WHERE NOT i.invalid AND n.id IS NULL)
    INTO v_event_id, v_event_uuid, v_outcome, v_error, v_unresolved
  FROM input i
  LEFT JOIN inserted n ON n.request_id = i.request_id AND NOT i.invalid;

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
      FROM staffing.store_time_punch_event(
             p_tenant_id, r.person_uuid, r.punch_time, r.punch_type, r.source_provider, r.source_event_id,
             r.request_id, coalesce(r.payload, '{}'::jsonb), p_initiator_id) s;
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

  -- The days of the accepted punches, once each, in no particular order (the persons are locked
  -- already). A day that no new punch falls into (the day before, for a punch after 06:00) cannot
  -- change; it is only needed when it has no result yet, which the projection checks. The outbox row
  -- lists the new events in ordinal order.
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


-- ---------------------------------------------------------------------------------------------------
-- Operations
-- ---------------------------------------------------------------------------------------------------

-- Recomputes every result of one tenant with work_date in [p_from, p_to] from the events: the days the
-- doors would have written (each event's local date and the day before) plus the days already stored.
-- Owner-only (not granted to the service). Returns the number of results it had to write: 0 when every
-- stored result already matched the events.
--
-- A rebuild can cover more days than the lock table could hold advisory locks for, so instead of the
-- per-day locks it excludes every other writer of the results table for its duration (SHARE ROW
-- EXCLUSIVE conflicts with the doors' upserts, not with reads). A door that was mid-way keeps its
-- per-day serialization and, once the rebuild commits, writes a result computed from the same events.
CREATE FUNCTION staffing.rebuild_daily_attendance_results(p_tenant_id uuid, p_from date, p_to date)
RETURNS integer
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  v_total integer := 0;
  v_persons uuid[];
  v_dates date[];
BEGIN
  PERFORM staffing.assert_current_tenant(p_tenant_id);
  IF p_from IS NULL OR p_to IS NULL OR p_from > p_to THEN
    RAISE EXCEPTION USING MESSAGE = 'STAFFING_INVALID_ARGUMENT', DETAIL = 'need p_from <= p_to';
  END IF;

  LOCK TABLE staffing.daily_attendance_results IN SHARE ROW EXCLUSIVE MODE;

  -- Chunks of 5,000 days keep each statement's arrays and sorts small.
  FOR v_persons, v_dates IN
    SELECT array_agg(c.person_uuid ORDER BY c.person_uuid, c.work_date),
           array_agg(c.work_date ORDER BY c.person_uuid, c.work_date)
    FROM (SELECT k.person_uuid, k.work_date,
                 (row_number() OVER (ORDER BY k.person_uuid, k.work_date) - 1) / 5000 AS chunk
          FROM (SELECT e.person_uuid, d.work_date
                FROM staffing.time_punch_events e
                CROSS JOIN LATERAL (VALUES (staffing.work_date_of(e.punch_time) - 1),
                                           (staffing.work_date_of(e.punch_time))) AS d(work_date)
                WHERE e.tenant_id = p_tenant_id
                  AND e.person_uuid IS NOT NULL -- always true; lets the scan use the person/time index
                  AND e.punch_time >= staffing.start_of_work_date(p_from)
                  AND e.punch_time < staffing.start_of_work_date(p_to + 2)
                  AND d.work_date BETWEEN p_from AND p_to
                UNION
                SELECT r.person_uuid, r.work_date
                FROM staffing.daily_attendance_results r
                WHERE r.tenant_id = p_tenant_id
                  AND r.work_date BETWEEN p_from AND p_to) k) c
    GROUP BY c.chunk
    ORDER BY c.chunk
  LOOP
    v_total := v_total + staffing.project_daily_attendance_results(p_tenant_id, v_persons, v_dates, NULL, NULL);
  END LOOP;
  RETURN v_total;
END;
$$;

-- ---------------------------------------------------------------------------------------------------
-- Outbox messages
-- ---------------------------------------------------------------------------------------------------

-- The outbox spelled out as messages, for the relay (and the owner): per outbox row, in order, one
-- PunchRecorded per event id (the message built from the immutable event) and one DailyResultChanged
-- per changed day. Owner-only, like the outbox; RLS on both tables limits it to app.current_tenant.
CREATE VIEW staffing.outbox_messages AS
SELECT o.id AS outbox_id, m.position, o.tenant_id, m.message_type, m.payload, o.created_at, o.published_at
FROM staffing.outbox o
CROSS JOIN LATERAL (
  SELECT u.n AS position, 'PunchRecorded'::text AS message_type,
         staffing.punch_recorded_message(e.tenant_id, e.id, e.event_uuid, e.person_uuid, e.punch_time,
                                         e.punch_type, e.source_provider, e.source_event_id, e.request_id)
           AS payload
  FROM unnest(o.event_ids) WITH ORDINALITY AS u(event_id, n)
  JOIN staffing.time_punch_events e ON e.id = u.event_id
  UNION ALL
  SELECT cardinality(o.event_ids) + c.n, 'DailyResultChanged'::text,
         jsonb_build_object('tenant_id', o.tenant_id) || c.day
  FROM jsonb_array_elements(o.changed_days) WITH ORDINALITY AS c(day, n)
) m;

REVOKE ALL ON staffing.outbox_messages FROM PUBLIC;

-- Nothing here is PUBLIC's; 0006_grants.sql names what the service role may execute.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
