-- identity-mapping's outbox (issue 11): ExternalIdentityLinked when a platform user id is linked to a person,
-- ExternalIdentityUnlinked when that link ends, each written in the same transaction as the change it announces,
-- so a committed link is never without its message and a rolled-back one never has one. The outbox relay
-- (libs/Messaging, run inside the identity-mapping service) publishes them to the bus through the functions at
-- the end of this file; the connectors consume ExternalIdentityLinked to replay the punches they parked.
--
-- The rows are written by triggers on person.external_identity_links, not by the doors: the doors (0005) stay
-- as they are, and any change of a link, whoever makes it, is announced. Only real changes fire them:
--   * link_identity's INSERT ... ON CONFLICT DO NOTHING inserts nothing for an idempotent retry of the same
--     link, so no AFTER INSERT row trigger fires and nothing is announced;
--   * unlink_identity sets unlinked_at once (the history guard of 0003 refuses any other UPDATE).
-- The triggers run as whoever writes the links table, which is only the owner (inside the SECURITY DEFINER
-- doors): the service role cannot write the links, and it has no grant at all on person.outbox.

-- One row per message (a door changes one link per call), in write order.
CREATE TABLE person.outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  message_type text NOT NULL,
  -- {"link_id", "provider", "external_user_id", "person_uuid"}: the link row the message is about.
  payload jsonb NOT NULL,
  -- The W3C traceparent of the request whose transaction wrote the row (the service sets app.trace_parent next to
  -- app.current_tenant, libs/Database/TenantScopedBatch), so the bus messages continue its trace.
  trace_parent text NULL DEFAULT nullif(current_setting('app.trace_parent', true), ''),
  -- The time of the change: the link's linked_at, or its unlinked_at.
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz NULL,

  CONSTRAINT outbox_message_type_check
    CHECK (message_type IN ('ExternalIdentityLinked', 'ExternalIdentityUnlinked'))
);

-- The relay's work queue: unpublished rows in write order, as small as the backlog.
CREATE INDEX outbox_unpublished_idx ON person.outbox (id) WHERE published_at IS NULL;

ALTER TABLE person.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE person.outbox FORCE ROW LEVEL SECURITY;
-- Fail-closed like the other person tables: without app.current_tenant the policy itself raises.
CREATE POLICY tenant_isolation ON person.outbox
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

-- Cross-tenant access for the relay functions only, as in punch-ledger 0009: they run as the owner with
-- app.outbox_relay = 'on' (person.enter_outbox_relay) while they work. The service role has no grant on the
-- table, so whatever it sets, these policies never apply to it.
CREATE POLICY outbox_relay_read ON person.outbox FOR SELECT TO CURRENT_USER
  USING (current_setting('app.outbox_relay', true) = 'on');
CREATE POLICY outbox_relay_mark ON person.outbox FOR UPDATE TO CURRENT_USER
  USING (current_setting('app.outbox_relay', true) = 'on')
  WITH CHECK (current_setting('app.outbox_relay', true) = 'on');
CREATE POLICY outbox_relay_prune ON person.outbox FOR DELETE TO CURRENT_USER
  USING (current_setting('app.outbox_relay', true) = 'on');

-- ---------------------------------------------------------------------------------------------------
-- Writing: triggers on the links
-- ---------------------------------------------------------------------------------------------------

CREATE FUNCTION person.announce_identity_link_change()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  -- Under the table's tenant policy: the row's tenant is the transaction's (the doors write only there).
  INSERT INTO person.outbox (tenant_id, message_type, payload, created_at)
  VALUES (
    NEW.tenant_id,
    CASE TG_OP WHEN 'INSERT' THEN 'ExternalIdentityLinked' ELSE 'ExternalIdentityUnlinked' END,
    jsonb_build_object('link_id', NEW.id, 'provider', NEW.provider,
                       'external_user_id', NEW.external_user_id, 'person_uuid', NEW.person_uuid),
    CASE TG_OP WHEN 'INSERT' THEN NEW.linked_at ELSE NEW.unlinked_at END);
  RETURN NULL;
END;
$$;

CREATE TRIGGER external_identity_links_announce_link
  AFTER INSERT ON person.external_identity_links
  FOR EACH ROW WHEN (NEW.unlinked_at IS NULL)
  EXECUTE FUNCTION person.announce_identity_link_change();

CREATE TRIGGER external_identity_links_announce_unlink
  AFTER UPDATE OF unlinked_at ON person.external_identity_links
  FOR EACH ROW WHEN (OLD.unlinked_at IS NULL AND NEW.unlinked_at IS NOT NULL)
  EXECUTE FUNCTION person.announce_identity_link_change();

