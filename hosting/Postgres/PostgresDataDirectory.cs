namespace HrmsAttendance.Hosting.Postgres;

/// <summary>
/// The layout of <see cref="PostgresServerOptions.DataDirectory"/>:
/// <c>pgdata/</c> (the cluster, owned by the server user, mode 700) and <c>credentials.json</c> (mode 600).
/// </summary>
internal sealed class PostgresDataDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode TraversableByOthers = OwnerOnly | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public PostgresDataDirectory(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string ClusterDirectory => Path.Combine(Root, "pgdata");

    /// <summary>Where initdb writes; renamed to <see cref="ClusterDirectory"/> only once it succeeded.</summary>
    public string StagingClusterDirectory => Path.Combine(Root, "pgdata.initdb");

    public string CredentialsFile => Path.Combine(Root, "credentials.json");

    public bool HasCluster => File.Exists(Path.Combine(ClusterDirectory, "PG_VERSION"));

    /// <summary>
    /// Creates the directory if needed. When the server runs as another OS user it must be able to pass
    /// through this directory and all its parents to reach pgdata/, so we grant o+x here (the directory
    /// is ours) and check the parents (they are not ours to change).
    /// </summary>
    public void Prepare(PostgresOsUser osUser)
    {
        if (!Directory.Exists(Root))
        {
            Directory.CreateDirectory(Root, OwnerOnly);
        }
        if (!osUser.SwitchesToPostgres)
        {
            return;
        }

        File.SetUnixFileMode(Root, TraversableByOthers);
        for (var parent = Directory.GetParent(Root); parent is not null; parent = parent.Parent)
        {
            if (!parent.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                throw new InvalidOperationException(
                    $"PostgreSQL runs as the OS user 'postgres', which cannot pass through '{parent.FullName}' " +
                    $"to reach '{Root}'. Run 'chmod o+x {parent.FullName}' or choose a DataDirectory elsewhere.");
            }
        }
    }
}
