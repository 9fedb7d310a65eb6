using Aspire.Hosting.ApplicationModel;

namespace HrmsAttendance.Hosting.LocalServers;

/// <summary>A database on a <see cref="LocalPostgresServerResource"/>, created when the server becomes ready.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresServerResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresServerResource>, IResourceWithConnectionString
{
    public LocalPostgresServerResource Parent { get; } = parent ?? throw new ArgumentNullException(nameof(parent));

    public string DatabaseName { get; } = ThrowIfEmpty(databaseName);

    /// <summary>The server's superuser connection string followed by <c>;Database=…</c>.</summary>
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Parent};Database={DatabaseName}");

    private static string ThrowIfEmpty(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return value;
    }
}
