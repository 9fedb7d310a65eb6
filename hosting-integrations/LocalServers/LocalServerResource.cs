using Aspire.Hosting.ApplicationModel;

namespace HrmsAttendance.Hosting.LocalServers;

/// <summary>
/// What the three local servers share: an executable resource with one loopback endpoint, a data directory and a
/// password that is generated once and kept in <c>&lt;data directory&gt;/credentials</c> (mode 600).
/// </summary>
public abstract class LocalServerResource : ExecutableResource, IResourceWithConnectionString
{
    /// <summary>Name of the single endpoint every local server has.</summary>
    public const string PrimaryEndpointName = "tcp";

    /// <summary>Environment variable put on every process of the server: how leftovers of a killed run are found.</summary>
    public const string DataDirectoryMarkerVariable = "HRMS_LOCAL_SERVER_DATA";

    private EndpointReference? _primaryEndpoint;

    protected LocalServerResource(string name, string command, string dataDirectory) : base(name, command, "/")
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        Credentials = new CredentialsFile(() => Path.Combine(DataDirectory, "credentials"));
        PasswordParameter = new ParameterResource($"{name}-password", _ => Credentials.Get("password"), secret: true);
    }

    /// <summary>Where the server keeps its data (and its credentials file). Change it with <c>WithDataDirectory</c>.</summary>
    public string DataDirectory { get; internal set; }

    /// <summary>The password, a secret parameter whose value lives in the data directory's credentials file.</summary>
    public ParameterResource PasswordParameter { get; }

    /// <summary>The server's endpoint: 127.0.0.1 and a port the server binds itself (not proxied).</summary>
    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    /// <summary>Always 127.0.0.1: the servers listen on loopback only.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The port, as an expression for connection strings and environment variables.</summary>
    public EndpointReferenceExpression Port => PrimaryEndpoint.Property(EndpointProperty.Port);

    public abstract ReferenceExpression ConnectionStringExpression { get; }

    internal CredentialsFile Credentials { get; }

    /// <summary>The port chosen when the resource was added (the endpoint's port and target port).</summary>
    internal int AllocatedPort { get; set; }

    /// <summary>Set once the server was initialised for this run (package, directories, initdb or config files).</summary>
    internal bool Prepared { get; set; }

    internal SemaphoreSlim PrepareGate { get; } = new(1, 1);

    /// <summary>Read when the data directory is prepared: configuration key <c>AppHost:Fresh</c>.</summary>
    internal Func<bool> FreshRequested { get; set; } = () => false;

    /// <summary>Sub-directories and files of the data directory that belong to the server's state.</summary>
    internal abstract IReadOnlyList<string> StateEntries { get; }
}
