using Npgsql;

namespace HrmsAttendance.AppHost.Tests.Distributed.Hostile;

/// <summary>
/// Every tenant table of the database (each base table of the <c>staffing</c>, <c>person</c> and <c>audit</c> schemas, and the connectors'
/// <c>dingtalk</c> and <c>wecom</c>, with a tenant_id),
/// read as the superuser the harness connects as (it bypasses row-level security): per table, the tenant's row count
/// and an md5 of its rows, and the count of all tenants' rows (a write that landed in another tenant shows there).
/// Two snapshots are equal when nothing was written, updated or deleted in between. An outbox row's <c>published_at</c>
/// is left out: the relay sets it on its own time, for rows written before the snapshot.
/// </summary>
internal sealed record TenantSnapshot(IReadOnlyList<string> Tables)
{
    public static async Task<TenantSnapshot> TakeAsync(string superuserConnectionString, Guid tenant)
    {
        await using var connection = new NpgsqlConnection(superuserConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("""
            SELECT format('%I.%I', c.table_schema, c.table_name)
            FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.column_name = 'tenant_id' AND c.table_schema IN ('staffing', 'person', 'dingtalk', 'wecom', 'audit') AND t.table_type = 'BASE TABLE'
            ORDER BY 1
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));

        var lines = new List<string>();
        foreach (var table in tables)
        {
            await using var read = new NpgsqlCommand($"""
                SELECT count(*) FILTER (WHERE t.tenant_id = $1),
                       coalesce(md5(string_agg((to_jsonb(t) - 'published_at')::text, '|' ORDER BY (to_jsonb(t) - 'published_at')::text)
                                    FILTER (WHERE t.tenant_id = $1)), '-'),
                       count(*)
                FROM {table} t
                """, connection);
            read.Parameters.Add(new NpgsqlParameter { Value = tenant });
            await using var reader = await read.ExecuteReaderAsync();
            await reader.ReadAsync();
            lines.Add($"{table}: tenant rows {reader.GetInt64(0)} md5 {reader.GetString(1)}, all tenants' rows {reader.GetInt64(2)}");
        }
        return new TenantSnapshot(lines);
    }

    public bool Equals(TenantSnapshot? other) => other is not null && Tables.SequenceEqual(other.Tables);

    public override int GetHashCode() => Tables.Count;

    public override string ToString() => string.Join(Environment.NewLine, Tables);
}
