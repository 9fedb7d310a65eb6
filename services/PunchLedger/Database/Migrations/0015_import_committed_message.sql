-- ImportCommitted (issue 13 item 4): when an import's commit has recorded its last chunk, the ledger announces it on the
-- bus, through the same outbox as PunchRecorded and DailyResultChanged, in the transaction that marks the batch
-- COMMITTED (so a committed import is never without its message, and the message never precedes the last chunk).
--
-- The outbox row gets a third list beside event_ids and changed_days: announcements, messages that are neither an
-- event nor a day, each {"type": ..., "payload": {...}}. staffing.outbox_messages spells them out after a row's other
-- messages; the relay's functions read the view and need no change.

ALTER TABLE staffing.outbox ADD COLUMN announcements jsonb NOT NULL DEFAULT '[]'::jsonb;

CREATE OR REPLACE VIEW staffing.outbox_messages AS
SELECT o.id AS outbox_id, m.position, o.tenant_id, m.message_type, m.payload, o.created_at, o.published_at
FROM staffing.outbox o
CROSS JOIN LATERAL (
  SELECT u.n AS position, 'PunchRecorded'::text AS message_type,
         staffing.punch_recorded_message(e.tenant_id, e.id, e.event_uuid, e.person_uuid, e.punch_time,
                                         e.punch_type, e.source_provider, e.source_event_id, e.request_id)
           AS payload
  FROM unnest(o.event_ids) WITH ORDINALITY AS u(event_id, n)
  JOIN staffing.time_punch_events e ON e.id = u.event_id
  UNION ALL
  SELECT cardinality(o.event_ids) + c.n, 'DailyResultChanged'::text,
         jsonb_build_object('tenant_id', o.tenant_id) || c.day
  FROM jsonb_array_elements(o.changed_days) WITH ORDINALITY AS c(day, n)
  UNION ALL
  SELECT cardinality(o.event_ids) + jsonb_array_length(o.changed_days) + a.n, a.message ->> 'type',
         jsonb_build_object('tenant_id', o.tenant_id) || (a.message -> 'payload')
  FROM jsonb_array_elements(o.announcements) WITH ORDINALITY AS a(message, n)
) m;

REVOKE ALL ON staffing.outbox_messages FROM PUBLIC;

-- Writes the ImportCommitted message of a COMMITTED import of the current tenant: the batch's counts and what the
-- commit changed (the persons and work dates of its accepted rows; a punch also changes the day before its own, whose
-- window reaches into it, as the preview says).
CREATE FUNCTION staffing.announce_import_committed(p_import_id uuid)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant uuid := current_setting('app.current_tenant')::uuid;
  v_payload jsonb;
BEGIN
  SELECT jsonb_build_object(
           'import_id', b.import_id, 'format', b.format, 'file_name', b.file_name, 'file_sha256', b.file_sha256,
           'idempotency_key', b.idempotency_key, 'committed_by', b.committed_by, 'committed_at', b.committed_at,
           'rows_read', b.rows_read, 'rows_invalid', b.rows_invalid, 'rows_accepted', b.rows_accepted,
           'rows_duplicate', b.rows_duplicate, 'rows_rejected', b.rows_rejected,
           'persons', c.persons, 'from_date', c.from_date, 'to_date', c.to_date)
    INTO v_payload
  FROM staffing.import_batches b
  CROSS JOIN LATERAL (
    SELECT count(DISTINCT r.person_uuid) AS persons,
           min(staffing.work_date_of(r.punch_time)) - 1 AS from_date,
           max(staffing.work_date_of(r.punch_time)) AS to_date
    FROM staffing.import_rows r
    WHERE r.import_id = b.import_id AND r.outcome = 'ACCEPTED') c
  WHERE b.import_id = p_import_id AND b.status = 'COMMITTED';
  IF v_payload IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = format('import %s is not committed in this tenant', p_import_id);
  END IF;
  INSERT INTO staffing.outbox (tenant_id, announcements)
  VALUES (v_tenant, jsonb_build_array(jsonb_build_object('type', 'ImportCommitted', 'payload', v_payload)));
END;
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.announce_import_committed(uuid) TO punch_ledger_app;
