-- Import rows are resolved to persons as they are staged (issue 13's speed goal). The parse used to insert every row
-- and then rewrite every row once more to fill in its person (staffing.resolve_import_persons, 0011): a second version
-- of each wide row, the larger half of a 100,000-row parse. staffing.stage_import_rows inserts a block of parsed rows
-- with their persons (or the resolution's row code) in one statement, with the same rules:
--   employee_number   -> the tenant's person with that number, else IMPORT_ROW_UNKNOWN_EMPLOYEE;
--   DingTalk user id  -> (no employee number) its active identity link, else IMPORT_ROW_UNMAPPED_EXTERNAL_ID;
--   person_uuid       -> a person of the tenant, else IMPORT_ROW_UNKNOWN_PERSON;
--   a deactivated person: IMPORT_ROW_INACTIVE_PERSON.
-- A row the parse already refused keeps its code. SECURITY DEFINER: identity-mapping's tables belong to the owner,
-- and the owner is under their forced tenant policies like everyone else, so only app.current_tenant's persons match.
-- The service role loses INSERT on import_rows: rows enter through this function only.

CREATE FUNCTION staffing.stage_import_rows(
  p_import_id uuid,
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
  p_error_details text[])
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_tenant uuid := current_setting('app.current_tenant')::uuid;
  v_staged integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM staffing.import_batches WHERE import_id = p_import_id AND status = 'PARSING') THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = format('import %s is not being parsed in this tenant', p_import_id);
  END IF;
  INSERT INTO staffing.import_rows (import_id, tenant_id, line, person_text, time_text, type_text, employee_number,
                                    external_user_id, person_uuid, punch_time, punch_type, request_id, error_code, error_detail)
  SELECT p_import_id, v_tenant, u.line, u.person_text, u.time_text, u.type_text, u.employee_number, u.external_user_id,
         coalesce(u.person_uuid, p.person_uuid, l.person_uuid),
         u.punch_time, u.punch_type, u.request_id,
         CASE
           WHEN u.error_code IS NOT NULL THEN u.error_code
           WHEN u.employee_number IS NOT NULL AND p.person_uuid IS NULL THEN 'IMPORT_ROW_UNKNOWN_EMPLOYEE'
           WHEN u.external_user_id IS NOT NULL AND u.employee_number IS NULL AND l.person_uuid IS NULL
             THEN 'IMPORT_ROW_UNMAPPED_EXTERNAL_ID'
           WHEN u.person_uuid IS NOT NULL AND s.person_uuid IS NULL THEN 'IMPORT_ROW_UNKNOWN_PERSON'
           WHEN coalesce(s.active, p.active, la.active) IS FALSE THEN 'IMPORT_ROW_INACTIVE_PERSON'
         END,
         CASE
           WHEN u.error_code IS NOT NULL THEN u.error_detail
           WHEN u.employee_number IS NOT NULL AND p.person_uuid IS NULL
             THEN format('no person of this tenant has employee number %s', u.employee_number)
           WHEN u.external_user_id IS NOT NULL AND u.employee_number IS NULL AND l.person_uuid IS NULL
             THEN format('DingTalk user id %s is linked to no person (link it in identity-mapping)', u.external_user_id)
           WHEN u.person_uuid IS NOT NULL AND s.person_uuid IS NULL
             THEN format('person_uuid %s is not a person of this tenant', u.person_uuid)
           WHEN coalesce(s.active, p.active, la.active) IS FALSE THEN 'the person is deactivated'
         END
  FROM unnest(p_lines, p_person_texts, p_time_texts, p_type_texts, p_employee_numbers, p_external_user_ids,
              p_person_uuids, p_punch_times, p_punch_types, p_request_ids, p_error_codes, p_error_details)
         AS u(line, person_text, time_text, type_text, employee_number, external_user_id, person_uuid, punch_time,
              punch_type, request_id, error_code, error_detail)
  LEFT JOIN person.persons p
    ON u.error_code IS NULL AND u.employee_number IS NOT NULL AND p.tenant_id = v_tenant AND p.employee_number = u.employee_number
  LEFT JOIN person.external_identity_links l
    ON u.error_code IS NULL AND u.employee_number IS NULL AND u.external_user_id IS NOT NULL AND l.tenant_id = v_tenant
       AND l.provider = 'DINGTALK' AND l.external_user_id = u.external_user_id AND l.unlinked_at IS NULL
  LEFT JOIN person.persons la ON la.tenant_id = v_tenant AND la.person_uuid = l.person_uuid
  LEFT JOIN person.persons s
    ON u.error_code IS NULL AND u.person_uuid IS NOT NULL AND s.tenant_id = v_tenant AND s.person_uuid = u.person_uuid;
  GET DIAGNOSTICS v_staged = ROW_COUNT;
  RETURN v_staged;
END;
$$;

DROP FUNCTION staffing.resolve_import_persons(uuid);

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.stage_import_rows(uuid, integer[], text[], text[], text[], text[], text[], uuid[],
  timestamptz[], text[], text[], text[], text[]) TO punch_ledger_app;
REVOKE INSERT ON staffing.import_rows FROM punch_ledger_app;
