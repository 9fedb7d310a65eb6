namespace HrmsAttendance.Hosting.Redis;

/// <summary>
/// The layout of <see cref="RedisServerOptions.DataDirectory"/> (mode 700): <c>credentials.json</c> (the password,
/// kept) and <c>redis.conf</c> (rewritten on every start; it holds the password, so it is mode 600 too).
/// It is also the server's working directory, which stays empty: nothing is saved.
/// </summary>
internal sealed class RedisDataDirectory
{
    public RedisDataDirectory(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string CredentialsFile => Path.Combine(Root, "credentials.json");

    public string ConfigFile => Path.Combine(Root, "redis.conf");

    public void Prepare()
    {
        if (!Directory.Exists(Root))
        {
            Directory.CreateDirectory(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
