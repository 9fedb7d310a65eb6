-- Notifications (PunchRecorded, DailyResultChanged) written in the same transaction as the change they
-- announce, so a committed change is never without its notification and a rolled-back one never has
-- one. A relay publishes them to the bus later; the bus only drives side effects (architecture.md).
CREATE TABLE staffing.outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid NOT NULL,
  message_type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz NULL,

  CONSTRAINT outbox_message_type_check
    CHECK (message_type IN ('PunchRecorded','DailyResultChanged'))
);

-- The relay's work queue: unpublished messages in write order. Partial, so it stays as small as the
-- backlog however long the table grows.
CREATE INDEX outbox_unpublished_idx ON staffing.outbox (id) WHERE published_at IS NULL;

ALTER TABLE staffing.outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE staffing.outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON staffing.outbox
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);
