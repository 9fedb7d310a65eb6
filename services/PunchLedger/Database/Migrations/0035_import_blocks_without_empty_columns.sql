-- A staged block's columns that no row of it has a value in come as NULL instead of arrays of NULLs: an export's
-- employee numbers, person UUIDs, request ids and codes, our CSV's user ids, sheet rows and source columns
-- (ImportStore.StageBlocksAsync). Each of the 14 columns was unnested element by element into a tuplestore of its own;
-- the five an export's valid block leaves empty were ~55 of ~930 ms of staging 100,000 rows (by hand on a private
-- server, the benchmark's workbook rows, alternated 3 x), besides sending and receiving them. 0033's function
-- otherwise: same checks, rows, codes and order.

CREATE OR REPLACE FUNCTION staffing.stage_import_block(
  p_import_id uuid,
  p_attempt uuid,
  p_lines integer[],
  p_person_texts text[],
  p_time_texts text[],
  p_type_texts text[],
  p_employee_numbers text[],
  p_external_user_ids text[],
  p_person_uuids uuid[],
  p_punch_times timestamptz[],
  p_punch_types text[],
  p_request_ids text[],
  p_error_codes text[],
  p_error_details text[],
  p_sheet_rows integer[],
  p_source_columns text[])
RETURNS TABLE (staged integer, invalid integer)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET work_mem = '64MB'
SET enable_nestloop = off
SET jit = off
AS $$
DECLARE
  v_tenant uuid := current_setting('app.current_tenant')::uuid;
  v_rows integer := coalesce(cardinality(p_lines), 0);
BEGIN
  -- Every column as long as the lines, or NULL when the block's rows all have no value there (unnest pads a column
  -- shorter than the lines with NULLs: one that is not NULL must be exactly as long). The lines: one dimension.
  IF v_rows = 0 OR EXISTS (
       SELECT FROM unnest(ARRAY[cardinality(p_person_texts), cardinality(p_time_texts), cardinality(p_type_texts),
                                cardinality(p_employee_numbers), cardinality(p_external_user_ids), cardinality(p_person_uuids),
                                cardinality(p_punch_times), cardinality(p_punch_types), cardinality(p_request_ids),
                                cardinality(p_error_codes), cardinality(p_error_details), cardinality(p_sheet_rows),
                                cardinality(p_source_columns)]) c(n)
       WHERE n IS NOT NULL AND n <> v_rows)
     OR array_ndims(p_lines) <> 1 THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = 'a block is one or more rows, every column as long as the lines or NULL';
  END IF;
  PERFORM FROM staffing.import_batches b
  WHERE b.import_id = p_import_id AND b.tenant_id = v_tenant AND b.status = 'PARSING' AND b.parse_attempt = p_attempt
  FOR KEY SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = format('import %s is not being parsed by attempt %s in this tenant', p_import_id, p_attempt);
  END IF;
  WITH persons AS MATERIALIZED (
    SELECT p.person_uuid, p.employee_number, p.active FROM person.persons p WHERE p.tenant_id = v_tenant),
  links AS MATERIALIZED (
    SELECT l.external_user_id, l.person_uuid, lp.active
    FROM person.external_identity_links l
    LEFT JOIN persons lp ON lp.person_uuid = l.person_uuid
    WHERE l.tenant_id = v_tenant AND l.provider = 'DINGTALK' AND l.unlinked_at IS NULL),
  inserted AS (
    INSERT INTO staffing.import_rows (import_id, tenant_id, line, person_text, time_text, type_text, employee_number,
                                      external_user_id, person_uuid, punch_time, punch_type, request_id, error_code, error_detail,
                                      event_uuid, sheet_row, source_column)
    SELECT p_import_id, v_tenant, s.line, s.person_text, s.time_text, s.type_text, s.employee_number, s.external_user_id,
           coalesce(s.person_uuid, e.person_uuid, l.person_uuid),
           s.punch_time, s.punch_type,
           -- A punch of a DingTalk export comes without a request id: it is named by its person and minute.
           coalesce(s.request_id, 'import:dingtalk:' || coalesce(e.person_uuid, l.person_uuid)::text || ':'
                                  || to_char(s.punch_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"')),
           CASE
             WHEN s.error_code IS NOT NULL THEN s.error_code
             WHEN s.employee_number IS NOT NULL AND e.person_uuid IS NULL THEN 'IMPORT_ROW_UNKNOWN_EMPLOYEE'
             WHEN s.external_user_id IS NOT NULL AND s.employee_number IS NULL AND l.person_uuid IS NULL
               THEN 'IMPORT_ROW_UNMAPPED_EXTERNAL_ID'
             WHEN s.person_uuid IS NOT NULL AND g.person_uuid IS NULL THEN 'IMPORT_ROW_UNKNOWN_PERSON'
             WHEN coalesce(g.active, e.active, l.active) IS FALSE THEN 'IMPORT_ROW_INACTIVE_PERSON'
           END,
           CASE
             WHEN s.error_code IS NOT NULL THEN s.error_detail
             WHEN s.employee_number IS NOT NULL AND e.person_uuid IS NULL
               THEN format('no person of this tenant has employee number %s', s.employee_number)
             WHEN s.external_user_id IS NOT NULL AND s.employee_number IS NULL AND l.person_uuid IS NULL
               THEN format('DingTalk user id %s is linked to no person (link it in identity-mapping)', s.external_user_id)
             WHEN s.person_uuid IS NOT NULL AND g.person_uuid IS NULL
               THEN format('person_uuid %s is not a person of this tenant', s.person_uuid)
             WHEN coalesce(g.active, e.active, l.active) IS FALSE THEN 'the person is deactivated'
           END,
           NULL::uuid, s.sheet_row, s.source_column
    -- (a NULL column unnests as no elements, padded with NULLs: nothing to read for it)
    FROM unnest(p_lines, coalesce(p_person_texts, '{}'), coalesce(p_time_texts, '{}'), coalesce(p_type_texts, '{}'),
                coalesce(p_employee_numbers, '{}'), coalesce(p_external_user_ids, '{}'), coalesce(p_person_uuids, '{}'),
                coalesce(p_punch_times, '{}'), coalesce(p_punch_types, '{}'), coalesce(p_request_ids, '{}'),
                coalesce(p_error_codes, '{}'), coalesce(p_error_details, '{}'), coalesce(p_sheet_rows, '{}'),
                coalesce(p_source_columns, '{}'))
           AS s(line, person_text, time_text, type_text, employee_number, external_user_id, person_uuid, punch_time,
                punch_type, request_id, error_code, error_detail, sheet_row, source_column)
    LEFT JOIN persons e ON s.error_code IS NULL AND e.employee_number = s.employee_number
    LEFT JOIN links l ON s.error_code IS NULL AND s.employee_number IS NULL AND l.external_user_id = s.external_user_id
    LEFT JOIN persons g ON s.error_code IS NULL AND g.person_uuid = s.person_uuid
    -- In line order: the commit reads the rows a range of lines at a time.
    ORDER BY s.line
    RETURNING error_code)
  SELECT count(*)::integer, count(i.error_code)::integer INTO staged, invalid FROM inserted i;
  RETURN NEXT;
END;
$$;

