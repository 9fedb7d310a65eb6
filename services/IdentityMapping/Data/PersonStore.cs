using Npgsql;

namespace HrmsAttendance.IdentityMapping.Data;

/// <summary>
/// The tenant's people. Writes go through the doors <c>person.create_person</c> and
/// <c>person.update_person</c>; reads are plain SELECTs under RLS.
/// </summary>
public sealed class PersonStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "person_uuid, employee_number, display_name, active, created_at, updated_at";

    /// <summary><paramref name="actor"/> (the caller's token subject) is what the audit log records as who created the person.</summary>
    public Task<PersonRecord> CreateAsync(Guid tenantId, string actor, string employeeNumber, string displayName, CancellationToken ct) =>
        TenantQuery.WriteAsync(dataSource, tenantId, actor,
            $"SELECT {Columns} FROM person.create_person($1, $2)",
            ReadPerson, ct, employeeNumber, displayName);

    /// <summary>Null arguments keep the current value.</summary>
    public Task<PersonRecord> UpdateAsync(Guid tenantId, string actor, Guid personUuid, string? displayName, bool? active, CancellationToken ct) =>
        TenantQuery.WriteAsync(dataSource, tenantId, actor,
            $"SELECT {Columns} FROM person.update_person($1, $2::text, $3::boolean)",
            ReadPerson, ct, personUuid, displayName, active);

    /// <summary>
    /// Up to <paramref name="limit"/> persons in employee-number order (byte-wise), starting after
    /// <paramref name="afterEmployeeNumber"/>, whose number or name contains <paramref name="search"/>
    /// ignoring case. The search scans the tenant's persons (no trigram index): fine for the thousands of
    /// people a tenant has.
    /// </summary>
    public Task<List<PersonRecord>> ListAsync(
        Guid tenantId, string? search, string? afterEmployeeNumber, int limit, CancellationToken ct) =>
        TenantQuery.ListAsync(dataSource, tenantId,
            $"""
            SELECT {Columns}
            FROM person.persons
            WHERE tenant_id = $1
              AND ($2::text IS NULL OR employee_number > $2::text)
              AND ($3::text IS NULL
                   OR strpos(lower(employee_number COLLATE "default"), lower($3::text)) > 0
                   OR strpos(lower(display_name), lower($3::text)) > 0)
            ORDER BY employee_number
            LIMIT $4
            """,
            ReadPerson, ct, tenantId, afterEmployeeNumber, search, limit);

    private static PersonRecord ReadPerson(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.Timestamp(4), r.Timestamp(5));
}
