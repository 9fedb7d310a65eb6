namespace HrmsAttendance.Hosting.Postgres;

/// <summary>One installed PostgreSQL version, as Debian lays it out: /usr/lib/postgresql/&lt;major&gt;/bin.</summary>
internal sealed record PostgresBinaries(int MajorVersion, string BinDirectory)
{
    public const string DebianPackageRoot = "/usr/lib/postgresql";

    public string InitDb => Path.Combine(BinDirectory, "initdb");

    public string Postgres => Path.Combine(BinDirectory, "postgres");

    /// <summary>The highest installed version that has both initdb and postgres, or null.</summary>
    public static PostgresBinaries? FindNewest()
    {
        if (!Directory.Exists(DebianPackageRoot))
        {
            return null;
        }
        return Directory.EnumerateDirectories(DebianPackageRoot)
            .Select(dir => int.TryParse(Path.GetFileName(dir), out var major)
                ? new PostgresBinaries(major, Path.Combine(dir, "bin"))
                : null)
            .Where(b => b is not null && File.Exists(b.InitDb) && File.Exists(b.Postgres))
            .MaxBy(b => b!.MajorVersion);
    }
}
