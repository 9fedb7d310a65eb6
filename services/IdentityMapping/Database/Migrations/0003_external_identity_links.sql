-- Links from a platform user id to a person (seed 000 PR-1: person.external_identity_links). A link is
-- never overwritten nor deleted: ending it sets unlinked_at/unlinked_by and keeps the row, so "who was
-- DingTalk user X on that day, and who said so" can always be answered.
CREATE TABLE person.external_identity_links (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  provider text NOT NULL,
  -- DingTalk userId / WeCom userid, exactly as the platform sends it: byte-wise equality, no case
  -- folding, no trimming (resolution never guesses, seed 001 §2.1).
  external_user_id text COLLATE "C" NOT NULL,
  -- DingTalk unionId, when known; kept for support, never used to resolve.
  union_id text COLLATE "C" NULL,
  person_uuid uuid NOT NULL,
  linked_at timestamptz NOT NULL DEFAULT now(),
  -- The x-principal-id of the call, when it named one.
  linked_by text NULL,
  unlinked_at timestamptz NULL,
  unlinked_by text NULL,

  CONSTRAINT external_identity_links_person_fkey
    FOREIGN KEY (tenant_id, person_uuid) REFERENCES person.persons (tenant_id, person_uuid),
  CONSTRAINT external_identity_links_provider_check
    CHECK (provider IN ('DINGTALK','WECOM')),
  CONSTRAINT external_identity_links_external_user_id_check
    CHECK (char_length(external_user_id) BETWEEN 1 AND 128),
  CONSTRAINT external_identity_links_union_id_check
    CHECK (union_id IS NULL OR char_length(union_id) BETWEEN 1 AND 128),
  CONSTRAINT external_identity_links_unlinked_by_check
    CHECK (unlinked_by IS NULL OR unlinked_at IS NOT NULL)
);

-- At most one ACTIVE link per (tenant, provider, external user id); ended links are history and any
-- number of them may exist. Also the index resolution probes.
CREATE UNIQUE INDEX external_identity_links_active_key
  ON person.external_identity_links (tenant_id, provider, external_user_id)
  WHERE unlinked_at IS NULL;

-- A person's links (history included), and the foreign key's lookups.
CREATE INDEX external_identity_links_person_idx
  ON person.external_identity_links (tenant_id, person_uuid);

ALTER TABLE person.external_identity_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE person.external_identity_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON person.external_identity_links
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

-- History is kept even against the owner (grants already keep the service role out): a link row may
-- only be ended, once; it is never deleted nor rewritten.
CREATE FUNCTION person.guard_identity_link_history()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND OLD.unlinked_at IS NULL
     AND NEW.unlinked_at IS NOT NULL
     AND (NEW.id, NEW.tenant_id, NEW.provider, NEW.external_user_id, NEW.union_id, NEW.person_uuid, NEW.linked_at, NEW.linked_by)
         IS NOT DISTINCT FROM
         (OLD.id, OLD.tenant_id, OLD.provider, OLD.external_user_id, OLD.union_id, OLD.person_uuid, OLD.linked_at, OLD.linked_by)
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION USING
    MESSAGE = 'IDENTITY_LINK_HISTORY_IMMUTABLE',
    DETAIL = format('person.external_identity_links keeps its history; %s is refused (end a link by setting unlinked_at once)', TG_OP);
END;
$$;

CREATE TRIGGER external_identity_links_keep_history
  BEFORE UPDATE ON person.external_identity_links
  FOR EACH ROW EXECUTE FUNCTION person.guard_identity_link_history();

-- Statement-level, so the refusal does not depend on whether any row matched.
CREATE TRIGGER external_identity_links_no_delete
  BEFORE DELETE OR TRUNCATE ON person.external_identity_links
  FOR EACH STATEMENT EXECUTE FUNCTION person.guard_identity_link_history();
