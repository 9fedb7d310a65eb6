using System.Data;
using Npgsql;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;

/// <summary>
/// A connection with an open transaction in which <c>app.current_tenant</c> is set (transaction-local),
/// the way the service talks to the kernel. Disposing without <see cref="CommitAsync"/> rolls back.
/// </summary>
public sealed class TenantTransaction : IAsyncDisposable
{
    private TenantTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid tenant)
    {
        Connection = connection;
        Transaction = transaction;
        Tenant = tenant;
    }

    public NpgsqlConnection Connection { get; }
    public NpgsqlTransaction Transaction { get; }
    public Guid Tenant { get; }

    public static async Task<TenantTransaction> BeginAsync(NpgsqlDataSource source, Guid tenant, CancellationToken ct = default) =>
        await BeginAsync(source, tenant, IsolationLevel.ReadCommitted, ct);

    public static async Task<TenantTransaction> BeginAsync(NpgsqlDataSource source, Guid tenant, IsolationLevel isolation,
        CancellationToken ct = default)
    {
        var connection = await source.OpenConnectionAsync(ct);
        try
        {
            var transaction = await connection.BeginTransactionAsync(isolation, ct);
            await using (var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, transaction))
            {
                set.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
                await set.ExecuteNonQueryAsync(ct);
            }
            return new TenantTransaction(connection, transaction, tenant);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A command in this transaction with positional parameters ($1, $2, …); null becomes DBNull.</summary>
    public NpgsqlCommand Command(string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, Connection, Transaction);
        foreach (var value in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return command;
    }

    public async Task<T> ScalarAsync<T>(string sql, params object?[] parameters)
    {
        await using var command = Command(sql, parameters);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<int> ExecuteAsync(string sql, params object?[] parameters)
    {
        await using var command = Command(sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    public Task CommitAsync(CancellationToken ct = default) => Transaction.CommitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }
}
