-- DingTalk's attendance exports (issue 16): what the parse detected a file to be, where each row came from, and the
-- DingTalk user ids an import could not map, counted in identity-mapping's unmapped queue as the connectors count
-- theirs. (0018 stages rows with their place and a DingTalk punch's request id.)

-- xlsx or csv; RAW_RECORDS (原始记录) or DAILY_STATISTICS (每日统计); the sheet read (NULL for a CSV); the header's rows.
ALTER TABLE staffing.import_batches
  ADD COLUMN detected_container text NULL,
  ADD COLUMN detected_layout text NULL,
  ADD COLUMN detected_sheet text NULL,
  ADD COLUMN header_row integer NULL,
  ADD COLUMN header_last_row integer NULL;

-- The row of the sheet (or CSV file) as a spreadsheet numbers it, and the column the punch's time was in (a 每日统计
-- row holds up to six punches, each its own line: line = sheet_row * 8 + slot).
ALTER TABLE staffing.import_rows
  ADD COLUMN sheet_row integer NULL,
  ADD COLUMN source_column text NULL;

-- Counts the DingTalk user ids of a batch's rows that no link maps (IMPORT_ROW_UNMAPPED_EXTERNAL_ID) in
-- person.unmapped_identities, the admin's to-do list that ListUnmapped shows (one count per row, as
-- person.resolve_identities counts each occurrence), inside the caller's tenant. The parse calls it once, in the
-- transaction that makes the batch PARSED (a parse that starts over after a crash has not counted yet).
-- Returns the number of distinct ids.
CREATE FUNCTION staffing.record_import_unmapped(p_import_id uuid)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant uuid := current_setting('app.current_tenant')::uuid;
  v_ids integer;
BEGIN
  INSERT INTO person.unmapped_identities AS u (tenant_id, provider, external_user_id, seen_count)
  SELECT v_tenant, 'DINGTALK', r.external_user_id, count(*)
  FROM staffing.import_rows r
  WHERE r.import_id = p_import_id AND r.tenant_id = v_tenant
    AND r.error_code = 'IMPORT_ROW_UNMAPPED_EXTERNAL_ID' AND r.external_user_id IS NOT NULL
  GROUP BY r.external_user_id
  -- A fixed order: concurrent imports and connectors with overlapping ids lock their rows in the same order.
  ORDER BY r.external_user_id COLLATE "C"
  ON CONFLICT ON CONSTRAINT unmapped_identities_pkey DO UPDATE
    SET last_seen_at = greatest(u.last_seen_at, excluded.last_seen_at),
        seen_count = u.seen_count + excluded.seen_count;
  GET DIAGNOSTICS v_ids = ROW_COUNT;
  RETURN v_ids;
END;
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.record_import_unmapped(uuid) TO punch_ledger_app;
