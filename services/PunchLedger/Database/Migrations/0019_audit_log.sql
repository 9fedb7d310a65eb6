-- The audit log (issue 14): who did what, when, for every write of every service, append-only, kept for a retention
-- period, listed for tenant-admins (attendance.audit.v1.AuditLog, served by punch-ledger).
--
-- Entries are written by triggers on the tables the writes land in, never by the services' code: a write that
-- forgets to audit cannot exist, and no service role can write, change or delete an entry (they have no privilege on
-- audit.entries but SELECT for the reader). The trigger functions are SECURITY DEFINER (owned by attendance_owner,
-- NOBYPASSRLS, so the tenant policy still applies inside them).
--
--   table                               entry (action)
--   staffing.time_punch_events          punch.recorded (one punch in a statement) or punches.recorded (a batch door
--                                       call: one entry per statement, initiator and source, with the count)
--   person.persons                      person.created, person.updated, person.deactivated, person.reactivated
--   person.external_identity_links      identity.linked, identity.unlinked
--   staffing.import_audit               import.<action> (prepare, parsed, failed, commit_requested, committed)
--   (0020) adjustments, approvers       adjustment.*, approver.*
--
-- The actor is what the row says (the token's subject the service recorded: initiator_id, linked_by, …) or, for
-- tables that keep no actor (persons), the transaction setting app.actor, which the service sets with the tenant.

CREATE SCHEMA audit;
REVOKE ALL ON SCHEMA audit FROM PUBLIC;

CREATE TABLE audit.entries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  -- The token subject that caused the write ('system' for the services' own background work).
  actor text NOT NULL,
  -- The service whose table recorded the write.
  service text NOT NULL,
  -- A stable name, object.verb (punch.recorded, identity.linked, adjustment.approved, …).
  action text NOT NULL,
  object_type text NOT NULL,
  object_id text NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- The W3C traceparent of the request (app.trace_parent), to find its trace in the dashboard.
  trace_parent text NULL
);
-- Newest first per tenant (the viewer pages along it); by action and by actor for the filters.
CREATE INDEX entries_tenant_id_idx ON audit.entries (tenant_id, id DESC);
CREATE INDEX entries_tenant_action_idx ON audit.entries (tenant_id, action, id DESC);
CREATE INDEX entries_tenant_actor_idx ON audit.entries (tenant_id, actor, id DESC);
-- The retention purge walks the oldest entries of every tenant.
CREATE INDEX entries_occurred_at_idx ON audit.entries (occurred_at);

ALTER TABLE audit.entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit.entries FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit.entries
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);
-- Only audit.purge_expired deletes, across tenants, and only what its setting allows (a DELETE with a WHERE clause
-- must also see the rows, hence the SELECT policy).
CREATE POLICY retention_purge_read ON audit.entries FOR SELECT TO CURRENT_USER
USING (current_setting('audit.purging', true) = 'on');
CREATE POLICY retention_purge ON audit.entries FOR DELETE TO CURRENT_USER
USING (current_setting('audit.purging', true) = 'on');

