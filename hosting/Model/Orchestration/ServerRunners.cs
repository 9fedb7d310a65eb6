using HrmsAttendance.Hosting.Postgres;
using HrmsAttendance.Hosting.RabbitMq;
using HrmsAttendance.Hosting.Redis;

namespace HrmsAttendance.Hosting.Orchestration;

internal sealed class PostgresServerRunner(PostgresServerResource resource, RunContext context) : ServerRunner(resource, context)
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException($"{Resource} has not started.");

    public override async Task StartAsync(CancellationToken ct)
    {
        _server = await PostgresServer.StartAsync(new PostgresServerOptions
        {
            DataDirectory = Context.DataDirectoryFor(Resource),
            Port = resource.Port,
            Log = LogServerLine,
        }, ct);
        (ProcessId, Port) = (_server.ProcessId, _server.Port);
        Context.Values.SetConnectionString(Resource, null, _server.SuperuserConnectionString());
        PublishRunning(ProcessId, Port, "tcp");
    }

    public override async Task StopAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
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

internal sealed class RedisRunner(RedisResource resource, RunContext context) : ServerRunner(resource, context)
{
    private RedisServer? _server;

    public override async Task StartAsync(CancellationToken ct)
    {
        _server = await RedisServer.StartAsync(new RedisServerOptions
        {
            DataDirectory = Context.DataDirectoryFor(Resource),
            Port = resource.Port,
            Log = LogServerLine,
        }, ct);
        (ProcessId, Port) = (_server.ProcessId, _server.Port);
        Context.Values.SetConnectionString(Resource, null, _server.ConnectionString);
        PublishRunning(ProcessId, Port, "tcp");
    }

    public override async Task StopAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}

internal sealed class RabbitMqRunner(RabbitMQServerResource resource, RunContext context) : ServerRunner(resource, context)
{
    private RabbitMqServer? _server;

    public override async Task StartAsync(CancellationToken ct)
    {
        _server = await RabbitMqServer.StartAsync(new RabbitMqServerOptions
        {
            DataDirectory = Context.DataDirectoryFor(Resource),
            Port = resource.Port,
            Log = LogServerLine,
        }, ct);
        (ProcessId, Port) = (_server.ProcessId, _server.Port);
        Context.Values.SetConnectionString(Resource, null, _server.ConnectionString);
        PublishRunning(ProcessId, Port, "amqp");
    }

    public override async Task StopAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
