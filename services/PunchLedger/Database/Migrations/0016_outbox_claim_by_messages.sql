-- The relay claims by messages, not rows (issue 13's memory goal): staffing.claim_outbox_messages(p_limit) takes
-- unpublished rows in order until they hold at least p_limit messages (PunchRecorded, DailyResultChanged and
-- announcements), or the backlog ends; a row is never split, so a pass can exceed p_limit by one row's messages (a
-- batch door call's row: at most 1,000 punches and their days). Everything else is 0009's function as it was:
-- SKIP LOCKED, per-tenant reads, the days' input watermarks. identity-mapping's outbox holds one message per row, so
-- its claim (p_limit rows) already means the same.

CREATE OR REPLACE FUNCTION staffing.claim_outbox_messages(p_limit integer)
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
  v_candidates refcursor;
  v_row record;
  v_ids bigint[] := '{}';
  v_messages bigint := 0;
  v_tenant record;
  v_saved record;
BEGIN
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 10000 THEN
    RAISE EXCEPTION 'claim_outbox_messages: p_limit must be 1..10000, got %', p_limit
      USING ERRCODE = '22023';
  END IF;
  v_saved := staffing.enter_outbox_relay();
  -- Rows in order until they hold p_limit messages: a batch's row holds up to 1,000 PunchRecorded and their changed
  -- days, so a limit in rows let one pass take 200 such rows (300,000 messages in the relay's memory at once, 1.2 GB
  -- measured by bench/Import.Benchmarks). FETCH takes one row at a time, so only the rows taken are locked (a FOR
  -- loop would fetch ahead and lock rows that other relays' passes then skip).
  OPEN v_candidates FOR
    SELECT o.id, cardinality(o.event_ids) + jsonb_array_length(o.changed_days) + jsonb_array_length(o.announcements) AS messages
    FROM staffing.outbox o
    WHERE o.published_at IS NULL
    ORDER BY o.id
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED;
  LOOP
    FETCH v_candidates INTO v_row;
    EXIT WHEN NOT FOUND;
    v_ids := v_ids || v_row.id;
    v_messages := v_messages + v_row.messages;
    EXIT WHEN v_messages >= p_limit;
  END LOOP;
  CLOSE v_candidates;
  -- One query per tenant among the claimed rows, not one per row: a pass of single punches (one row each) costs
  -- a handful of statements, not hundreds (bench/Bus.Benchmarks measured the per-row loop as the relay's limit).
  FOR v_tenant IN
    SELECT o.tenant_id, array_agg(o.id) AS ids FROM staffing.outbox o WHERE o.id = ANY (v_ids) GROUP BY o.tenant_id
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
