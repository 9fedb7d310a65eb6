-- Schema `results`: the daily-results service's change feed, the changes of the ledger's daily results as
-- they arrive on the bus (DailyResultChanged), kept so that WatchDailyResults and the SSE route can stream
-- them live and a caller can resume after the last change it saw. Derived, never authoritative: the
-- results themselves are the ledger's staffing.daily_attendance_results.
CREATE SCHEMA results;
REVOKE ALL ON SCHEMA results FROM PUBLIC;

CREATE TABLE results.daily_result_changes (
  change_sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The bus message's id (stable per change): a redelivery stores nothing.
  message_id uuid NOT NULL,
  tenant_id uuid NOT NULL,
  person_uuid uuid NOT NULL,
  work_date date NOT NULL,
  status text NOT NULL,
  flags text[] NOT NULL,
  input_punch_count integer NOT NULL,
  input_max_punch_event_sequence bigint NOT NULL,
  occurred_at timestamptz NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT daily_result_changes_message_key UNIQUE (message_id),
  CONSTRAINT daily_result_changes_status_check CHECK (status IN ('PRESENT', 'ABSENT', 'EXCEPTION'))
);

-- Streams read a tenant's changes after a sequence.
CREATE INDEX daily_result_changes_tenant_idx ON results.daily_result_changes (tenant_id, change_sequence);

ALTER TABLE results.daily_result_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE results.daily_result_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON results.daily_result_changes
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

-- The highest sequence pruned so far: a resume point at or below it may have lost changes.
CREATE TABLE results.change_feed_horizon (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  pruned_through bigint NOT NULL
);
INSERT INTO results.change_feed_horizon VALUES (true, 0);

-- Stores one change; returns its change_sequence, or NULL when this message was stored before.
-- The transaction-level advisory lock makes the stores one at a time (across replicas), so a sequence is
-- only ever handed out after every smaller one committed: a stream that read up to N never misses a change
-- that commits later with a smaller sequence.
CREATE FUNCTION results.record_daily_result_change(
  p_tenant_id uuid, p_message_id uuid, p_person_uuid uuid, p_work_date date, p_status text, p_flags text[],
  p_input_punch_count integer, p_input_max_punch_event_sequence bigint, p_occurred_at timestamptz)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_sequence bigint;
BEGIN
  IF current_setting('app.current_tenant', true) IS DISTINCT FROM p_tenant_id::text THEN
    RAISE EXCEPTION 'record_daily_result_change: tenant % is not the current tenant', p_tenant_id
      USING ERRCODE = '42501';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('results.daily_result_changes'));
  INSERT INTO results.daily_result_changes (
    message_id, tenant_id, person_uuid, work_date, status, flags, input_punch_count,
    input_max_punch_event_sequence, occurred_at)
  VALUES (p_message_id, p_tenant_id, p_person_uuid, p_work_date, p_status, p_flags, p_input_punch_count,
          p_input_max_punch_event_sequence, p_occurred_at)
  ON CONFLICT (message_id) DO NOTHING
  RETURNING change_sequence INTO v_sequence;
  RETURN v_sequence;
END;
$$;

-- Deletes changes stored before p_before (up to p_limit, oldest first) and moves the horizon; returns how many.
-- Cross-tenant: while it runs, app.results_prune lets the owner's prune policies below through (and the
-- nil tenant keeps the tenant policy from raising); it restores nothing the caller needs, as the service
-- calls it in a transaction of its own.
CREATE FUNCTION results.prune_daily_result_changes(p_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_through bigint;
  v_pruned integer;
BEGIN
  -- Sequences are stored in commit order, so everything up to the newest old-enough sequence is old enough.
  PERFORM set_config('app.current_tenant', '00000000-0000-0000-0000-000000000000', true);
  PERFORM set_config('app.results_prune', 'on', true);
  SELECT max(change_sequence) INTO v_through
  FROM (SELECT change_sequence FROM results.daily_result_changes
        WHERE stored_at < p_before ORDER BY change_sequence LIMIT greatest(p_limit, 0)) s;
  IF v_through IS NULL THEN
    PERFORM set_config('app.results_prune', '', true);
    RETURN 0;
  END IF;
  DELETE FROM results.daily_result_changes WHERE change_sequence <= v_through;
  GET DIAGNOSTICS v_pruned = ROW_COUNT;
  UPDATE results.change_feed_horizon SET pruned_through = greatest(pruned_through, v_through);
  PERFORM set_config('app.results_prune', '', true);
  RETURN v_pruned;
END;
$$;

-- Pruning is the one cross-tenant access, for the owner only and only while the function above runs.
CREATE POLICY change_feed_prune_read ON results.daily_result_changes FOR SELECT TO CURRENT_USER
  USING (current_setting('app.results_prune', true) = 'on');
CREATE POLICY change_feed_prune ON results.daily_result_changes FOR DELETE TO CURRENT_USER
  USING (current_setting('app.results_prune', true) = 'on');

-- The service role: record and prune through the functions, read the feed (RLS: its tenant only) and the horizon.
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA results FROM PUBLIC;
GRANT USAGE ON SCHEMA results TO daily_results_app;
GRANT SELECT ON results.daily_result_changes, results.change_feed_horizon TO daily_results_app;
GRANT EXECUTE ON FUNCTION results.record_daily_result_change(uuid, uuid, uuid, date, text, text[], integer, bigint, timestamptz),
  results.prune_daily_result_changes(timestamptz, integer) TO daily_results_app;
