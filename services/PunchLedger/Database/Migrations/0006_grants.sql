-- What the service role (punch_ledger_app) may do: call the two doors and read what they wrote.
-- Nothing else: no INSERT/UPDATE/DELETE/TRUNCATE anywhere, so every write goes through a door, which
-- validates, deduplicates and keeps the daily results in step with the events (enforced by grants,
-- not by convention). The roles exist before migrations run (the launcher / ops create them).

-- Belt and braces on top of the default privileges set in 0001: nothing in the schema is PUBLIC's.
REVOKE ALL ON ALL TABLES IN SCHEMA staffing FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA staffing FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;

GRANT USAGE ON SCHEMA staffing TO punch_ledger_app;

GRANT EXECUTE ON FUNCTION staffing.submit_time_punch_event(
  uuid, uuid, timestamptz, text, text, text, text, jsonb, text) TO punch_ledger_app;
GRANT EXECUTE ON FUNCTION staffing.submit_time_punch_events(
  uuid, uuid[], timestamptz[], text[], text[], text[], text[], jsonb[], text) TO punch_ledger_app;

-- Reads for ListPunches and read-after-write of results; RLS still limits them to app.current_tenant.
GRANT SELECT ON staffing.time_punch_events, staffing.daily_attendance_results TO punch_ledger_app;
