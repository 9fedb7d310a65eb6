namespace HrmsAttendance.Hosting;

/// <summary>
/// A private Redis server (Debian's redis-server, see hosting/Redis): password required, nothing persisted.
/// <c>ConnectionStrings__&lt;name&gt;</c> is <c>127.0.0.1:PORT,password=PW</c>.
/// </summary>
public sealed class RedisResource(string name) : Resource(name), IResourceWithConnectionString
{
    public override string Type => "redis";

    /// <summary>Fixed port on 127.0.0.1, or 0 to pick a free one at every start.</summary>
    public int Port { get; internal set; }
}
