namespace HrmsAttendance.AppHost.Extensions;

/// <summary>
/// A login role in a Postgres database: the database's connection string with this role's user name and password.
/// The <c>migrations</c> resource creates (or corrects) the role with that password as NOSUPERUSER NOBYPASSRLS before
/// any service starts, so a service that references a login can only do what the migrations grant its role.
/// </summary>
public sealed class PostgresLoginResource(string name, IResourceWithConnectionString database, string role, ParameterResource password)
    : Resource(name), IResourceWithConnectionString
{
    public IResourceWithConnectionString Database { get; } = database;
    public string Role { get; } = role;
    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>
    /// Connections one login's pool may hold. The local Postgres allows 200 (max_connections); three services at Npgsql's
    /// default of 100 each ran it out under 500 concurrent clients (53300 too_many_connections, seen by the load
    /// benchmark). 40 each leaves room for the migrations, tools and the tests; a caller waits for a pooled connection
    /// instead of failing, and two cores gain nothing from more concurrent queries.
    /// </summary>
    public const int MaxPoolSize = 40;

    // Later keys win in a Npgsql connection string: the database's own credentials are replaced by the login's.
    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{Database.ConnectionStringExpression};Username={Role};Password={PasswordParameter};Maximum Pool Size={MaxPoolSize.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
}

public static class PostgresLoginExtensions
{
    /// <summary>
    /// A login for <paramref name="role"/> with a password generated at each AppHost start (the migrations set it).
    /// Not a resource of its own in the dashboard: it only carries a connection string to what references it.
    /// </summary>
    public static IResourceBuilder<PostgresLoginResource> AddLogin(this IResourceBuilder<IResourceWithConnectionString> database,
        string name, string role)
    {
        var password = ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(
            database.ApplicationBuilder, $"{name}-password", special: false);
        return database.ApplicationBuilder.CreateResourceBuilder(new PostgresLoginResource(name, database.Resource, role, password));
    }
}
