using Npgsql;

namespace HrmsAttendance.Testing;

/// <summary>
/// Everything a database role may do outside the system catalogs, read from the catalog (so a grant that no
/// migration meant to make shows up): <c>"&lt;schema&gt; table &lt;name&gt; &lt;privilege&gt;"</c>,
/// <c>"&lt;schema&gt; function &lt;name&gt;"</c>, <c>"schema &lt;name&gt; USAGE|CREATE"</c>, sorted. The services'
/// security tests compare it with the exact list their role should have. (Linked into each test project.)
/// </summary>
public static class RolePrivileges
{
    public static async Task<IReadOnlyList<string>> OfAsync(NpgsqlDataSource superuser, string role)
    {
        await using var command = superuser.CreateCommand(
            """
            SELECT n.nspname || ' table ' || c.relname || ' ' || p.privilege_type
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            CROSS JOIN LATERAL (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('REFERENCES'), ('TRIGGER')) p(privilege_type)
            WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND has_table_privilege($1, c.oid, p.privilege_type)
            UNION ALL
            SELECT n.nspname || ' function ' || f.proname
            FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace AND n.nspname NOT IN ('pg_catalog', 'information_schema')
            WHERE has_function_privilege($1, f.oid, 'EXECUTE')
            UNION ALL
            SELECT 'schema ' || n.nspname || ' ' || p.privilege_type
            FROM pg_namespace n CROSS JOIN LATERAL (VALUES ('USAGE'), ('CREATE')) p(privilege_type)
            WHERE n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
              AND has_schema_privilege($1, n.oid, p.privilege_type)
            ORDER BY 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = role });
        var grants = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) grants.Add(reader.GetString(0));
        return grants;
    }
}
