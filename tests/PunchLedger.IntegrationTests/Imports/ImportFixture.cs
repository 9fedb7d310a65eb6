extern alias IdentityMappingService;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using HrmsAttendance.Hosting.LocalServers;
using HrmsAttendance.PunchLedger.Database;
using HrmsAttendance.PunchLedger.IntegrationTests.Grpc;
using HrmsAttendance.Tests.Shared;
using Npgsql;
using IdentityMappingDatabase = IdentityMappingService::HrmsAttendance.IdentityMapping.Database.IdentityMappingDatabase;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Imports;

/// <summary>
/// punch-ledger (its real Program, on Kestrel) over a private Postgres, for the import routes; more instances of the
/// service on the same database can be started (<see cref="StartService"/>), e.g. to restart one mid-commit.
/// </summary>
public sealed class ImportFixture : IAsyncLifetime
{
    public const long MaxFileBytes = 2 * 1024 * 1024;

    private TestPostgresServer? server;
    private string appConnectionString = "";

    public KestrelServiceFactory<Program> Service { get; private set; } = null!;
    public NpgsqlDataSource Owner { get; private set; } = null!;
    public NpgsqlDataSource Identity { get; private set; } = null!;
    public NpgsqlDataSource App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        server = await TestPostgresServer.StartTemporaryAsync();
        var database = await server.EnsureDatabaseAsync("attendance", PunchLedgerDatabase.OwnerRole,
            [PunchLedgerDatabase.AppRole, PunchLedgerDatabase.ReaderRole, IdentityMappingDatabase.AppRole]);
        await IdentityMappingDatabase.MigrateAsync(database.OwnerConnectionString);
        await PunchLedgerDatabase.MigrateAsync(database.OwnerConnectionString);
        Owner = NpgsqlDataSource.Create(database.OwnerConnectionString);
        Identity = NpgsqlDataSource.Create(database.ConnectionStringFor(IdentityMappingDatabase.AppRole));
        appConnectionString = database.ConnectionStringFor(PunchLedgerDatabase.AppRole);
        App = NpgsqlDataSource.Create(appConnectionString);
        Service = StartService();
    }

    /// <summary>Another instance of the service on the same database (the worker polls fast; <paramref name="settings"/> override).</summary>
    public KestrelServiceFactory<Program> StartService(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(PunchLedgerServiceFixture.AccessTokens.Configuration)
        {
            ["ConnectionStrings:attendance"] = appConnectionString,
            ["ConnectionStrings:messaging"] = $"amqp://test:test@127.0.0.1:{LoopbackPorts.Free()}",
            ["Imports:WorkerPollInterval"] = "00:00:00.200",
            ["Imports:MaxFileBytes"] = MaxFileBytes.ToString(),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) all[key] = value;
        return new KestrelServiceFactory<Program>(all).Start();
    }

    public async Task DisposeAsync()
    {
        if (Service is not null) await Service.DisposeAsync();
        foreach (var source in new[] { Owner, Identity, App })
            if (source is not null) await source.DisposeAsync();
        if (server is not null) await server.DisposeAsync();
    }

    /// <summary>An HTTP client of a service instance with a token of <paramref name="tenant"/> (tenant-admin).</summary>
    public static HttpClient Client(KestrelServiceFactory<Program> service, Guid tenant)
    {
        var client = new HttpClient { BaseAddress = service.HttpEndpoint, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PunchLedgerServiceFixture.AccessTokens.Issue(tenant));
        return client;
    }

    public HttpClient Client(Guid tenant) => Client(Service, tenant);

    /// <summary>Persons with the given employee numbers in <paramref name="tenant"/>, made through identity-mapping's door.</summary>
    public Task<Guid[]> PersonsAsync(Guid tenant, params string[] employeeNumbers) => InTenantAsync(Identity, tenant, async command =>
    {
        var persons = new List<Guid>();
        foreach (var number in employeeNumbers)
        {
            command.CommandText = "SELECT (person.create_person($1, $2)).person_uuid";
            command.Parameters.Clear();
            command.Parameters.Add(new NpgsqlParameter { Value = number });
            command.Parameters.Add(new NpgsqlParameter { Value = "Person " + number });
            persons.Add((Guid)(await command.ExecuteScalarAsync())!);
        }
        return persons.ToArray();
    });

    public Task LinkDingTalkAsync(Guid tenant, string userId, Guid person) => InTenantAsync(Identity, tenant, async command =>
    {
        command.CommandText = "SELECT person.link_identity('DINGTALK', $1, NULL, $2, 'test')";
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = person });
        return await command.ExecuteNonQueryAsync();
    });

    public Task DeactivateAsync(Guid tenant, Guid person) => TestPersons.DeactivateAsync(Identity, tenant, person);

    /// <summary>Runs SQL as the schema owner inside <paramref name="tenant"/> and returns the first column of the first row.</summary>
    public Task<object?> OwnerScalarAsync(Guid tenant, string sql, params object[] parameters) => InTenantAsync(Owner, tenant, async command =>
    {
        command.CommandText = sql;
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        var result = await command.ExecuteScalarAsync();
        return result is DBNull ? null : result;
    });

    /// <summary>Runs SQL as the schema owner inside <paramref name="tenant"/> and returns the first row's columns.</summary>
    public Task<object?[]> OwnerRowAsync(Guid tenant, string sql) => InTenantAsync(Owner, tenant, async command =>
    {
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no row: " + sql);
        var values = new object?[reader.FieldCount];
        for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        return values;
    });

    private static async Task<T> InTenantAsync<T>(NpgsqlDataSource source, Guid tenant, Func<NpgsqlCommand, Task<T>> work)
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("SELECT set_config('app.current_tenant', $1, true)", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = tenant.ToString() });
        await command.ExecuteNonQueryAsync();
        command.Parameters.Clear();
        var result = await work(command);
        await transaction.CommitAsync();
        return result;
    }
}

