-- Notifications written in the same transaction as the change they announce, so a committed change is
-- never without its notification and a rolled-back one never has one. A relay publishes them to the bus
-- later; the bus only drives side effects (architecture.md).
--
-- Two kinds of message, PunchRecorded (one per new event) and DailyResultChanged (one per day whose
-- result changed), stored compactly: one row per door call (a single punch, or a whole batch) lists the
-- events it recorded and the days it changed. The ledger is immutable, so an event's id is its whole
-- PunchRecorded message; a result is not, so a changed day carries the status and flags it changed to.
-- staffing.outbox_messages (0005_kernel.sql) spells the rows out as the messages, in order: a row's
-- PunchRecorded messages, then its DailyResultChanged ones. One row instead of one per message keeps a
-- door's writes (and WAL) small: a single punch used to add two or three rows and their index entries.
CREATE TABLE staffing.outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  -- PunchRecorded: the ids of the events recorded, in the order the door recorded them.
  event_ids bigint[] NOT NULL DEFAULT '{}',
  -- DailyResultChanged: [{"person_uuid", "work_date", "status", "flags"}, ...] in (person, work_date) order.
  changed_days jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz NULL
  -- The kernel writes a row only when it has a message to put in it. That is not repeated as a CHECK:
  -- Postgres re-reads and compiles a table's CHECKs for every writing statement, on every door call.
);

-- A batch's row is large; compressing it would cost the door more than the space is worth.
ALTER TABLE staffing.outbox ALTER COLUMN event_ids SET STORAGE EXTERNAL;
ALTER TABLE staffing.outbox ALTER COLUMN changed_days SET STORAGE EXTERNAL;

-- The relay's work queue: unpublished messages in write order. Partial, so it stays as small as the
-- backlog however long the table grows.
CREATE INDEX outbox_unpublished_idx ON staffing.outbox (id) WHERE published_at IS NULL;

ALTER TABLE staffing.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staffing.outbox
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);
