using System.Security.Cryptography;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// The layout of <see cref="RabbitMqServerOptions.DataDirectory"/> (mode 700). Every path the node would
/// otherwise take from /etc/rabbitmq, /var/lib/rabbitmq or /var/log/rabbitmq points in here instead.
/// <code>
/// credentials.json    mode 600: user, password, node name (kept)
/// home/.erlang.cookie mode 400: the Erlang cookie (kept; HOME of the node and of epmd)
/// rabbitmq.conf       mode 600: listener and default user, rewritten on every start
/// rabbitmq-env.conf   empty, so that /etc/rabbitmq/rabbitmq-env.conf is not read
/// enabled_plugins     "[]." : no plugins (no management UI listening anywhere)
/// mnesia/             the node's database, under a directory named after the node
/// log/                the node's upgrade log (everything else goes to stdout, to our Log)
/// node.lock           locked while a launcher runs a node here
/// </code>
/// </summary>
internal sealed class RabbitMqDataDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public RabbitMqDataDirectory(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string CredentialsFile => Path.Combine(Root, "credentials.json");

    public string HomeDirectory => Path.Combine(Root, "home");

    public string CookieFile => Path.Combine(HomeDirectory, ".erlang.cookie");

    public string ConfigFile => Path.Combine(Root, "rabbitmq.conf");

    public string EnvironmentFile => Path.Combine(Root, "rabbitmq-env.conf");

    public string EnabledPluginsFile => Path.Combine(Root, "enabled_plugins");

    /// <summary>Never written by us: pointing at it keeps /etc/rabbitmq/advanced.config out.</summary>
    public string AdvancedConfigFile => Path.Combine(Root, "advanced.config");

    public string MnesiaBase => Path.Combine(Root, "mnesia");

    public string LogDirectory => Path.Combine(Root, "log");

    public string CrashDumpFile => Path.Combine(Root, "erl_crash.dump");

    /// <summary>True once a node has booted here (whatever its name).</summary>
    public bool HasDatabase => Directory.Exists(MnesiaBase) && Directory.EnumerateDirectories(MnesiaBase, "*@*").Any();

    public bool HasDatabaseOf(string nodeName) => Directory.Exists(Path.Combine(MnesiaBase, nodeName));

    public string LockFile => Path.Combine(Root, "node.lock");

    public void CreateRoot()
    {
        if (!Directory.Exists(Root))
        {
            Directory.CreateDirectory(Root, OwnerOnly);
        }
    }

    /// <summary>Creates the directories and the fixed files; keeps an existing cookie. Call while holding the lock.</summary>
    public void Prepare()
    {
        foreach (var directory in new[] { HomeDirectory, MnesiaBase, LogDirectory })
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(directory, OwnerOnly);
            }
        }
        PrivateFile.WriteText(EnvironmentFile, "");
        PrivateFile.WriteText(EnabledPluginsFile, "[].\n");
        if (!File.Exists(CookieFile))
        {
            // Erlang refuses a cookie file others can read. Random per data directory: nothing else can talk
            // to this node over the Erlang distribution, not even another of our nodes.
            PrivateFile.WriteText(CookieFile, NewCookie(), UnixFileMode.UserRead);
        }
    }

    /// <summary>20 capital letters, like the cookies Erlang generates itself.</summary>
    private static string NewCookie() => new([.. RandomNumberGenerator.GetItems<char>("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 20)]);
}
