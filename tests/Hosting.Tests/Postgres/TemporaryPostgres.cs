using HrmsAttendance.Hosting.Postgres;

namespace HrmsAttendance.Hosting.Tests.Postgres;

/// <summary>One temporary server shared by the tests of a class.</summary>
public sealed class TemporaryPostgres : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartTemporaryAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
