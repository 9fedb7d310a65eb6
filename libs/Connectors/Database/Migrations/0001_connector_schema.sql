-- A connector's own schema ({{schema}}): the punches it parked because their platform user id had no link, and its
-- per-tenant integration settings. Applied once per connector by the `migrations` resource, with {{schema}} and
-- {{app_role}} set to that connector's (libs/Connectors/Database/ConnectorDatabase.cs). Tenant tables are under
-- row-level security that fails closed, like every other tenant table of the system.
CREATE SCHEMA {{schema}};
REVOKE ALL ON SCHEMA {{schema}} FROM PUBLIC;
GRANT USAGE ON SCHEMA {{schema}} TO {{app_role}};

-- A platform punch whose external user id had no active link when it arrived (PARKED), kept until the id is linked
-- and the punch is submitted to the ledger (REPLAYED); or one the ledger refused for good (REJECTED: a person no longer
-- active, a time out of range), kept with the refusal so nothing the platform sent is silently dropped.
CREATE TABLE {{schema}}.parked_punches (
  tenant_id uuid NOT NULL,
  source_event_id text COLLATE "C" NOT NULL,
  external_user_id text COLLATE "C" NOT NULL,
  punch_time timestamptz NOT NULL,
  punch_type text NOT NULL,
  -- The platform's record as it arrived, for audit (its verdicts are never used).
  payload jsonb NOT NULL,
  state text NOT NULL DEFAULT 'PARKED',
  parked_at timestamptz NOT NULL DEFAULT now(),
  -- When identity-mapping's unmapped queue was told about this punch (its parked_punch_count); NULL = not yet.
  reported_at timestamptz NULL,
  settled_at timestamptz NULL,
  person_uuid uuid NULL,
  event_id uuid NULL,
  error_code text NULL,
  error_message text NULL,

  CONSTRAINT parked_punches_pkey PRIMARY KEY (tenant_id, source_event_id),
  CONSTRAINT parked_punches_state_check CHECK (state IN ('PARKED', 'REPLAYED', 'REJECTED')),
  CONSTRAINT parked_punches_type_check CHECK (punch_type IN ('IN', 'OUT', 'RAW')),
  CONSTRAINT parked_punches_ids_check CHECK (
    char_length(source_event_id) BETWEEN 1 AND 200 AND char_length(external_user_id) BETWEEN 1 AND 128),
  CONSTRAINT parked_punches_replayed_check CHECK (state <> 'REPLAYED' OR (person_uuid IS NOT NULL AND event_id IS NOT NULL))
);

-- Replay on link reads one id's waiting punches.
CREATE INDEX parked_punches_waiting_idx ON {{schema}}.parked_punches (tenant_id, external_user_id, punch_time)
  WHERE state = 'PARKED';

ALTER TABLE {{schema}}.parked_punches ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.parked_punches FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {{schema}}.parked_punches
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

-- No DELETE: a parked punch's history stays.
GRANT SELECT, INSERT, UPDATE ON {{schema}}.parked_punches TO {{app_role}};

-- The tenant's connection to the platform: the app key (client id) and its secret, encrypted by the connector
-- (AES-GCM with a key the database never sees); enabled = the connector holds a stream / polls for this tenant.
CREATE TABLE {{schema}}.integration_settings (
  tenant_id uuid NOT NULL,
  client_id text NOT NULL,
  client_secret_ciphertext bytea NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text NOT NULL,

  CONSTRAINT integration_settings_pkey PRIMARY KEY (tenant_id),
  CONSTRAINT integration_settings_client_id_check CHECK (char_length(client_id) BETWEEN 1 AND 128)
);

ALTER TABLE {{schema}}.integration_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.integration_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {{schema}}.integration_settings
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

GRANT SELECT, INSERT, UPDATE, DELETE ON {{schema}}.integration_settings TO {{app_role}};

-- The one cross-tenant read the connector needs: which tenants have an enabled integration (ids only, no secrets),
-- to start their streams. The function runs as the owner with app.connector_directory = 'on' while it reads; the
-- service role has no way to set that policy's condition on the table itself (it is evaluated for the owner only).
CREATE POLICY directory_read ON {{schema}}.integration_settings FOR SELECT TO CURRENT_USER
  USING (current_setting('app.connector_directory', true) = 'on');

CREATE FUNCTION {{schema}}.enabled_tenants()
RETURNS SETOF uuid
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_previous_tenant text := coalesce(current_setting('app.current_tenant', true), '');
  v_previous_directory text := coalesce(current_setting('app.connector_directory', true), '');
BEGIN
  PERFORM set_config('app.connector_directory', 'on', true),
          set_config('app.current_tenant', '00000000-0000-0000-0000-000000000000', true);
  RETURN QUERY SELECT s.tenant_id FROM {{schema}}.integration_settings s WHERE s.enabled ORDER BY s.tenant_id;
  PERFORM set_config('app.connector_directory', v_previous_directory, true),
          set_config('app.current_tenant', v_previous_tenant, true);
END;
$$;

REVOKE EXECUTE ON FUNCTION {{schema}}.enabled_tenants() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {{schema}}.enabled_tenants() TO {{app_role}};
