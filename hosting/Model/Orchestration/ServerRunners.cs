using HrmsAttendance.Hosting.Postgres;
using HrmsAttendance.Hosting.PrivateServers;
using HrmsAttendance.Hosting.RabbitMq;
using HrmsAttendance.Hosting.Redis;

namespace HrmsAttendance.Hosting.Orchestration;

/// <summary>Starts its launcher on the resource's data directory, then publishes its process, port and connection string.</summary>
internal abstract class ServerRunner<TServer>(Resource resource, RunContext context, string endpointScheme) : ServerRunner(resource, context)
    where TServer : class, IPrivateServer
{
    private TServer? _server;

    public TServer Server => _server ?? throw new InvalidOperationException($"{Resource} has not started.");

    public override async Task StartAsync(CancellationToken ct)
    {
        _server = await LaunchAsync(Context.DataDirectoryFor(Resource), ct);
        (ProcessId, Port) = (_server.ProcessId, _server.Port);
        Context.Values.SetConnectionString(Resource, null, _server.ConnectionString);
        PublishRunning(ProcessId, Port, endpointScheme);
    }

    public override async Task StopAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>Starts the server; its progress and output go to <see cref="ServerRunner.LogServerLine"/>.</summary>
    protected abstract Task<TServer> LaunchAsync(string dataDirectory, CancellationToken ct);
}

internal sealed class PostgresServerRunner(PostgresServerResource resource, RunContext context)
    : ServerRunner<PostgresServer>(resource, context, "tcp")
{
    protected override Task<PostgresServer> LaunchAsync(string dataDirectory, CancellationToken ct) =>
        PostgresServer.StartAsync(new PostgresServerOptions { DataDirectory = dataDirectory, Port = resource.Port, Log = LogServerLine }, ct);
}

/// <summary>Creates (or corrects) the database and its roles in the running server; Running = done.</summary>
internal sealed class PostgresDatabaseRunner(PostgresDatabaseResource resource, RunContext context) : ResourceRunner(resource, context)
{
    public override async Task StartAsync(CancellationToken ct)
    {
        var server = Context.RunnerOf<PostgresServerRunner>(resource.Server).Server;
        Log($"ensuring database '{resource.DatabaseName}' owned by {resource.OwnerRole}, login roles: {string.Join(", ", resource.LoginRoles)}");
        var database = await server.EnsureDatabaseAsync(resource.DatabaseName, resource.OwnerRole, [.. resource.LoginRoles], ct);
        Context.Values.SetConnectionString(Resource, null, database.OwnerConnectionString);
        foreach (var role in resource.LoginRoles.Append(resource.OwnerRole))
            Context.Values.SetConnectionString(Resource, role, database.ConnectionStringFor(role));
        Log("database ready");
        Publish(s => s with
        {
            State = KnownResourceStates.Running,
            Health = KnownHealthStates.Healthy,
            StartedAt = DateTimeOffset.Now,
            Endpoints = [new ResourceEndpoint("database", $"tcp://127.0.0.1:{server.Port}/{resource.DatabaseName}")],
            Message = null,
        });
    }

    /// <summary>As healthy as its server.</summary>
    public override Task<(bool Healthy, string Detail)> CheckHealthAsync(CancellationToken ct) =>
        Context.RunnerOf<PostgresServerRunner>(resource.Server).CheckHealthAsync(ct);

    public override Task StopAsync() => Task.CompletedTask; // stops with its server
}

internal sealed class RedisRunner(RedisResource resource, RunContext context)
    : ServerRunner<RedisServer>(resource, context, "tcp")
{
    protected override Task<RedisServer> LaunchAsync(string dataDirectory, CancellationToken ct) =>
        RedisServer.StartAsync(new RedisServerOptions { DataDirectory = dataDirectory, Port = resource.Port, Log = LogServerLine }, ct);
}

internal sealed class RabbitMqRunner(RabbitMQServerResource resource, RunContext context)
    : ServerRunner<RabbitMqServer>(resource, context, "amqp")
{
    protected override Task<RabbitMqServer> LaunchAsync(string dataDirectory, CancellationToken ct) =>
        RabbitMqServer.StartAsync(new RabbitMqServerOptions { DataDirectory = dataDirectory, Port = resource.Port, Log = LogServerLine }, ct);
}
