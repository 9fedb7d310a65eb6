-- The bus consumer stores DailyResultChanged in batches (one transaction and one advisory lock per batch, not per
-- change): record_daily_result_changes takes a tenant's changes as a JSON array and replaces the one-change
-- function of 0001. Same guarantees: stored once per message id, sequences handed out in commit order.
DROP FUNCTION results.record_daily_result_change(uuid, uuid, uuid, date, text, text[], integer, bigint, timestamptz);

-- p_changes: [{message_id, person_uuid, work_date, status, flags: [..], input_punch_count,
-- input_max_punch_event_sequence, occurred_at}, ...], in arrival order. Returns the changes stored now (a message
-- stored before, or repeated in the array, is stored once) with their sequences, in that order.
CREATE FUNCTION results.record_daily_result_changes(p_tenant_id uuid, p_changes jsonb)
RETURNS TABLE (message_id uuid, change_sequence bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF current_setting('app.current_tenant', true) IS DISTINCT FROM p_tenant_id::text THEN
    RAISE EXCEPTION 'record_daily_result_changes: tenant % is not the current tenant', p_tenant_id
      USING ERRCODE = '42501';
  END IF;
  -- One store at a time (across replicas and batches), so a sequence is only handed out after every smaller one
  -- committed: a stream that read up to N never misses a change that commits later with a smaller sequence.
  PERFORM pg_advisory_xact_lock(hashtext('results.daily_result_changes'));
  RETURN QUERY
  WITH incoming AS (
    SELECT DISTINCT ON (c.message_id) c.*
    FROM ROWS FROM (jsonb_to_recordset(p_changes) AS (
      message_id uuid, person_uuid uuid, work_date date, status text, flags text[], input_punch_count integer,
      input_max_punch_event_sequence bigint, occurred_at timestamptz))
      WITH ORDINALITY AS c(message_id, person_uuid, work_date, status, flags, input_punch_count,
                           input_max_punch_event_sequence, occurred_at, ordinality)
    ORDER BY c.message_id, c.ordinality
  ), stored AS (
    INSERT INTO results.daily_result_changes AS d (
      message_id, tenant_id, person_uuid, work_date, status, flags, input_punch_count,
      input_max_punch_event_sequence, occurred_at)
    SELECT i.message_id, p_tenant_id, i.person_uuid, i.work_date, i.status, i.flags, i.input_punch_count,
           i.input_max_punch_event_sequence, i.occurred_at
    FROM incoming i
    ORDER BY i.ordinality
    ON CONFLICT ON CONSTRAINT daily_result_changes_message_key DO NOTHING
    RETURNING d.message_id, d.change_sequence
  )
  SELECT s.message_id, s.change_sequence FROM stored s ORDER BY s.change_sequence;
END;
$$;

REVOKE EXECUTE ON FUNCTION results.record_daily_result_changes(uuid, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION results.record_daily_result_changes(uuid, jsonb) TO daily_results_app;