/// <summary>The import routes as a client calls them.</summary>
public static class ImportCalls
{
    public static async Task<JsonElement> PrepareAsync(this HttpClient client, byte[] file, string format = "csv", string? extraQuery = null)
    {
        using var response = await client.PostAsync($"/api/imports/prepare?format={format}{extraQuery}", new ByteArrayContent(file));
        var body = await JsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"prepare answered {(int)response.StatusCode}: {body}");
        return body;
    }

    /// <summary>Polls the status until it is no longer <paramref name="passing"/> (or 60 s pass).</summary>
    public static async Task<JsonElement> WaitAsync(this HttpClient client, string importId, params string[] passing)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await client.StatusAsync(importId);
            if (!passing.Contains(status.GetProperty("status").GetString()) || DateTime.UtcNow > deadline) return status;
            await Task.Delay(100);
        }
    }

    public static async Task<JsonElement> StatusAsync(this HttpClient client, string importId)
    {
        using var response = await client.GetAsync($"/api/imports/status?import_id={importId}");
        var body = await JsonAsync(response);
        Assert.True(response.IsSuccessStatusCode, $"status answered {(int)response.StatusCode}: {body}");
        return body;
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body)> CommitAsync(this HttpClient client, string importId, string token,
        string? idempotencyKey = null)
    {
        var json = JsonSerializer.Serialize(idempotencyKey is null
            ? new Dictionary<string, string> { ["commitToken"] = token }
            : new Dictionary<string, string> { ["commitToken"] = token, ["idempotencyKey"] = idempotencyKey });
        using var response = await client.PostAsync($"/api/imports/commit?import_id={importId}",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        return (response.StatusCode, await JsonAsync(response));
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string Code(this JsonElement problem) => problem.GetProperty("code").GetString()!;
}

[CollectionDefinition(Name)]
public sealed class ImportCollection : ICollectionFixture<ImportFixture>
{
    public const string Name = "imports";
}
