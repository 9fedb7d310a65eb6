using System.Diagnostics;
using Npgsql;

namespace HrmsAttendance.Database;

/// <summary>
/// Runs statements for one tenant in one round trip. The batch starts with
/// <c>set_config('app.current_tenant', tenant, true)</c>; Postgres runs a batch (one Sync) as one
/// implicit transaction, so the setting is transaction-local and every following statement in
/// the batch sees it, while a pooled connection never carries it into the next use.
/// Without this first statement the tables' RLS policies fail closed. The same statement sets
/// <c>app.trace_parent</c> to the current request's W3C traceparent: an outbox row written in the
/// transaction stores it, so the bus messages it becomes continue the request's trace.
/// </summary>
public static class TenantScopedBatch
{
    public static NpgsqlBatch Create(NpgsqlConnection connection, Guid tenantId) => Create(connection, tenantId, actor: null);

    /// <summary>
    /// As <see cref="Create(NpgsqlConnection, Guid)"/>, for a write: also sets <c>app.actor</c> to the caller (the token's
    /// subject), which the audit log's triggers record for rows that do not name who wrote them.
    /// </summary>
    public static NpgsqlBatch Create(NpgsqlConnection connection, Guid tenantId, string? actor)
    {
        var batch = new NpgsqlBatch(connection);
        var setTenant = new NpgsqlBatchCommand(actor is null
            ? "SELECT set_config('app.current_tenant', $1, true), set_config('app.trace_parent', $2, true)"
            : "SELECT set_config('app.current_tenant', $1, true), set_config('app.trace_parent', $2, true), set_config('app.actor', $3, true)");
        setTenant.Parameters.Add(new NpgsqlParameter { Value = tenantId.ToString() });
        setTenant.Parameters.Add(new NpgsqlParameter { Value = CurrentTraceParent() });
        if (actor is not null) setTenant.Parameters.Add(new NpgsqlParameter { Value = actor });
        batch.BatchCommands.Add(setTenant);
        return batch;
    }

    /// <summary>The current activity's W3C traceparent, or "" outside a trace (the outbox stores NULL then).</summary>
    public static string CurrentTraceParent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? activity.Id ?? "" : "";

    /// <summary>Adds a statement with positional parameters ($1, $2, …).</summary>
    public static NpgsqlBatchCommand Add(this NpgsqlBatch batch, string sql, params object?[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        batch.BatchCommands.Add(command);
        return command;
    }

    /// <summary>
    /// Executes the batch and positions the reader on the first result set after the
    /// tenant statement.
    /// </summary>
    public static async Task<NpgsqlDataReader> ExecuteTenantReaderAsync(this NpgsqlBatch batch, CancellationToken ct)
    {
        var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct); // skip set_config's row
        return reader;
    }
}
