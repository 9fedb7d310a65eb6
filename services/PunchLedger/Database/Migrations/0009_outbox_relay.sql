-- The outbox relay's side of the schema (libs/Outbox): the service role may claim unpublished outbox rows,
-- spelled out as messages, mark them published and prune them, through the SECURITY DEFINER functions below
-- and nothing else (it still cannot read or write staffing.outbox itself).
--
-- The relay runs inside the punch-ledger service, one pass per transaction:
--   BEGIN; claim_outbox_messages(n) -- locks the rows (FOR UPDATE SKIP LOCKED) until COMMIT
--          publish them to the bus and wait for the broker's confirms
--          mark_outbox_published(ids); COMMIT;
-- A relay that dies before COMMIT releases its rows to the next pass (at-least-once); a second relay skips
-- rows another one holds, so replicas share the backlog instead of publishing it twice.

-- The W3C traceparent of the request whose transaction wrote the row, so the bus messages continue its
-- trace. The service sets app.trace_parent next to app.current_tenant; the kernel's INSERT does not name
-- the column, so the doors stay as they are.
ALTER TABLE staffing.outbox
  ADD COLUMN trace_parent text NULL DEFAULT nullif(current_setting('app.trace_parent', true), '');

-- Cross-tenant access for the relay functions only: they run as the owner with app.outbox_relay = 'on'
-- (staffing.enter_outbox_relay) while they work. Separate SELECT / UPDATE / DELETE policies leave the
-- doors' INSERT path untouched; the service role has no grant on the table, so whatever it sets, these
-- policies never apply to it. (A function's SET clause would scope the settings more neatly, but a
-- non-superuser owner may not put custom settings there.)
CREATE POLICY outbox_relay_read ON staffing.outbox FOR SELECT TO CURRENT_USER
  USING (current_setting('app.outbox_relay', true) = 'on');
CREATE POLICY outbox_relay_mark ON staffing.outbox FOR UPDATE TO CURRENT_USER
  USING (current_setting('app.outbox_relay', true) = 'on')
  WITH CHECK (current_setting('app.outbox_relay', true) = 'on');
CREATE POLICY outbox_relay_prune ON staffing.outbox FOR DELETE TO CURRENT_USER
  USING (current_setting('app.outbox_relay', true) = 'on');

-- Enters relay mode for the rest of the calling function, returning the settings to restore after it
-- (staffing.leave_outbox_relay). app.current_tenant becomes the nil uuid, so the tenant policies
-- evaluate to false instead of raising while the relay policies let the rows through.
CREATE FUNCTION staffing.enter_outbox_relay(OUT previous_tenant text, OUT previous_relay text)
LANGUAGE plpgsql
AS $$
BEGIN
  previous_tenant := coalesce(current_setting('app.current_tenant', true), '');
  previous_relay := coalesce(current_setting('app.outbox_relay', true), '');
  PERFORM set_config('app.outbox_relay', 'on', true),
          set_config('app.current_tenant', '00000000-0000-0000-0000-000000000000', true);
END;
$$;

CREATE FUNCTION staffing.leave_outbox_relay(p_previous_tenant text, p_previous_relay text)
RETURNS void
LANGUAGE sql
AS $$
  SELECT set_config('app.outbox_relay', p_previous_relay, true),
         set_config('app.current_tenant', p_previous_tenant, true)
$$;

-- Claims up to p_limit unpublished outbox rows, oldest first, skipping rows another relay holds, and returns
-- their messages in order (staffing.outbox_messages), each with the input watermark of a changed day.
-- The events are read per row under that row's tenant, through the tables' ordinary tenant policy.
CREATE FUNCTION staffing.claim_outbox_messages(p_limit integer)
RETURNS TABLE (
  outbox_id bigint,
  message_position bigint,
  tenant_id uuid,
  message_type text,
  payload jsonb,
  trace_parent text,
  created_at timestamptz)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant record;
  v_saved record;
