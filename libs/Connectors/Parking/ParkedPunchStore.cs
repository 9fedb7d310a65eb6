using HrmsAttendance.Connectors.Pipeline;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Database;
using Npgsql;
using NpgsqlTypes;

namespace HrmsAttendance.Connectors.Parking;

/// <summary>A punch waiting in the connector's schema for its platform user id to be linked.</summary>
public sealed record ParkedPunch(ExternalPunch Punch, DateTimeOffset ParkedAt);

/// <summary>The outcome of a punch the ledger took or refused, for <see cref="ParkedPunchStore.SettleAsync"/>.</summary>
public sealed record Settlement(ExternalPunch Punch, Guid? PersonUuid, Guid? EventId, string? ErrorCode, string? ErrorMessage)
{
    public bool Replayed => EventId is not null;
}

/// <summary>
/// The connector's <c>{schema}.parked_punches</c>, always for one tenant at a time (every statement runs after
/// <c>app.current_tenant</c> is set: the table's RLS fails closed without it). Parking is idempotent by
/// (tenant, source_event_id): a redelivered punch is parked once.
/// </summary>
public sealed class ParkedPunchStore(NpgsqlDataSource dataSource, ConnectorProvider provider)
{
    private readonly string _table = $"{provider.Schema}.parked_punches";

