-- The admin's to-do list: platform user ids the connectors asked about (ResolveIdentities with
-- record_unmapped) that had no active link. An unmapped punch is parked, never dropped (seed 001 §8);
-- this queue is how the admin finds the ids to link. Linking an id removes its row.
CREATE TABLE person.unmapped_identities (
  tenant_id uuid NOT NULL,
  provider text NOT NULL,
  external_user_id text COLLATE "C" NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  -- How many times the id was asked about without a link (each occurrence in a request counts).
  seen_count bigint NOT NULL DEFAULT 1,

  CONSTRAINT unmapped_identities_pkey PRIMARY KEY (tenant_id, provider, external_user_id),
  CONSTRAINT unmapped_identities_provider_check
    CHECK (provider IN ('DINGTALK','WECOM')),
  CONSTRAINT unmapped_identities_external_user_id_check
    CHECK (char_length(external_user_id) BETWEEN 1 AND 128),
  CONSTRAINT unmapped_identities_seen_count_check
    CHECK (seen_count >= 1)
);

-- ListUnmapped: most recently seen first, keyset-paged on (last_seen_at DESC, provider, external_user_id).
CREATE INDEX unmapped_identities_recent_idx
  ON person.unmapped_identities (tenant_id, last_seen_at DESC, provider, external_user_id);

ALTER TABLE person.unmapped_identities ENABLE ROW LEVEL SECURITY;
ALTER TABLE person.unmapped_identities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON person.unmapped_identities
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);
