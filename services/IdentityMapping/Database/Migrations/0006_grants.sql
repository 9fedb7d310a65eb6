-- What the service role (identity_mapping_app) may do: call the five doors and read the three tables.
-- No INSERT/UPDATE/DELETE/TRUNCATE anywhere, so every write goes through a door (which checks the
-- tenant, refuses silent overwrites and keeps link history), and nothing at all outside `person`.
-- The role exists before migrations run (the launcher / ops create it).

-- Belt and braces on top of the default privileges set in 0001: nothing in the schema is PUBLIC's.
REVOKE ALL ON ALL TABLES IN SCHEMA person FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA person FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA person FROM PUBLIC;

GRANT USAGE ON SCHEMA person TO identity_mapping_app;

GRANT EXECUTE ON FUNCTION person.create_person(text, text) TO identity_mapping_app;
GRANT EXECUTE ON FUNCTION person.update_person(uuid, text, boolean) TO identity_mapping_app;
GRANT EXECUTE ON FUNCTION person.link_identity(text, text, text, uuid, text) TO identity_mapping_app;
GRANT EXECUTE ON FUNCTION person.unlink_identity(text, text, text) TO identity_mapping_app;
GRANT EXECUTE ON FUNCTION person.resolve_identities(text, text[], boolean) TO identity_mapping_app;

-- ListPersons, ListUnmapped, and reading a link's history; RLS still limits them to app.current_tenant.
GRANT SELECT ON person.persons, person.external_identity_links, person.unmapped_identities TO identity_mapping_app;
