-- Schema `staffing`: the punch ledger's kernel (events, derived daily results, outbox, doors).
--
-- It is created by, and so owned by, the role that runs migrations (attendance_owner: NOSUPERUSER,
-- NOBYPASSRLS). That matters: the doors are SECURITY DEFINER functions owned by this role, and because
-- the owner cannot bypass row-level security, the tenant policies keep applying inside them.
CREATE SCHEMA staffing;

-- Nothing in the schema is usable by anyone but the owner until 0006_grants.sql says so.
REVOKE ALL ON SCHEMA staffing FROM PUBLIC;

-- Postgres grants EXECUTE on every new function to PUBLIC. Each migration that creates functions takes
-- that back for the whole schema in its own transaction (and PUBLIC cannot reach the schema anyway).
-- ALTER DEFAULT PRIVILEGES is not used: it is a setting of the owner role for the whole database, shared
-- with the other components' migrations, which may run at the same moment on a new database.
