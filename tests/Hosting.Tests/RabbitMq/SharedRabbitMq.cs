using System.Collections.Concurrent;
using HrmsAttendance.Hosting.RabbitMq;

namespace HrmsAttendance.Hosting.Tests.RabbitMq;

/// <summary>
/// Every RabbitMQ test class belongs to this collection: they run one after another and share one node,
/// since each boot costs ~5 s on a 2-core machine. Tests that need a node of their own start it beside this one.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<SharedRabbitMq>
{
    public const string Name = "RabbitMQ";
}

public sealed class SharedRabbitMq : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _log = new();

    public RabbitMqServer Server { get; private set; } = null!;

    public IReadOnlyCollection<string> Log => _log;

    /// <summary>From the launcher's "starting node" log line.</summary>
    public string DataDirectory => NodeLog.DataDirectory(_log);

    /// <summary>The Erlang VM, child of the rabbitmq-server script.</summary>
    public int BeamPid => Assert.Single(ProcessScan.ChildrenOf(Server.ProcessId));

    public async Task InitializeAsync() => Server = await RabbitMqServer.StartTemporaryAsync(_log.Enqueue);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

internal static class NodeLog
{
    public static string DataDirectory(IEnumerable<string> log) =>
        log.Select(line => line.Split(" with data directory ")).First(parts => parts.Length == 2)[1].Split(" (first boot")[0];
}