BEGIN
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 10000 THEN
    RAISE EXCEPTION 'claim_outbox_messages: p_limit must be 1..10000, got %', p_limit
      USING ERRCODE = '22023';
  END IF;
  v_saved := staffing.enter_outbox_relay();
  -- One query per tenant among the claimed rows, not one per row: a pass of single punches (one row each) costs
  -- a handful of statements, not hundreds (bench/Bus.Benchmarks measured the per-row loop as the relay's limit).
  FOR v_tenant IN
    WITH claimed AS (
      SELECT o.id, o.tenant_id
      FROM staffing.outbox o
      WHERE o.published_at IS NULL
      ORDER BY o.id
      LIMIT p_limit
      FOR UPDATE SKIP LOCKED
    )
    SELECT c.tenant_id, array_agg(c.id) AS ids FROM claimed c GROUP BY c.tenant_id
  LOOP
    PERFORM set_config('app.current_tenant', v_tenant.tenant_id::text, true);
    RETURN QUERY
      SELECT m.outbox_id, m.position, m.tenant_id, m.message_type,
             CASE WHEN m.message_type = 'DailyResultChanged' THEN m.payload || w.watermark ELSE m.payload END,
             o.trace_parent, o.created_at
      FROM staffing.outbox o
      CROSS JOIN LATERAL (SELECT max(e) AS max_event_id FROM unnest(o.event_ids) AS e) newest
      JOIN staffing.outbox_messages m ON m.outbox_id = o.id
      -- The day's input watermark as of this change: its window's events up to this row's newest event
      -- (a person's writes are serialised by the kernel, so no later event of theirs can have a smaller id).
      LEFT JOIN LATERAL (
        SELECT jsonb_build_object('input_punch_count', count(*), 'input_max_punch_event_db_id', max(e.id)) AS watermark
        FROM staffing.time_punch_events e
        WHERE m.message_type = 'DailyResultChanged'
          AND e.tenant_id = v_tenant.tenant_id
          AND e.person_uuid = (m.payload ->> 'person_uuid')::uuid
          AND e.punch_time >= staffing.window_start_of((m.payload ->> 'work_date')::date)
          AND e.punch_time < staffing.window_end_of((m.payload ->> 'work_date')::date)
          AND (newest.max_event_id IS NULL OR e.id <= newest.max_event_id)
      ) w ON true
      WHERE o.id = ANY (v_tenant.ids)
      ORDER BY m.outbox_id, m.position;
  END LOOP;
  PERFORM staffing.leave_outbox_relay(v_saved.previous_tenant, v_saved.previous_relay);
END;
$$;

-- Marks claimed rows published; call it in the claiming transaction after the broker confirmed them.
CREATE FUNCTION staffing.mark_outbox_published(p_outbox_ids bigint[])
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_saved record := staffing.enter_outbox_relay();
  v_marked integer;
BEGIN
  UPDATE staffing.outbox SET published_at = now()
  WHERE id = ANY (p_outbox_ids) AND published_at IS NULL;
  GET DIAGNOSTICS v_marked = ROW_COUNT;
  PERFORM staffing.leave_outbox_relay(v_saved.previous_tenant, v_saved.previous_relay);
  RETURN v_marked;
END;
$$;

-- Deletes up to p_limit rows published before p_published_before, oldest first; returns how many.
CREATE FUNCTION staffing.prune_published_outbox(p_published_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_saved record := staffing.enter_outbox_relay();
  v_pruned integer;
BEGIN
  DELETE FROM staffing.outbox
  WHERE id IN (SELECT id FROM staffing.outbox
               WHERE published_at < p_published_before
               ORDER BY id LIMIT greatest(p_limit, 0));
  GET DIAGNOSTICS v_pruned = ROW_COUNT;
  PERFORM staffing.leave_outbox_relay(v_saved.previous_tenant, v_saved.previous_relay);
  RETURN v_pruned;
END;
$$;

-- The backlog for metrics and health: unpublished rows and the age of the oldest (NULL when none).
CREATE FUNCTION staffing.outbox_backlog(OUT unpublished bigint, OUT oldest_unpublished_at timestamptz)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_saved record := staffing.enter_outbox_relay();
BEGIN
  SELECT count(*), min(created_at) INTO unpublished, oldest_unpublished_at
  FROM staffing.outbox WHERE published_at IS NULL;
  PERFORM staffing.leave_outbox_relay(v_saved.previous_tenant, v_saved.previous_relay);
END;
$$;

REVOKE EXECUTE ON FUNCTION staffing.enter_outbox_relay(), staffing.leave_outbox_relay(text, text),
  staffing.claim_outbox_messages(integer),
  staffing.mark_outbox_published(bigint[]),
  staffing.prune_published_outbox(timestamptz, integer),
  staffing.outbox_backlog() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.claim_outbox_messages(integer),
  staffing.mark_outbox_published(bigint[]),
  staffing.prune_published_outbox(timestamptz, integer),
  staffing.outbox_backlog() TO punch_ledger_app;
