-- Schema `person`: the tenant's people and the links from platform user ids (DingTalk, WeCom) to them.
--
-- Created by, and so owned by, the role that runs migrations (attendance_owner: NOSUPERUSER NOBYPASSRLS).
-- The write doors in 0005 are SECURITY DEFINER functions owned by this role; because the owner cannot
-- bypass row-level security (every table FORCEs it), the tenant policies keep applying inside them.
CREATE SCHEMA person;

-- Nothing in the schema is usable by anyone but the owner until 0006_grants.sql says so.
REVOKE ALL ON SCHEMA person FROM PUBLIC;

-- Postgres grants EXECUTE on every new function to PUBLIC. The migration that creates functions takes
-- that back for the whole schema in the same transaction (see the end of 0005), and so must any later
-- one. ALTER DEFAULT PRIVILEGES is not used here: it is a setting of the owner role for the whole
-- database, shared with the punch ledger's migrations, and when two components migrate a new database at
-- the same time (the AppHost starts them in parallel) both insert that one pg_default_acl row and one
-- fails (duplicate key on pg_default_acl_role_nsp_obj_index; reproduced 20 times out of 20).
