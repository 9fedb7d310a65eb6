-- Schema `staffing`: the punch ledger's kernel (events, derived daily results, outbox, doors).
--
-- It is created by, and so owned by, the role that runs migrations (attendance_owner: NOSUPERUSER,
-- NOBYPASSRLS). That matters: the doors are SECURITY DEFINER functions owned by this role, and because
-- the owner cannot bypass row-level security, the tenant policies keep applying inside them.
CREATE SCHEMA staffing;

-- Nothing in the schema is usable by anyone but the owner until 0006_grants.sql says so.
REVOKE ALL ON SCHEMA staffing FROM PUBLIC;

-- Postgres grants EXECUTE on every new function to PUBLIC. A per-schema default privilege cannot take
-- that back (per-schema defaults only add), so revoke it for everything this role creates from now on:
-- a function added by a later migration stays private until a grant names it.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
