using HrmsAttendance.Tokens;

namespace HrmsAttendance.Gateway.Tests.Tokens;

public sealed class DevelopmentSigningKeyTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void Creates_a_mode_600_file_once_and_returns_the_same_key_afterwards()
    {
        var path = Path.Combine(_directory, "secrets", "gateway-signing-key");

        var first = DevelopmentSigningKey.LoadOrCreate(path);
        var second = DevelopmentSigningKey.LoadOrCreate(path);

        Assert.Equal(32, first.Length);
        Assert.Equal(first, second);
        Assert.Equal(first, Convert.FromBase64String(File.ReadAllText(path)));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));   // no temporary file left behind
        _ = new AccessTokenSettings { Issuer = "i", Audience = "a", SigningKey = first };
    }

    [Fact]
    public void Another_path_gets_another_key()
    {
        var a = DevelopmentSigningKey.LoadOrCreate(Path.Combine(_directory, "a"));
        var b = DevelopmentSigningKey.LoadOrCreate(Path.Combine(_directory, "b"));

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void A_file_with_a_short_key_is_refused()
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "key");
        File.WriteAllText(path, Convert.ToBase64String(new byte[8]));

        var e = Assert.Throws<InvalidOperationException>(() => DevelopmentSigningKey.LoadOrCreate(path));

        Assert.Contains(path, e.Message);
    }
}
