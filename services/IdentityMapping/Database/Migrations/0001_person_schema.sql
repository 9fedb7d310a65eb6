-- Schema `person`: the tenant's people and the links from platform user ids (DingTalk, WeCom) to them.
--
-- Created by, and so owned by, the role that runs migrations (attendance_owner: NOSUPERUSER NOBYPASSRLS).
-- The write doors in 0005 are SECURITY DEFINER functions owned by this role; because the owner cannot
-- bypass row-level security (every table FORCEs it), the tenant policies keep applying inside them.
CREATE SCHEMA person;

-- Nothing in the schema is usable by anyone but the owner until 0006_grants.sql says so.
REVOKE ALL ON SCHEMA person FROM PUBLIC;

-- Postgres grants EXECUTE on every new function to PUBLIC. Take that back for everything this role
-- creates from now on (the punch ledger's migrations say the same; the statement is idempotent and
-- either component may migrate first), so a function added later stays private until a grant names it.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
