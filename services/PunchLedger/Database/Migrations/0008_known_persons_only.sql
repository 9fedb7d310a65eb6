-- Punches only for persons that exist and are active in the caller's tenant (issue 15, found 3).
--
-- The person's state comes from identity-mapping's view person.person_states (its migration 0007), which
-- must be applied first: services/Migrations runs identity-mapping's migrations before the ledger's.
--
-- The doors of 0005 stay as they are, renamed, and become internal (no SECURITY DEFINER, no SET clauses:
-- they run inside the new doors, which pin search_path and plan_cache_mode for everything they call, as
-- 0005's other internal functions do). The new doors, under the old names and signatures (so the service,
-- its grants and its callers do not change), ask about the person first and hand everything else to the
-- old door unchanged. The order of the answers:
--   1. the tenant check (as before: without it the view's RLS policy would fail with a cast error);
--   2. a punch whose person is active goes to the old door: recorded, DUPLICATE or CONFLICT as before;
--   3. a punch with a bad argument goes to the old door too, which refuses it with STAFFING_INVALID_ARGUMENT
--      (a NULL person_uuid is a missing argument, not an unknown person);
--   4. a punch whose request_id (or provider + source_event_id) is already in the ledger goes to the old
--      door as well: a retry of a punch recorded before its person was deactivated still answers DUPLICATE
--      with the recorded event (or CONFLICT when its fields differ). Events are never deleted, so the old
--      door's INSERT is certain to hit that key and write nothing;
--   5. otherwise the punch is refused: STAFFING_PERSON_UNKNOWN when no person of this tenant has the uuid
--      (another tenant's person is unknown too: the view shows this tenant's rows only, so a refusal never
--      tells whether the uuid exists elsewhere), STAFFING_PERSON_INACTIVE when the person is deactivated.
--      Nothing is written: no event, no result, no outbox row.
-- (When the connectors arrive (issue 12), a punch refused with either code is parked like a punch whose
-- platform user id is unmapped, to be replayed with the same request_id once the person is (re)activated.)
--
-- A punch racing its person's deactivation may still be recorded: the door reads the committed state
-- without locking the person row, so the punch is ordered before the deactivation. Locking it (FOR SHARE)
-- would make every punch write to the persons table.

DO $$
BEGIN
  IF to_regclass('person.person_states') IS NULL THEN
    RAISE EXCEPTION 'punch-ledger 0008 needs person.person_states: apply identity-mapping''s migrations (0007) first';
  END IF;
END;
$$;

ALTER FUNCTION staffing.submit_time_punch_event(uuid, uuid, timestamptz, text, text, text, text, jsonb, text)
  RENAME TO submit_time_punch_event_any_person;
ALTER FUNCTION staffing.submit_time_punch_event_any_person(uuid, uuid, timestamptz, text, text, text, text, jsonb, text)
  SECURITY INVOKER RESET ALL;
ALTER FUNCTION staffing.submit_time_punch_events(uuid, uuid[], timestamptz[], text[], text[], text[], text[], jsonb[], text)
  RENAME TO submit_time_punch_events_any_person;
ALTER FUNCTION staffing.submit_time_punch_events_any_person(uuid, uuid[], timestamptz[], text[], text[], text[], text[], jsonb[], text)
  SECURITY INVOKER RESET ALL;
-- A renamed function keeps its grants: the service role may only call the new doors.
REVOKE EXECUTE ON FUNCTION staffing.submit_time_punch_event_any_person(uuid, uuid, timestamptz, text, text, text, text, jsonb, text)
  FROM punch_ledger_app;
REVOKE EXECUTE ON FUNCTION staffing.submit_time_punch_events_any_person(uuid, uuid[], timestamptz[], text[], text[], text[], text[], jsonb[], text)
  FROM punch_ledger_app;

-- ---------------------------------------------------------------------------------------------------
-- The person's state, and the refusal
-- ---------------------------------------------------------------------------------------------------

-- 'ACTIVE', 'INACTIVE', or NULL when the tenant has no such person. One probe of the persons' primary key.
-- Inlined into the callers (plain SQL, no SET).
CREATE FUNCTION staffing.person_state(p_tenant_id uuid, p_person_uuid uuid)
RETURNS text
LANGUAGE sql
STABLE
AS $$
  SELECT CASE WHEN s.active THEN 'ACTIVE' ELSE 'INACTIVE' END
  FROM person.person_states s
  WHERE s.tenant_id = p_tenant_id AND s.person_uuid = p_person_uuid
$$;

-- The stable code that refuses a punch of a person in p_state (see person_state), or NULL when none does.
CREATE FUNCTION staffing.person_refusal_code(p_state text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN p_state IS NULL THEN 'STAFFING_PERSON_UNKNOWN'
    WHEN p_state = 'INACTIVE' THEN 'STAFFING_PERSON_INACTIVE'
  END
$$;

-- Whether the ledger already holds the key a punch would take (its request_id, or its provider +
-- source_event_id): then the old door answers it as a retry (DUPLICATE or CONFLICT) and writes nothing.
-- Two probes of the unique indexes that define those keys.
CREATE FUNCTION staffing.punch_key_recorded(
  p_tenant_id uuid, p_source_provider text, p_source_event_id text, p_request_id text)
RETURNS boolean
LANGUAGE sql
STABLE
AS $$
  SELECT EXISTS (SELECT 1 FROM staffing.time_punch_events e
                 WHERE e.tenant_id = p_tenant_id AND e.request_id = p_request_id)
      OR EXISTS (SELECT 1 FROM staffing.time_punch_events e
                 WHERE e.tenant_id = p_tenant_id AND e.source_provider = p_source_provider
                   AND e.source_event_id = p_source_event_id)
$$;

-- ---------------------------------------------------------------------------------------------------
-- The doors
-- ---------------------------------------------------------------------------------------------------

-- The single door; same signature and answers as 0005's, plus the two refusals.
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
  v_refusal text;
BEGIN
  IF current_setting('app.current_tenant', true) IS DISTINCT FROM p_tenant_id::text THEN
    PERFORM staffing.assert_current_tenant(p_tenant_id);
  END IF;
  v_refusal := staffing.person_refusal_code(staffing.person_state(p_tenant_id, p_person_uuid));
  -- Nested, so that the common case (an active person) costs the one probe.
  IF v_refusal IS NOT NULL THEN
    IF staffing.punch_argument_problem(p_person_uuid, p_punch_time, p_punch_type, p_source_provider,
                                       p_source_event_id, p_request_id, coalesce(p_payload, '{}'::jsonb)) IS NOT NULL
       OR staffing.punch_key_recorded(p_tenant_id, p_source_provider, p_source_event_id, p_request_id) THEN
      v_refusal := NULL;
    END IF;
  END IF;
  IF v_refusal IS NOT NULL THEN
    RAISE EXCEPTION USING
      MESSAGE = v_refusal,
      DETAIL = CASE v_refusal
        WHEN 'STAFFING_PERSON_UNKNOWN' THEN
          format('person_uuid %s is not a person of this tenant; create the person in identity-mapping first (request_id %s was not recorded)',
                 p_person_uuid, p_request_id)
        ELSE
          format('person_uuid %s is deactivated; reactivate the person in identity-mapping to record their punches (request_id %s was not recorded)',
                 p_person_uuid, p_request_id)
      END;
  END IF;
  SELECT d.event_id, d.event_uuid, d.duplicate INTO event_id, event_uuid, duplicate
  FROM staffing.submit_time_punch_event_any_person(p_tenant_id, p_person_uuid, p_punch_time, p_punch_type,
         p_source_provider, p_source_event_id, p_request_id, p_payload, p_initiator_id) d;
END;
$$;

-- The batch door; same signature and answers as 0005's, plus the two refusals as REJECTED rows (error_code
-- STAFFING_PERSON_UNKNOWN / STAFFING_PERSON_INACTIVE; the other rows are unaffected). The refused rows are
-- taken out before the old door runs and the old door's ordinals are mapped back; a batch without a refused
-- row goes to the old door as it came.
--
-- One difference from "as if submitted one by one": a refused row that shares its request_id or source
-- event with an earlier row of the same batch (rather than with a stored event) is refused with its
-- person's code, where one by one it would get the earlier row's DUPLICATE/CONFLICT answer. Either way it
-- is REJECTED and writes nothing; passing it on could let the old door record it when the earlier row is
-- itself rejected.
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
     AND cardinality(p_person_uuids) <= 1000 THEN
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

-- Nothing here is PUBLIC's; the service role may call the two doors (as it could call 0005's).
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.submit_time_punch_event(
  uuid, uuid, timestamptz, text, text, text, text, jsonb, text) TO punch_ledger_app;
GRANT EXECUTE ON FUNCTION staffing.submit_time_punch_events(
  uuid, uuid[], timestamptz[], text[], text[], text[], text[], jsonb[], text) TO punch_ledger_app;
