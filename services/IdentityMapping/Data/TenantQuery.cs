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
    public static async Task<List<T>> ListAsync<T>(
        NpgsqlDataSource dataSource, Guid tenantId, string sql, Func<NpgsqlDataReader, T> map, CancellationToken ct,
        params object?[] parameters)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var batch = TenantScopedBatch.Create(connection, tenantId);
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
