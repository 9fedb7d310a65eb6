using Npgsql;

namespace HrmsAttendance.Tests.Shared;

/// <summary>
/// Persons for tests that record punches. The ledger records a punch only for a person that exists and is active in the
/// caller's tenant (otherwise STAFFING_PERSON_UNKNOWN / STAFFING_PERSON_INACTIVE), so a test registers its persons
/// first, through identity-mapping's own doors (<c>person.create_person</c>, <c>person.update_person</c>), inside the
/// tenant, as identity-mapping does. The data source is a role that may call them: identity_mapping_app, or the schema
/// owner. (Linked into each project that records punches below the gRPC level; the distributed tests create persons
/// with identity-mapping's CreatePerson instead.)
/// </summary>
public static class TestPersons
{
    /// <summary>A new active person of <paramref name="tenant"/>.</summary>
    public static async Task<Guid> CreateAsync(NpgsqlDataSource identity, Guid tenant) =>
        (await CreateAsync(identity, tenant, 1))[0];

    /// <summary><paramref name="count"/> new active persons of <paramref name="tenant"/>, in one transaction.</summary>
    public static async Task<Guid[]> CreateAsync(NpgsqlDataSource identity, Guid tenant, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0) return [];
        // Employee numbers are unique per tenant; a random prefix keeps repeated calls apart.
        var prefix = "t-" + Guid.NewGuid().ToString("N")[..12] + "-";
        var persons = await InTenantAsync(identity, tenant, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand("""
                SELECT (person.create_person($1 || g, 'Test person ' || g)).person_uuid
                FROM generate_series(1, $2) AS g
                ORDER BY g
                """, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = prefix });
            command.Parameters.Add(new NpgsqlParameter { Value = count });
            var created = new List<Guid>(count);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) created.Add(reader.GetGuid(0));
            return created.ToArray();
        });
        return persons;
    }

    /// <summary>Sets the person's active flag (identity-mapping's UpdatePerson with <c>active</c>).</summary>
    public static Task SetActiveAsync(NpgsqlDataSource identity, Guid tenant, Guid person, bool active) =>
        InTenantAsync(identity, tenant, async (connection, transaction) =>
        {
            await using var command = new NpgsqlCommand("SELECT person.update_person($1, NULL, $2)", connection, transaction);
            command.Parameters.Add(new NpgsqlParameter { Value = person });
            command.Parameters.Add(new NpgsqlParameter { Value = active });
            await command.ExecuteNonQueryAsync();
            return true;
        });

    public static Task DeactivateAsync(NpgsqlDataSource identity, Guid tenant, Guid person) =>
        SetActiveAsync(identity, tenant, person, active: false);

    private static async Task<T> InTenantAsync<T>(NpgsqlDataSource source, Guid tenant,
        Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work)
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, transaction))
        {
            set.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
            await set.ExecuteNonQueryAsync();
        }
        var result = await work(connection, transaction);
        await transaction.CommitAsync();
        return result;
    }
}
