-- The import's commit in parts that run at once (issue 13: 100,000 rows committed in seconds on 2 cores). One
-- connection calling the batch door chunk after chunk keeps one Postgres backend, so one core, busy; the rows are now
-- split by person into Imports:CommitParts parts, each committed chunk by chunk on its own connection, each with its
-- own cursor. A person's rows are all in one part and go through the door in line order, so every person's punches get
-- their event ids in the file's order, as one-by-one submission would give them: the daily results cannot differ. Two
-- parts never wait for each other's person locks (no person is in both), only for the batch row's counters at the
-- end of each chunk.

CREATE TABLE staffing.import_commit_parts (
  import_id uuid NOT NULL REFERENCES staffing.import_batches (import_id),
  tenant_id uuid NOT NULL,
  part smallint NOT NULL,
  parts smallint NOT NULL,
  -- Every row of this part up to this line has its outcome (the part's cursor; 0012's commit_after_line is now the
  -- batch's last line once every part is done).
  after_line integer NOT NULL DEFAULT 0,
  CONSTRAINT import_commit_parts_pkey PRIMARY KEY (import_id, part),
  CONSTRAINT import_commit_parts_part_check CHECK (parts BETWEEN 1 AND 16 AND part >= 0 AND part < parts)
);

ALTER TABLE staffing.import_commit_parts ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.import_commit_parts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staffing.import_commit_parts
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

GRANT SELECT, INSERT, UPDATE ON staffing.import_commit_parts TO punch_ledger_app;

-- The part of a person's rows: the last byte of the person's UUID (random in version 4 and 7 UUIDs alike), so the
-- parts are even without a hash; plain SQL, inlined into the chunk's scan.
CREATE FUNCTION staffing.import_commit_part(p_person_uuid uuid, p_parts integer)
RETURNS integer
LANGUAGE sql
IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT get_byte(uuid_send(p_person_uuid), 15) % p_parts $$;

REVOKE EXECUTE ON FUNCTION staffing.import_commit_part(uuid, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.import_commit_part(uuid, integer) TO punch_ledger_app;