-- Append-only, even for the owner: an UPDATE is refused always, a DELETE outside the retention purge too.
CREATE FUNCTION audit.refuse_entry_change()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('audit.purging', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION USING
    MESSAGE = 'AUDIT_ENTRY_IMMUTABLE',
    DETAIL = format('audit.entries is append-only; %s is refused', TG_OP);
END;
$$;
CREATE TRIGGER entries_append_only
  BEFORE UPDATE OR TRUNCATE ON audit.entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_entry_change();
CREATE TRIGGER entries_delete_only_by_purge
  BEFORE DELETE ON audit.entries
  FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_entry_change();

-- The transaction's traceparent, or NULL.
CREATE FUNCTION audit.current_trace_parent()
RETURNS text
LANGUAGE sql
STABLE
AS $$ SELECT nullif(current_setting('app.trace_parent', true), '') $$;

-- The actor a row does not record itself: app.actor, set by the service with the tenant.
CREATE FUNCTION audit.current_actor()
RETURNS text
LANGUAGE sql
STABLE
AS $$ SELECT coalesce(nullif(current_setting('app.actor', true), ''), 'unknown') $$;

-- One entry, in the transaction's tenant (the row's tenant_id must be it: the policy's WITH CHECK), with its trace.
-- Called by the trigger functions below (owner's rights); granted to no service role.
CREATE FUNCTION audit.append(
  p_tenant_id uuid, p_actor text, p_service text, p_action text, p_object_type text, p_object_id text, p_details jsonb,
  p_occurred_at timestamptz DEFAULT now())
RETURNS void
LANGUAGE sql
AS $$
  INSERT INTO audit.entries (tenant_id, occurred_at, actor, service, action, object_type, object_id, details, trace_parent)
  VALUES (p_tenant_id, p_occurred_at, coalesce(p_actor, audit.current_actor()), p_service, p_action, p_object_type,
          p_object_id, p_details, audit.current_trace_parent())
$$;

-- Deletes the entries older than p_keep_days (at least 30), in every tenant; returns how many. The punch-ledger's
-- retention worker calls it (AuditLog:RetentionDays).
CREATE FUNCTION audit.purge_expired(p_keep_days integer)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_deleted bigint;
  v_previous_tenant text := coalesce(current_setting('app.current_tenant', true), '');
BEGIN
  IF p_keep_days IS NULL OR p_keep_days < 30 THEN
    RAISE EXCEPTION USING MESSAGE = 'AUDIT_INVALID_ARGUMENT',
      DETAIL = format('the audit log keeps at least 30 days; %s was asked', p_keep_days);
  END IF;
  -- The nil tenant makes the tenant policy false (instead of an error when no tenant is set); the purge policy reaches
  -- every tenant's entries.
  PERFORM set_config('audit.purging', 'on', true),
          set_config('app.current_tenant', '00000000-0000-0000-0000-000000000000', true);
  DELETE FROM audit.entries WHERE occurred_at < now() - make_interval(days => p_keep_days);
  GET DIAGNOSTICS v_deleted = ROW_COUNT;
  PERFORM set_config('audit.purging', 'off', true),
          set_config('app.current_tenant', v_previous_tenant, true);
  RETURN v_deleted;
END;
$$;

-- ---------------------------------------------------------------------------------------------------
-- Punches: one entry per statement that recorded punches, per initiator and source
-- ---------------------------------------------------------------------------------------------------
CREATE FUNCTION audit.record_punches()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO audit.entries (tenant_id, actor, service, action, object_type, object_id, details, trace_parent)
  SELECT a.tenant_id, coalesce(a.initiator_id, 'unknown'), 'punch-ledger',
         CASE WHEN count(*) = 1 THEN 'punch.recorded' ELSE 'punches.recorded' END,
         'punch',
         CASE WHEN count(*) = 1 THEN min(a.event_uuid::text) END,
         CASE WHEN count(*) = 1 THEN jsonb_build_object(
                'source_provider', a.source_provider, 'person_uuid', min(a.person_uuid::text),
                'punch_time', min(a.punch_time), 'punch_type', min(a.punch_type), 'request_id', min(a.request_id))
              ELSE jsonb_build_object(
                'source_provider', a.source_provider, 'count', count(*), 'persons', count(DISTINCT a.person_uuid),
                'first_punch_time', min(a.punch_time), 'last_punch_time', max(a.punch_time))
         END,
         audit.current_trace_parent()
  FROM recorded a
  GROUP BY a.tenant_id, a.initiator_id, a.source_provider;
  RETURN NULL;
END;
$$;
CREATE TRIGGER time_punch_events_audit
  AFTER INSERT ON staffing.time_punch_events
  REFERENCING NEW TABLE AS recorded
  FOR EACH STATEMENT EXECUTE FUNCTION audit.record_punches();

-- ---------------------------------------------------------------------------------------------------
-- Persons (identity-mapping)
-- ---------------------------------------------------------------------------------------------------
CREATE FUNCTION audit.record_person()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_action text;
  v_details jsonb;
BEGIN
  IF TG_OP = 'INSERT' THEN
    v_action := 'person.created';
    v_details := jsonb_build_object('employee_number', NEW.employee_number, 'display_name', NEW.display_name);
  ELSE
    IF NEW.active IS DISTINCT FROM OLD.active THEN
      v_action := CASE WHEN NEW.active THEN 'person.reactivated' ELSE 'person.deactivated' END;
    ELSIF NEW.display_name IS DISTINCT FROM OLD.display_name THEN
      v_action := 'person.updated';
    ELSE
      RETURN NULL;  -- nothing an admin would call a change
    END IF;
    v_details := jsonb_build_object('employee_number', NEW.employee_number);
    IF NEW.display_name IS DISTINCT FROM OLD.display_name THEN
      v_details := v_details || jsonb_build_object('display_name', jsonb_build_object('from', OLD.display_name, 'to', NEW.display_name));
    END IF;
  END IF;
  PERFORM audit.append(NEW.tenant_id, NULL, 'identity-mapping', v_action, 'person', NEW.person_uuid::text, v_details);
  RETURN NULL;
END;
$$;
CREATE TRIGGER persons_audit
  AFTER INSERT OR UPDATE ON person.persons
  FOR EACH ROW EXECUTE FUNCTION audit.record_person();

-- ---------------------------------------------------------------------------------------------------
-- Identity links (identity-mapping): a link is a row; unlinking stamps unlinked_at/by
-- ---------------------------------------------------------------------------------------------------
CREATE FUNCTION audit.record_identity_link()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_unlinked boolean := TG_OP = 'UPDATE' AND OLD.unlinked_at IS NULL AND NEW.unlinked_at IS NOT NULL;
BEGIN
  IF TG_OP = 'INSERT' OR v_unlinked THEN
    PERFORM audit.append(NEW.tenant_id, CASE WHEN v_unlinked THEN NEW.unlinked_by ELSE NEW.linked_by END, 'identity-mapping',
      CASE WHEN v_unlinked THEN 'identity.unlinked' ELSE 'identity.linked' END,
      'identity-link', NEW.provider || ':' || NEW.external_user_id,
      jsonb_build_object('provider', NEW.provider, 'external_user_id', NEW.external_user_id, 'person_uuid', NEW.person_uuid::text));
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER external_identity_links_audit
  AFTER INSERT OR UPDATE ON person.external_identity_links
  FOR EACH ROW EXECUTE FUNCTION audit.record_identity_link();

-- ---------------------------------------------------------------------------------------------------
-- Imports: the import's own audit trail (staffing.import_audit) flows into the one log
-- ---------------------------------------------------------------------------------------------------
CREATE FUNCTION audit.record_import()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  PERFORM audit.append(NEW.tenant_id, NEW.actor, 'punch-ledger', 'import.' || lower(NEW.action), 'import', NEW.import_id::text,
    NEW.details || CASE WHEN NEW.file_sha256 IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('file_sha256', NEW.file_sha256) END,
    NEW.at);
  RETURN NULL;
END;
$$;
CREATE TRIGGER import_audit_to_audit_log
  AFTER INSERT ON staffing.import_audit
  FOR EACH ROW EXECUTE FUNCTION audit.record_import();

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA audit FROM PUBLIC;

-- The reader (punch-ledger serves the log) and the retention worker; nobody else touches the schema.
GRANT USAGE ON SCHEMA audit TO punch_ledger_app;
GRANT SELECT ON audit.entries TO punch_ledger_app;
GRANT EXECUTE ON FUNCTION audit.purge_expired(integer) TO punch_ledger_app;
