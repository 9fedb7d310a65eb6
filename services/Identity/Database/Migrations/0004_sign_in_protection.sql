-- Issue 14: lockout after consecutive failed passwords, and the temporary password an admin sets (the user must
-- choose a new one before any token is issued). The lock itself is computed by the service (Identity:Lockout) in one
-- UPDATE; these columns only hold its state.
ALTER TABLE identity.users
  -- Wrong passwords since the last success (or the last lock, which starts the count again).
  ADD COLUMN failed_sign_ins integer NOT NULL DEFAULT 0,
  -- Locked while now() < locked_until; a lock that has run out may stay here until the next success or reset.
  ADD COLUMN locked_until timestamptz,
  -- Set by an admin's password reset: the password is a temporary one and opens only the change-password page.
  ADD COLUMN must_change_password boolean NOT NULL DEFAULT false,
  ADD CONSTRAINT users_failed_sign_ins_check CHECK (failed_sign_ins >= 0);

GRANT UPDATE (failed_sign_ins, locked_until, must_change_password) ON identity.users TO identity_app;

ALTER TABLE identity.user_changes DROP CONSTRAINT user_changes_action_check;
ALTER TABLE identity.user_changes ADD CONSTRAINT user_changes_action_check CHECK (action IN (
  'created', 'roles_set', 'deactivated', 'updated', 'locked', 'unlocked', 'password_reset', 'password_changed'));

-- As in 0001, plus the new actions. Counting a wrong password (or clearing a lock that has run out) is bookkeeping,
-- not a change to the user: it is not recorded, or every typo would fill the history and the audit log. Reaching
-- the limit is recorded ('locked', by the principal the sign-in form sets), as is an admin's unlock of a lock that
-- still holds.
CREATE OR REPLACE FUNCTION identity.record_user_change() RETURNS trigger
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
    WHEN OLD.password_hash IS DISTINCT FROM NEW.password_hash AND NEW.must_change_password THEN 'password_reset'
    WHEN OLD.password_hash IS DISTINCT FROM NEW.password_hash THEN 'password_changed'
    WHEN NEW.locked_until > now() AND NEW.locked_until IS DISTINCT FROM OLD.locked_until THEN 'locked'
    WHEN OLD.locked_until > now() AND (NEW.locked_until IS NULL OR NEW.locked_until <= now()) THEN 'unlocked'
    WHEN to_jsonb(OLD) - ARRAY['failed_sign_ins', 'locked_until', 'updated_at'] =
         to_jsonb(NEW) - ARRAY['failed_sign_ins', 'locked_until', 'updated_at'] THEN NULL
    ELSE 'updated' END;
  IF what IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO identity.user_changes (tenant_id, user_id, changed_by, action, details)
  VALUES (NEW.tenant_id, NEW.user_id, principal, what, jsonb_build_object(
    'user_name', NEW.user_name, 'display_name', NEW.display_name, 'roles', to_jsonb(NEW.roles),
    'person_id', NEW.person_id, 'preferred_locale', NEW.preferred_locale, 'active', NEW.active,
    'password_changed', TG_OP = 'UPDATE' AND OLD.password_hash IS DISTINCT FROM NEW.password_hash,
    'must_change_password', NEW.must_change_password,
    'locked_until', CASE WHEN NEW.locked_until > now() THEN NEW.locked_until END));
  PERFORM audit.append(NEW.tenant_id, principal, 'identity', 'user.' || what, 'user', NEW.user_id::text,
    jsonb_build_object('user_name', NEW.user_name, 'roles', to_jsonb(NEW.roles), 'active', NEW.active,
      'locked_until', CASE WHEN NEW.locked_until > now() THEN NEW.locked_until END,
      'must_change_password', NEW.must_change_password));
  RETURN NULL;
END $$;
