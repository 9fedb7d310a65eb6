using HrmsAttendance.AppHost.Extensions;
using HrmsAttendance.Tokens;

namespace HrmsAttendance.AppHost.Tests;

/// <summary><c>dotnet run --project AppHost -- token …</c>: prints a token the gateway of the same data directory accepts.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TokenCommandTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("hrms-token-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    private (int Exit, string Output, string Error) Run(params string[] args)
    {
        using StringWriter output = new(), error = new();
        var exit = TokenCommand.Run([.. args, "--data-dir", _dataDirectory], output, error);
        return (exit, output.ToString().Trim(), error.ToString());
    }

    [Fact]
    public async Task The_printed_token_validates_with_the_key_the_gateway_gets_and_carries_the_claims()
    {
        var tenant = Guid.NewGuid();
        var person = Guid.NewGuid();

        var (exit, token, _) = Run("--tenant", tenant.ToString(), "--role", "employee,approver", "--person", person.ToString());

        Assert.Equal(0, exit);
        var outcome = await new AccessTokenValidator(DevelopmentTokens.DevelopmentSettings(_dataDirectory)).ValidateAsync(token);
        Assert.True(outcome.IsValid, outcome.ErrorDetail);
        Assert.Equal(tenant, outcome.Claims!.TenantId);
        Assert.Equal(person, outcome.Claims.PersonId);
        Assert.Equal(["employee", "approver"], outcome.Claims.Roles);
        Assert.True(File.Exists(DevelopmentTokens.SigningKeyPath(_dataDirectory)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DevelopmentTokens.SigningKeyPath(_dataDirectory)));
    }

    [Fact]
    public async Task A_token_from_another_data_directory_is_refused()
    {
        var (_, token, _) = Run("--tenant", Guid.NewGuid().ToString(), "--role", "tenant-admin");
        var other = Directory.CreateTempSubdirectory("hrms-token-other-").FullName;
        try
        {
            var outcome = await new AccessTokenValidator(DevelopmentTokens.DevelopmentSettings(other)).ValidateAsync(token);
            Assert.Equal("GATEWAY_TOKEN_INVALID", outcome.ErrorCode);
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [Theory]
    [InlineData("--role", "tenant-admin")]                                           // no tenant
    [InlineData("--tenant", "not-a-uuid", "--role", "tenant-admin")]
    [InlineData("--tenant", "00000000-0000-0000-0000-000000000000", "--role", "tenant-admin")]
    [InlineData("--tenant", "7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11")]                   // no role
    [InlineData("--tenant", "7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11", "--role", "root")]
    [InlineData("--tenant", "7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11", "--role", "employee")] // employee without --person
    [InlineData("--tenant", "7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11", "--role", "approver", "--hours", "0")]
    [InlineData("--tenant", "7d0c8e5e-2f7a-4a86-9d53-2b1f0c6a9e11", "--role", "approver", "--bogus")]
    public void Bad_options_print_why_and_no_token(params string[] args)
    {
        var (exit, output, error) = Run(args);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.NotEqual("", error.Trim());
    }
}