-- ---------------------------------------------------------------------------------------------------
-- Reading: the relay's functions (the same names, arguments and result columns as the ledger's, so the
-- library's relay works unchanged)
-- ---------------------------------------------------------------------------------------------------

-- Enters relay mode for the rest of the calling function, returning the settings to restore after it.
-- app.current_tenant becomes the nil uuid, so the tenant policy evaluates to false instead of raising while
-- the relay policies let the rows through.
CREATE FUNCTION person.enter_outbox_relay(OUT previous_tenant text, OUT previous_relay text)
LANGUAGE plpgsql
AS $$
BEGIN
  previous_tenant := coalesce(current_setting('app.current_tenant', true), '');
  previous_relay := coalesce(current_setting('app.outbox_relay', true), '');
  PERFORM set_config('app.outbox_relay', 'on', true),
          set_config('app.current_tenant', '00000000-0000-0000-0000-000000000000', true);
END;
$$;

CREATE FUNCTION person.leave_outbox_relay(p_previous_tenant text, p_previous_relay text)
RETURNS void
LANGUAGE sql
AS $$
  SELECT set_config('app.outbox_relay', p_previous_relay, true),
         set_config('app.current_tenant', p_previous_tenant, true)
$$;

-- Claims up to p_limit unpublished rows of every tenant, oldest first, skipping rows another relay holds (locked
-- until the caller's COMMIT). One message per row: its position is always 1.
CREATE FUNCTION person.claim_outbox_messages(p_limit integer)
RETURNS TABLE (
  outbox_id bigint,
  message_position bigint,
  tenant_id uuid,
  message_type text,
  payload jsonb,
  trace_parent text,
  created_at timestamptz)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_saved record;
BEGIN
  IF p_limit IS NULL OR p_limit < 1 OR p_limit > 10000 THEN
    RAISE EXCEPTION 'claim_outbox_messages: p_limit must be 1..10000, got %', p_limit
      USING ERRCODE = '22023';
  END IF;
  v_saved := person.enter_outbox_relay();
  RETURN QUERY
    SELECT o.id, 1::bigint, o.tenant_id, o.message_type, o.payload, o.trace_parent, o.created_at
    FROM person.outbox o
    WHERE o.published_at IS NULL
    ORDER BY o.id
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED;
  PERFORM person.leave_outbox_relay(v_saved.previous_tenant, v_saved.previous_relay);
END;
$$;

-- Marks claimed rows published; call it in the claiming transaction after the broker confirmed them.
CREATE FUNCTION person.mark_outbox_published(p_outbox_ids bigint[])
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_saved record := person.enter_outbox_relay();
  v_marked integer;
BEGIN
  UPDATE person.outbox SET published_at = now()
  WHERE id = ANY (p_outbox_ids) AND published_at IS NULL;
  GET DIAGNOSTICS v_marked = ROW_COUNT;
  PERFORM person.leave_outbox_relay(v_saved.previous_tenant, v_saved.previous_relay);
  RETURN v_marked;
END;
$$;

-- Deletes up to p_limit rows published before p_published_before, oldest first; returns how many.
CREATE FUNCTION person.prune_published_outbox(p_published_before timestamptz, p_limit integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_saved record := person.enter_outbox_relay();
  v_pruned integer;
BEGIN
  DELETE FROM person.outbox
  WHERE id IN (SELECT id FROM person.outbox
               WHERE published_at < p_published_before
               ORDER BY id LIMIT greatest(p_limit, 0));
  GET DIAGNOSTICS v_pruned = ROW_COUNT;
  PERFORM person.leave_outbox_relay(v_saved.previous_tenant, v_saved.previous_relay);
  RETURN v_pruned;
END;
$$;

-- The backlog for metrics and health: unpublished rows and the time of the oldest (NULL when none).
CREATE FUNCTION person.outbox_backlog(OUT unpublished bigint, OUT oldest_unpublished_at timestamptz)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_saved record := person.enter_outbox_relay();
BEGIN
  SELECT count(*), min(created_at) INTO unpublished, oldest_unpublished_at
  FROM person.outbox WHERE published_at IS NULL;
  PERFORM person.leave_outbox_relay(v_saved.previous_tenant, v_saved.previous_relay);
END;
$$;

-- Nothing here is PUBLIC's (see 0001); the service role may run the relay's four functions and nothing else of it.
REVOKE ALL ON person.outbox FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA person FROM PUBLIC;
GRANT EXECUTE ON FUNCTION person.claim_outbox_messages(integer),
  person.mark_outbox_published(bigint[]),
  person.prune_published_outbox(timestamptz, integer),
  person.outbox_backlog() TO identity_mapping_app;
