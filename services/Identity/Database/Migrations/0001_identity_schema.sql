-- Schema `identity`: who may sign in (tenants, users, their roles) and the append-only history of every change to a
-- user. Owned by the role that runs migrations (attendance_owner: NOSUPERUSER NOBYPASSRLS); the service's login
-- (identity_app) gets only what 0003_grants.sql says.
CREATE SCHEMA identity;
REVOKE ALL ON SCHEMA identity FROM PUBLIC;

-- The directory of tenants, read BEFORE anyone is signed in: the sign-in form names the tenant by its code, and the
-- tenant's users are then read under that tenant's RLS. Not a tenant's own data (a code and a name), so no RLS here.
CREATE TABLE identity.tenants (
  tenant_id uuid NOT NULL,
  -- Lower-case letters, digits and '-': typed by people on the sign-in form.
  code text COLLATE "C" NOT NULL,
  display_name text NOT NULL,
  default_locale text NOT NULL DEFAULT 'zh-CN',
  created_at timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT tenants_pkey PRIMARY KEY (tenant_id),
  CONSTRAINT tenants_code_key UNIQUE (code),
  CONSTRAINT tenants_tenant_check CHECK (tenant_id <> '00000000-0000-0000-0000-000000000000'),
  CONSTRAINT tenants_code_check CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  CONSTRAINT tenants_display_name_check CHECK (char_length(display_name) BETWEEN 1 AND 200 AND btrim(display_name) <> ''),
  CONSTRAINT tenants_default_locale_check CHECK (default_locale IN ('zh-CN', 'en'))
);

-- The people who sign in. user_name is stored lower-case (compared case-insensitively by the service).
CREATE TABLE identity.users (
  user_id uuid NOT NULL DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES identity.tenants (tenant_id),
  user_name text COLLATE "C" NOT NULL,
  display_name text NOT NULL,
  -- ASP.NET Core Identity's PasswordHasher format (PBKDF2, versioned); never the password.
  password_hash text NOT NULL,
  roles text[] NOT NULL,
  -- identity-mapping's person_uuid: employees and approvers read their own attendance through it.
  person_id uuid,
  preferred_locale text,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT users_pkey PRIMARY KEY (user_id),
  CONSTRAINT users_user_name_key UNIQUE (tenant_id, user_name),
  CONSTRAINT users_user_name_check CHECK (user_name ~ '^[a-z0-9][a-z0-9._@-]{0,99}$'),
  CONSTRAINT users_display_name_check CHECK (char_length(display_name) BETWEEN 1 AND 200 AND btrim(display_name) <> ''),
  CONSTRAINT users_roles_check CHECK (
    cardinality(roles) >= 1 AND roles <@ ARRAY['employee', 'approver', 'tenant-admin', 'integration']::text[]),
  CONSTRAINT users_employee_person_check CHECK (NOT ('employee' = ANY (roles)) OR person_id IS NOT NULL),
  CONSTRAINT users_preferred_locale_check CHECK (preferred_locale IS NULL OR preferred_locale IN ('zh-CN', 'en'))
);

ALTER TABLE identity.users ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.users FORCE ROW LEVEL SECURITY;
-- No missing_ok: without app.current_tenant the policy itself raises, so a forgotten tenant fails closed.
CREATE POLICY tenant_isolation ON identity.users
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

-- Every change to a user, appended by the trigger below in the same transaction: who (app.current_principal), when,
-- what. The service may only read it.
CREATE TABLE identity.user_changes (
  change_id bigint GENERATED ALWAYS AS IDENTITY,
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  changed_by text NOT NULL,
  action text NOT NULL,
  -- The user as it is after the change (never the password hash).
  details jsonb NOT NULL,

  CONSTRAINT user_changes_pkey PRIMARY KEY (change_id),
  CONSTRAINT user_changes_action_check CHECK (action IN ('created', 'roles_set', 'deactivated', 'updated'))
);
CREATE INDEX user_changes_user_idx ON identity.user_changes (tenant_id, user_id, change_id);

ALTER TABLE identity.user_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity.user_changes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON identity.user_changes
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

-- Owned by attendance_owner (NOBYPASSRLS), so the tenant policy still applies to the row it appends.
CREATE FUNCTION identity.record_user_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  principal text := nullif(current_setting('app.current_principal', true), '');
  what text;
BEGIN
  IF principal IS NULL THEN
    RAISE EXCEPTION 'ACCOUNTS_PRINCIPAL_MISSING' USING DETAIL = 'a change to a user needs app.current_principal (who makes it)';
  END IF;
  what := CASE
    WHEN TG_OP = 'INSERT' THEN 'created'
    WHEN OLD.active AND NOT NEW.active THEN 'deactivated'
    WHEN OLD.roles IS DISTINCT FROM NEW.roles THEN 'roles_set'
    ELSE 'updated' END;
  INSERT INTO identity.user_changes (tenant_id, user_id, changed_by, action, details)
  VALUES (NEW.tenant_id, NEW.user_id, principal, what, jsonb_build_object(
    'user_name', NEW.user_name, 'display_name', NEW.display_name, 'roles', to_jsonb(NEW.roles),
    'person_id', NEW.person_id, 'preferred_locale', NEW.preferred_locale, 'active', NEW.active,
    'password_changed', TG_OP = 'UPDATE' AND OLD.password_hash IS DISTINCT FROM NEW.password_hash));
  -- The tenant's audit log too (punch-ledger's migration 0019, applied before these): role changes are writes like any other.
  PERFORM audit.append(NEW.tenant_id, principal, 'identity', 'user.' || what, 'user', NEW.user_id::text,
    jsonb_build_object('user_name', NEW.user_name, 'roles', to_jsonb(NEW.roles), 'active', NEW.active));
  RETURN NULL;
END $$;

CREATE TRIGGER users_record_change AFTER INSERT OR UPDATE ON identity.users
FOR EACH ROW EXECUTE FUNCTION identity.record_user_change();

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA identity FROM PUBLIC;