    /// <summary>Parks the punches; returns the source event ids parked now (the others were parked before).</summary>
    public async Task<IReadOnlyList<string>> ParkAsync(Guid tenant, IReadOnlyList<ExternalPunch> punches, CancellationToken ct)
    {
        if (punches.Count == 0) return [];
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"""
            INSERT INTO {_table} AS p (tenant_id, source_event_id, external_user_id, punch_time, punch_type, payload)
            SELECT $1, s, u, t, k, j::jsonb
            FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[]) AS r(s, u, t, k, j)
            ON CONFLICT ON CONSTRAINT parked_punches_pkey DO NOTHING
            RETURNING p.source_event_id
            """,
            tenant,
            punches.Select(p => p.SourceEventId).ToArray(),
            punches.Select(p => p.ExternalUserId).ToArray(),
            punches.Select(p => p.PunchTime.UtcDateTime).ToArray(),
            punches.Select(p => TypeName(p.Type)).ToArray(),
            punches.Select(p => p.PayloadJson).ToArray());
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        var parked = new List<string>();
        while (await reader.ReadAsync(ct)) parked.Add(reader.GetString(0));
        return parked;
    }

    /// <summary>Marks punches as counted in identity-mapping's unmapped queue.</summary>
    public async Task MarkReportedAsync(Guid tenant, IReadOnlyList<string> sourceEventIds, CancellationToken ct)
    {
        if (sourceEventIds.Count == 0) return;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"UPDATE {_table} SET reported_at = now() WHERE tenant_id = $1 AND source_event_id = ANY($2) AND reported_at IS NULL",
            tenant, sourceEventIds.ToArray());
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Up to <paramref name="limit"/> punches of one platform user id still waiting, oldest first.</summary>
    public async Task<IReadOnlyList<ParkedPunch>> WaitingAsync(Guid tenant, string externalUserId, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"""
            SELECT source_event_id, external_user_id, punch_time, punch_type, payload::text, parked_at
            FROM {_table}
            WHERE tenant_id = $1 AND external_user_id = $2 AND state = 'PARKED'
            ORDER BY punch_time, source_event_id
            LIMIT $3
            """, tenant, externalUserId, limit);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        var waiting = new List<ParkedPunch>();
        while (await reader.ReadAsync(ct))
            waiting.Add(new ParkedPunch(
                new ExternalPunch(reader.GetString(1), reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(2),
                    TypeOf(reader.GetString(3)), reader.GetString(4)),
                reader.GetFieldValue<DateTimeOffset>(5)));
        return waiting;
    }

    /// <summary>
    /// Records what became of punches the ledger answered: REPLAYED with the event, or REJECTED with the refusal. A punch
    /// that was never parked (a mapped punch the ledger refused) is inserted as REJECTED, so nothing is dropped silently.
    /// </summary>
    public async Task SettleAsync(Guid tenant, IReadOnlyList<Settlement> settlements, CancellationToken ct)
    {
        if (settlements.Count == 0) return;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        var command = batch.Add($"""
            INSERT INTO {_table} AS p (tenant_id, source_event_id, external_user_id, punch_time, punch_type, payload,
                                      state, settled_at, person_uuid, event_id, error_code, error_message, reported_at)
            SELECT $1, s, u, t, k, j::jsonb, CASE WHEN e IS NULL THEN 'REJECTED' ELSE 'REPLAYED' END, now(), pu, e, c, m, now()
            FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::uuid[], $8::uuid[], $9::text[], $10::text[])
                 AS r(s, u, t, k, j, pu, e, c, m)
            ON CONFLICT ON CONSTRAINT parked_punches_pkey DO UPDATE
              SET state = excluded.state, settled_at = excluded.settled_at, person_uuid = excluded.person_uuid,
                  event_id = excluded.event_id, error_code = excluded.error_code, error_message = excluded.error_message
              WHERE p.state = 'PARKED'
            """,
            tenant,
            settlements.Select(s => s.Punch.SourceEventId).ToArray(),
            settlements.Select(s => s.Punch.ExternalUserId).ToArray(),
            settlements.Select(s => s.Punch.PunchTime.UtcDateTime).ToArray(),
            settlements.Select(s => TypeName(s.Punch.Type)).ToArray(),
            settlements.Select(s => s.Punch.PayloadJson).ToArray(),
            null, null,
            settlements.Select(s => s.ErrorCode).ToArray(),
            settlements.Select(s => s.ErrorMessage).ToArray());
        command.Parameters[6] = new NpgsqlParameter { Value = settlements.Select(s => s.PersonUuid).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };
        command.Parameters[7] = new NpgsqlParameter { Value = settlements.Select(s => s.EventId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid };
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The tenants with punches waiting (the schema's directory function: ids only).</summary>
    public async Task<IReadOnlyList<Guid>> TenantsWithWaitingAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT * FROM {provider.Schema}.tenants_with_parked_punches()");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var tenants = new List<Guid>();
        while (await reader.ReadAsync(ct)) tenants.Add(reader.GetGuid(0));
        return tenants;
    }

    /// <summary>Distinct platform user ids of the tenant with punches waiting.</summary>
    public async Task<IReadOnlyList<string>> WaitingUsersAsync(Guid tenant, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"SELECT DISTINCT external_user_id FROM {_table} WHERE tenant_id = $1 AND state = 'PARKED' ORDER BY 1 LIMIT $2", tenant, limit);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        var users = new List<string>();
        while (await reader.ReadAsync(ct)) users.Add(reader.GetString(0));
        return users;
    }

    /// <summary>Waiting punches parked before <paramref name="parkedBefore"/> that identity-mapping was never told about.</summary>
    public async Task<IReadOnlyList<(string SourceEventId, string ExternalUserId)>> UnreportedAsync(Guid tenant, DateTimeOffset parkedBefore, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"""
            SELECT source_event_id, external_user_id FROM {_table}
            WHERE tenant_id = $1 AND state = 'PARKED' AND reported_at IS NULL AND parked_at < $2
            ORDER BY parked_at LIMIT $3
            """, tenant, parkedBefore.UtcDateTime, limit);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync(ct)) rows.Add((reader.GetString(0), reader.GetString(1)));
        return rows;
    }

    /// <summary>How many punches of the tenant are in each state (for the status).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountsAsync(Guid tenant, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = TenantScopedBatch.Create(connection, tenant);
        batch.Add($"SELECT state, count(*) FROM {_table} WHERE tenant_id = $1 GROUP BY state", tenant);
        await using var reader = await batch.ExecuteTenantReaderAsync(ct);
        var counts = new Dictionary<string, long> { ["PARKED"] = 0, ["REPLAYED"] = 0, ["REJECTED"] = 0 };
        while (await reader.ReadAsync(ct)) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    private static string TypeName(PunchType type) => type switch
    {
        PunchType.In => "IN",
        PunchType.Out => "OUT",
        PunchType.Raw => "RAW",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "a platform punch is IN, OUT or RAW"),
    };

    private static PunchType TypeOf(string name) => name switch
    {
        "IN" => PunchType.In,
        "OUT" => PunchType.Out,
        _ => PunchType.Raw,
    };
}
