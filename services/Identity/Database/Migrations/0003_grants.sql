-- What the service's login (identity_app) may do. The role exists before migrations run (services/Migrations).
REVOKE ALL ON ALL TABLES IN SCHEMA identity FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA identity FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA identity FROM PUBLIC;

GRANT USAGE ON SCHEMA identity TO identity_app;

-- The directory: read at sign-in; a tenant is added (Development's demo tenant, provisioning), never changed here.
GRANT SELECT, INSERT ON identity.tenants TO identity_app;
-- Users: created, roles set, deactivated; never deleted (RLS keeps each to its tenant; the trigger records each change).
GRANT SELECT, INSERT ON identity.users TO identity_app;
GRANT UPDATE (display_name, password_hash, roles, person_id, preferred_locale, active, updated_at) ON identity.users TO identity_app;
-- The history: read only; the trigger appends.
GRANT SELECT ON identity.user_changes TO identity_app;

-- OpenIddict's stores (codes are redeemed, tokens revoked and pruned).
GRANT SELECT, INSERT, UPDATE, DELETE ON identity."OpenIddictApplications", identity."OpenIddictAuthorizations",
  identity."OpenIddictScopes", identity."OpenIddictTokens" TO identity_app;
