using HrmsAttendance.Hosting.Postgres;
using Npgsql;

namespace HrmsAttendance.Hosting.Tests.Postgres;

public class EnsureDatabaseTests(TemporaryPostgres postgres) : IClassFixture<TemporaryPostgres>
{
    private PostgresServer Server => postgres.Server;

    [Fact]
    public async Task Login_roles_are_neither_superuser_nor_bypass_rls()
    {
        await Server.EnsureDatabaseAsync("attributes_db", "attr_owner", ["attr_writer", "attr_reader"]);

        foreach (var role in new[] { "attr_owner", "attr_writer", "attr_reader" })
        {
            var attributes = await Sql.ScalarAsync<string>(Server.SuperuserConnectionString(),
                $"SELECT concat_ws(',', rolcanlogin, rolsuper, rolbypassrls, rolcreatedb, rolcreaterole) FROM pg_roles WHERE rolname = '{role}'");
            Assert.Equal("t,f,f,f,f", attributes); // login, not superuser, no bypassrls, no createdb, no createrole
        }
    }

    [Fact]
    public async Task Each_role_connects_with_its_password_and_not_with_another()
    {
        var database = await Server.EnsureDatabaseAsync("login_db", "login_owner", ["login_writer", "login_reader"]);

        Assert.Equal("login_owner", await Sql.ScalarAsync<string>(database.OwnerConnectionString, "SELECT current_user::text"));
        Assert.Equal("login_db", await Sql.ScalarAsync<string>(database.OwnerConnectionString, "SELECT current_database()::text"));
        foreach (var role in new[] { "login_writer", "login_reader" })
        {
            Assert.Equal(role, await Sql.ScalarAsync<string>(database.ConnectionStringFor(role), "SELECT current_user::text"));

            var wrongPassword = Sql.WithPassword(database.ConnectionStringFor(role), "not-the-password");
            var rejected = await Assert.ThrowsAsync<PostgresException>(() => Sql.ScalarAsync<int>(wrongPassword, "SELECT 1"));
            Assert.Equal(PostgresErrorCodes.InvalidPassword, rejected.SqlState);
        }
        Assert.Throws<ArgumentException>(() => database.ConnectionStringFor("somebody_else"));
    }

    [Fact]
    public async Task Public_gets_nothing_on_the_database_or_on_schema_public()
    {
        var database = await Server.EnsureDatabaseAsync("locked_db", "locked_owner", ["locked_writer", "locked_reader"]);

        Assert.False(await Sql.ScalarAsync<bool>(Server.SuperuserConnectionString("locked_db"),
            "SELECT has_schema_privilege('public', 'public', 'CREATE')"));
        Assert.False(await Sql.ScalarAsync<bool>(Server.SuperuserConnectionString("locked_db"),
            "SELECT has_database_privilege('public', 'locked_db', 'CONNECT')"));

        var denied = await Assert.ThrowsAsync<PostgresException>(() =>
            Sql.ExecuteAsync(database.ConnectionStringFor("locked_writer"), "CREATE TABLE public.sneaky (id int)"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);

        // The owner still owns schema public and may create there.
        await Sql.ExecuteAsync(database.OwnerConnectionString, "CREATE TABLE public.owned (id int)");
    }

    [Fact]
    public async Task A_role_of_another_database_cannot_connect()
    {
        await Server.EnsureDatabaseAsync("fenced_db", "fenced_owner", ["fenced_reader"]);
        var other = await Server.EnsureDatabaseAsync("other_db", "other_owner", ["other_reader"]);

        var intruder = new NpgsqlConnectionStringBuilder(other.ConnectionStringFor("other_reader")) { Database = "fenced_db" }.ConnectionString;
        var denied = await Assert.ThrowsAsync<PostgresException>(() => Sql.ScalarAsync<int>(intruder, "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, denied.SqlState);
    }

    [Fact]
    public async Task Running_it_again_keeps_passwords_and_adds_a_new_role()
    {
        var first = await Server.EnsureDatabaseAsync("again_db", "again_owner", ["again_reader"]);
        var second = await Server.EnsureDatabaseAsync("again_db", "again_owner", ["again_reader", "again_auditor"]);

        Assert.Equal(first.OwnerConnectionString, second.OwnerConnectionString);
        Assert.Equal(first.ConnectionStringFor("again_reader"), second.ConnectionStringFor("again_reader"));
        Assert.Equal("again_auditor", await Sql.ScalarAsync<string>(second.ConnectionStringFor("again_auditor"), "SELECT current_user::text"));
        Assert.Equal("again_owner", await Sql.ScalarAsync<string>(Server.SuperuserConnectionString(),
            "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = 'again_db'"));
        Assert.Equal("UTF8", await Sql.ScalarAsync<string>(Server.SuperuserConnectionString(),
            "SELECT pg_encoding_to_char(encoding)::text FROM pg_database WHERE datname = 'again_db'"));
    }

    [Fact]
    public async Task Refuses_to_touch_the_superuser_or_reserved_roles()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Server.EnsureDatabaseAsync("bad_db", "postgres", []));
        await Assert.ThrowsAsync<ArgumentException>(() => Server.EnsureDatabaseAsync("bad_db", "bad_owner", ["pg_monitor"]));
    }

    [Fact]
    public async Task Listens_on_loopback_only_and_keeps_durability_on()
    {
        var superuser = Server.SuperuserConnectionString();
        Assert.Equal("127.0.0.1", Server.Host);
        Assert.Equal("127.0.0.1", await Sql.ScalarAsync<string>(superuser, "SHOW listen_addresses"));
        Assert.Equal("on", await Sql.ScalarAsync<string>(superuser, "SHOW fsync"));
        Assert.Equal("on", await Sql.ScalarAsync<string>(superuser, "SHOW synchronous_commit"));
        Assert.Equal("200", await Sql.ScalarAsync<string>(superuser, "SHOW max_connections"));
        Assert.Equal("128MB", await Sql.ScalarAsync<string>(superuser, "SHOW shared_buffers"));
    }
}
