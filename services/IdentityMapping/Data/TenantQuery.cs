using HrmsAttendance.Database;
using HrmsAttendance.IdentityMapping.Model;
using Npgsql;

namespace HrmsAttendance.IdentityMapping.Data;

/// <summary>
/// Runs one statement for one tenant in one round trip (<see cref="TenantScopedBatch"/>: the tenant setting
/// and the statement form one implicit transaction) and turns database failures into
/// <see cref="IdentityException"/> with the door's stable code.
/// </summary>
internal static class TenantQuery
{
    public static Task<List<T>> ListAsync<T>(
        NpgsqlDataSource dataSource, Guid tenantId, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct,
        params object?[] parameters) =>
        RunAsync(dataSource, tenantId, actor: null, sql, map, ct, parameters);

    /// <summary>A write by <paramref name="actor"/> (the token's subject), which the audit log records with it.</summary>
    public static async Task<T> WriteAsync<T>(
        NpgsqlDataSource dataSource, Guid tenantId, string actor, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct,
        params object?[] parameters) =>
        (await RunAsync(dataSource, tenantId, actor, sql, map, ct, parameters)).Single();

    private static async Task<List<T>> RunAsync<T>(
        NpgsqlDataSource dataSource, Guid tenantId, string? actor, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct,
        object?[] parameters)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var batch = TenantScopedBatch.Create(connection, tenantId, actor);
            batch.Add(sql, parameters);
            await using var reader = await batch.ExecuteTenantReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct))
                rows.Add(map(reader));
            return rows;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            throw IdentityErrors.FromDatabase(e);
        }
    }

    /// <summary>For the doors, which return exactly one row or raise.</summary>
    public static async Task<T> SingleAsync<T>(
        NpgsqlDataSource dataSource, Guid tenantId, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct,
        params object?[] parameters) =>
        (await ListAsync(dataSource, tenantId, sql, map, ct, parameters)).Single();

    public static string? NullableString(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static DateTimeOffset Timestamp(this NpgsqlDataReader reader, int ordinal) =>
        reader.GetFieldValue<DateTimeOffset>(ordinal);
}
