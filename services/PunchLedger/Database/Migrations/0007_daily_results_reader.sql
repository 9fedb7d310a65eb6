-- What the daily-results service role (daily_results_app) may do: read the daily results, nothing else.
-- No doors, no events, no writes; RLS still limits every read to app.current_tenant. The role exists
-- before migrations run (the launcher / ops create it, like punch_ledger_app).
GRANT USAGE ON SCHEMA staffing TO daily_results_app;
GRANT SELECT ON staffing.daily_attendance_results TO daily_results_app;
