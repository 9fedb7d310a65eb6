using System.Globalization;
using System.Text;
using HrmsAttendance.Hosting.Processes;

namespace HrmsAttendance.Hosting.RabbitMq;

/// <summary>rabbitmq.conf (the new-style sysctl format), mode 600 since it holds the default user's password.</summary>
internal static class RabbitMqConfigFile
{
    public static void Write(RabbitMqDataDirectory directory, int amqpPort, RabbitMqCredentials credentials)
    {
        var config = new StringBuilder()
            .AppendLine("# Written by HrmsAttendance.Hosting on every start: edits are overwritten.")
            .AppendLine(CultureInfo.InvariantCulture, $"listeners.tcp.1 = 127.0.0.1:{amqpPort}")
            // Only read on the node's first boot, when the database is created: that is why they are kept.
            .AppendLine(CultureInfo.InvariantCulture, $"default_user = {credentials.UserName}")
            .AppendLine(CultureInfo.InvariantCulture, $"default_pass = {credentials.Password}")
            // loopback_users restricts named users to loopback connections; the listener is loopback-only anyway.
            .AppendLine("loopback_users = none")
            .ToString();
        PrivateFile.WriteText(directory.ConfigFile, config);
    }
}
