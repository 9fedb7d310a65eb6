using HrmsAttendance.Database;
using Npgsql;

namespace HrmsAttendance.Connectors.Settings;

/// <summary>A tenant's platform app as stored (DingTalk client id, WeCom corp id): the secret stays encrypted until it is used.</summary>
public sealed record IntegrationSettings(Guid Tenant, string ClientId, byte[] ProtectedSecret, bool Enabled, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    // Records print their members; the protected secret is no one's business in a log.
    public override string ToString() => $"IntegrationSettings {{ Tenant = {Tenant}, ClientId = {ClientId}, Enabled = {Enabled}, UpdatedAt = {UpdatedAt:O} }}";
}

/// <summary>The connector's <c>{schema}.integration_settings</c>: one row per tenant, read and written under the tenant's RLS.</summary>
public sealed class IntegrationSettingsStore(NpgsqlDataSource dataSource, ConnectorProvider provider)
{
    private readonly string _table = $"{provider.Schema}.integration_settings";

    public async Task<IntegrationSettings> PutAsync(Guid tenant, string clientId, byte[] protectedSecret, bool enabled, string updatedBy, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"""
            INSERT INTO {_table} AS s (tenant_id, client_id, client_secret_ciphertext, enabled, updated_by)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT ON CONSTRAINT integration_settings_pkey DO UPDATE
              SET client_id = excluded.client_id, client_secret_ciphertext = excluded.client_secret_ciphertext,
                  enabled = excluded.enabled, updated_by = excluded.updated_by, updated_at = clock_timestamp()
            RETURNING tenant_id, client_id, client_secret_ciphertext, enabled, updated_at, updated_by
            """, tenant, clientId, protectedSecret, enabled, updatedBy);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        await reader.ReadAsync(ct);
        return Read(reader);
    }

    public async Task<IntegrationSettings?> GetAsync(Guid tenant, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"SELECT tenant_id, client_id, client_secret_ciphertext, enabled, updated_at, updated_by FROM {_table} WHERE tenant_id = $1", tenant);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>The tenants with an enabled integration (ids only), through the schema's one cross-tenant function.</summary>
    public async Task<IReadOnlyList<Guid>> EnabledTenantsAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT * FROM {provider.Schema}.enabled_tenants()");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var tenants = new List<Guid>();
        while (await reader.ReadAsync(ct)) tenants.Add(reader.GetGuid(0));
        return tenants;
    }

    private static IntegrationSettings Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2), reader.GetBoolean(3),
        reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5));
}
