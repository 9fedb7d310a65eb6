namespace HrmsAttendance.Hosting.PrivateServers;

/// <summary>What the orchestration publishes of a running server.</summary>
internal interface IPrivateServer : IAsyncDisposable
{
    int ProcessId { get; }

    int Port { get; }

    /// <summary>The one handed to the services that reference the server.</summary>
    string ConnectionString { get; }
}
