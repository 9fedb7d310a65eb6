using System.Security.Cryptography;
using System.Text.Json;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>
/// The node's identity, generated once per data directory and kept in credentials.json (mode 600):
/// <list type="bullet">
/// <item>the user and password: RabbitMQ creates its default user on the node's FIRST boot only, so they must
/// never change for an existing database;</item>
/// <item>the Erlang node name: the database (mnesia/) belongs to the node name it was created under, and a node
/// started under another name would not find it. So the name comes from this file, never from the port.</item>
/// </list>
/// </summary>
internal sealed class RabbitMqCredentials
{
    public const string DefaultUserName = "hrms";

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    private RabbitMqCredentials(Contents contents)
    {
        UserName = contents.UserName;
        Password = contents.Password;
        NodeName = contents.NodeName;
    }

    public string UserName { get; }

    public string Password { get; }

    /// <summary>Like <c>hrms-1a2b3c4d5e@localhost</c>: short names on localhost, unique per data directory.</summary>
    public string NodeName { get; }

    public static RabbitMqCredentials LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var contents = JsonSerializer.Deserialize<Contents>(File.ReadAllText(path));
            if (string.IsNullOrEmpty(contents?.UserName) || string.IsNullOrEmpty(contents.Password) || string.IsNullOrEmpty(contents.NodeName))
            {
                throw new InvalidOperationException(
                    $"'{path}' lacks the user name, password or node name. Restore it or delete the data directory to start afresh.");
            }
            return new RabbitMqCredentials(contents);
        }
        var created = new Contents
        {
            UserName = DefaultUserName,
            Password = Hex(24), // hex: nothing to escape in rabbitmq.conf, in SASL PLAIN or in an amqp:// URI
            NodeName = $"hrms-{Hex(5)}@localhost",
        };
        PrivateFile.Write(path, stream => JsonSerializer.Serialize(stream, created, JsonOptions));
        return new RabbitMqCredentials(created);
    }

    private static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private sealed class Contents
    {
        public required string UserName { get; init; }

        public required string Password { get; init; }

        public required string NodeName { get; init; }
    }
}
