-- The ledger: one immutable row per punch, the single source of truth. Daily results are derived
-- from it and can be rebuilt from it at any time (see staffing.rebuild_daily_attendance_results).
-- Event UUIDs are time-ordered (the layout of UUID version 7: 48 bits of Unix milliseconds, the version,
-- then random bits), so the unique index on them grows at its right edge like the id's: a random UUID
-- would land on a random leaf page of an ever larger index, costing a page read and, after each
-- checkpoint, a full-page image in the WAL for nearly every insert. One expression (plain SQL, no SET
-- clause), so the planner inlines it into the INSERT.
CREATE FUNCTION staffing.time_ordered_uuid()
RETURNS uuid
LANGUAGE sql
VOLATILE PARALLEL SAFE
AS $$
  SELECT encode(
    overlay(uuid_send(gen_random_uuid())
            PLACING int8send((floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint << 16)
                             | 28672 -- version 7 in bits 12..15
                             | floor(random() * 4096)::bigint)
            FROM 1 FOR 8),
    'hex')::uuid
$$;

CREATE TABLE staffing.time_punch_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_uuid uuid NOT NULL DEFAULT staffing.time_ordered_uuid(),
  tenant_id uuid NOT NULL,
  person_uuid uuid NOT NULL,
  punch_time timestamptz NOT NULL,
  -- RAW: a platform punch without a direction (DingTalk/WeCom); the projection gives it one.
  punch_type text NOT NULL,
  source_provider text NOT NULL,
  -- The platform's own id of the punch; with the provider it identifies a redelivery.
  source_event_id text NULL,
  -- The caller's idempotency key: a retry with the same key and the same fields is the same event.
  request_id text NOT NULL,
  -- The untouched input (platform payloads are kept for audit, never trusted as verdicts).
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  initiator_id text NULL,
  created_at timestamptz NOT NULL DEFAULT now(),

  CONSTRAINT time_punch_events_event_uuid_key UNIQUE (event_uuid),
  CONSTRAINT time_punch_events_punch_type_check
    CHECK (punch_type IN ('IN','OUT','RAW')),
  CONSTRAINT time_punch_events_source_provider_check
    CHECK (source_provider IN ('MANUAL','IMPORT','DINGTALK','WECOM','CORRECTION'))
  -- The other argument rules (request_id length, source_event_id for platform punches, payload shape)
  -- are checked by the doors, the only writers (grants), which answer STAFFING_INVALID_ARGUMENT. They are
  -- not repeated as CHECK constraints: Postgres re-reads and compiles every CHECK of a table for every
  -- writing statement, a cost the single-punch door would pay on each call.
);

-- Every index below that starts with tenant_id is partial, on an always-true predicate over the column
-- its own queries constrain. The planner only considers a partial index for a query that implies its
-- predicate, so each query shape has exactly one index that can serve it. Without that, on a young
-- table without statistics, these indexes look equally cheap for "tenant_id = $1 AND ..." and a cached
-- generic plan may read a tenant's whole ledger through the wrong one, for every day it recomputes or
-- every retry it looks up (observed in the benchmark: a 1,000-punch batch took seconds).

-- A request_id names one event per tenant: UNIQUE (tenant_id, request_id) (request_id is NOT NULL, so
-- the predicate holds for every row). Used by ON CONFLICT and the idempotency lookup.
CREATE UNIQUE INDEX time_punch_events_request_id_key
  ON staffing.time_punch_events (tenant_id, request_id)
  WHERE request_id IS NOT NULL;

-- A platform event delivered twice (stream reconnect, poller overlap) must land once, whatever request_id
-- the connector derived for it. Manual and import punches have no source id and are not constrained.
CREATE UNIQUE INDEX time_punch_events_source_event_key
  ON staffing.time_punch_events (tenant_id, source_provider, source_event_id)
  WHERE source_event_id IS NOT NULL;

-- The projection (and ListPunches) read one person's punches in a time window, in (punch_time, id)
-- order. person_uuid is NOT NULL: the predicate only keeps the idempotency lookups off this index.
CREATE INDEX time_punch_events_person_time_idx
  ON staffing.time_punch_events (tenant_id, person_uuid, punch_time, id)
  WHERE person_uuid IS NOT NULL;

ALTER TABLE staffing.time_punch_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.time_punch_events FORCE ROW LEVEL SECURITY;
-- No missing_ok: without app.current_tenant the policy itself raises, so a forgotten tenant fails closed.
CREATE POLICY tenant_isolation ON staffing.time_punch_events
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

-- Append-only, even for the owner (grants already keep the service role out): a changed or deleted
-- event would silently change history that daily results, exports and audits were derived from.
-- Corrections are new events (source_provider CORRECTION). Statement-level, so the refusal does not
-- depend on whether any row matched.
CREATE FUNCTION staffing.refuse_time_punch_event_change()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  RAISE EXCEPTION USING
    MESSAGE = 'STAFFING_EVENT_IMMUTABLE',
    DETAIL = format('staffing.time_punch_events is append-only; %s is refused (record a correction event instead)', TG_OP);
END;
$$;

CREATE TRIGGER time_punch_events_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON staffing.time_punch_events
  FOR EACH STATEMENT EXECUTE FUNCTION staffing.refuse_time_punch_event_change();

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
