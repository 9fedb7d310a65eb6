-- A polling connector's cursor per tenant (WeCom: checkin/getcheckindata over a sliding window): how far the tenant's
-- punches were read completely, and the last poll's outcome for the status. Written only by the replica holding the
-- tenant's lease, and only with a fencing token at least the stored one (a paused former holder cannot move it).
-- Unused by a connector that is pushed to (DingTalk): the table stays empty.
CREATE TABLE {{schema}}.poll_cursors (
  tenant_id uuid NOT NULL,
  -- The end of the last window read completely; the next window starts an overlap before it.
  polled_until timestamptz NULL,
  fencing_token bigint NOT NULL DEFAULT 0,
  last_poll_at timestamptz NULL,
  last_success_at timestamptz NULL,
  last_window_start timestamptz NULL,
  last_window_end timestamptz NULL,
  last_records integer NOT NULL DEFAULT 0,
  last_punches integer NOT NULL DEFAULT 0,
  last_no_punch_rows integer NOT NULL DEFAULT 0,
  last_unreadable integer NOT NULL DEFAULT 0,
  polls bigint NOT NULL DEFAULT 0,
  failures bigint NOT NULL DEFAULT 0,
  -- The error's message only (never a request: no secret or token reaches here).
  last_error text NULL,
  last_error_at timestamptz NULL,
  holder text NULL,

  CONSTRAINT poll_cursors_pkey PRIMARY KEY (tenant_id)
);

ALTER TABLE {{schema}}.poll_cursors ENABLE ROW LEVEL SECURITY;
ALTER TABLE {{schema}}.poll_cursors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {{schema}}.poll_cursors
USING (tenant_id = current_setting('app.current_tenant')::uuid)
WITH CHECK (tenant_id = current_setting('app.current_tenant')::uuid);

GRANT SELECT, INSERT, UPDATE ON {{schema}}.poll_cursors TO {{app_role}};
