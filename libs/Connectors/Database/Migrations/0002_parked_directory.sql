-- The sweep's one cross-tenant read: which tenants have punches waiting (ids only). The connector replays a parked punch
-- when its id's ExternalIdentityLinked arrives; the sweep (libs/Connectors/Parking/ParkedPunchSweep.cs) catches what a
-- lost or dead-lettered message would otherwise leave waiting, so a lost notification delays a replay, never loses it.
CREATE POLICY directory_read ON {{schema}}.parked_punches FOR SELECT TO CURRENT_USER
  USING (current_setting('app.connector_directory', true) = 'on');

CREATE FUNCTION {{schema}}.tenants_with_parked_punches()
RETURNS SETOF uuid
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_previous_tenant text := coalesce(current_setting('app.current_tenant', true), '');
  v_previous_directory text := coalesce(current_setting('app.connector_directory', true), '');
BEGIN
  PERFORM set_config('app.connector_directory', 'on', true),
          set_config('app.current_tenant', '00000000-0000-0000-0000-000000000000', true);
  RETURN QUERY SELECT DISTINCT p.tenant_id FROM {{schema}}.parked_punches p WHERE p.state = 'PARKED' ORDER BY 1;
  PERFORM set_config('app.connector_directory', v_previous_directory, true),
          set_config('app.current_tenant', v_previous_tenant, true);
END;
$$;

REVOKE EXECUTE ON FUNCTION {{schema}}.tenants_with_parked_punches() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {{schema}}.tenants_with_parked_punches() TO {{app_role}};
