-- An uploaded file is kept only until it is read (issue 13: clean-up of stored files). Once the background parse has
-- made a batch PARSED (its rows are staged) or FAILED (it cannot be read), nothing reads the file again: the preview,
-- the commit and the report work on staffing.import_rows, and the file's SHA-256 stays on the batch and in the audit
-- log. staffing.discard_import_file deletes its chunks in the transaction that ends the parse, so a 64 MiB upload does
-- not stay in the database for good. The service role still may not DELETE file chunks itself.

CREATE FUNCTION staffing.discard_import_file(p_import_id uuid)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_deleted integer;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM staffing.import_batches WHERE import_id = p_import_id AND status IN ('PARSED', 'FAILED')) THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'STAFFING_INVALID_ARGUMENT',
      DETAIL = format('import %s of this tenant has not been read yet', p_import_id);
  END IF;
  DELETE FROM staffing.import_file_chunks WHERE import_id = p_import_id;
  GET DIAGNOSTICS v_deleted = ROW_COUNT;
  RETURN v_deleted;
END;
$$;

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA staffing FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staffing.discard_import_file(uuid) TO punch_ledger_app;
