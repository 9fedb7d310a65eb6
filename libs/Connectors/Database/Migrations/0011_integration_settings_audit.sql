-- Every change of the tenant's connection to the platform is a write like any other: it goes to the tenant's audit log
-- (punch-ledger's migration 0019, applied before the connectors' migrations), with who made it (updated_by) and what
-- changed. The secret itself never reaches the log: only whether it changed.
CREATE FUNCTION {{schema}}.record_integration_settings_change()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM audit.append(OLD.tenant_id, NULL, '{{schema}}-connector', 'integration_settings.deleted',
      'integration_settings', OLD.client_id, jsonb_build_object('client_id', OLD.client_id));
    RETURN NULL;
  END IF;
  PERFORM audit.append(NEW.tenant_id, NEW.updated_by, '{{schema}}-connector',
    CASE WHEN TG_OP = 'INSERT' THEN 'integration_settings.created' ELSE 'integration_settings.updated' END,
    'integration_settings', NEW.client_id,
    jsonb_build_object(
      'client_id', NEW.client_id,
      'enabled', NEW.enabled,
      'previous_client_id', CASE WHEN TG_OP = 'UPDATE' THEN OLD.client_id END,
      'previously_enabled', CASE WHEN TG_OP = 'UPDATE' THEN OLD.enabled END,
      'secret_changed', TG_OP = 'INSERT' OR OLD.client_secret_ciphertext IS DISTINCT FROM NEW.client_secret_ciphertext));
  RETURN NULL;
END;
$$;

REVOKE EXECUTE ON FUNCTION {{schema}}.record_integration_settings_change() FROM PUBLIC;

CREATE TRIGGER integration_settings_audit
  AFTER INSERT OR UPDATE OR DELETE ON {{schema}}.integration_settings
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.record_integration_settings_change();
