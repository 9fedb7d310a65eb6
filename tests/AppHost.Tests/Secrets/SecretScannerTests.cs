namespace HrmsAttendance.AppHost.Tests.Secrets;

/// <summary>The scanner finds what it looks for (so a clean scan of the suite's logs means something) and no more.</summary>
public sealed class SecretScannerTests
{
    private const string Token =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0ZW5hbnRfaWQiOiI3ZDBjOGU1ZSIsInN1YiI6ImRldiJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi0xMjM0";
    private const string PostgresPassword = "Qx7vL2mNp9Rt4sWz8KbY1c";
    private const string SigningKey = "mF0Jc3VqZ8wYt1Lr6Hn2Kp9Xs4Bd7Ae5Gi0Oj3Uq8Vz=";

    private static readonly SecretScanner Scanner = new(new Dictionary<string, string>
    {
        ["postgres password"] = PostgresPassword,
        ["token signing key"] = SigningKey,
    });

    [Theory]
    [InlineData("info: Refused POST /attendance.ledger.v1.PunchLedger/SubmitPunch: authorization " + Token, "JWT")]
    [InlineData("warn: header Authorization: Bearer " + Token, "bearer token")]
    [InlineData("dbug: Opening connection Host=127.0.0.1;Port=5432;Username=punch_ledger_app;Password=hunter2-but-longer", "password in a connection string")]
    [InlineData("redis 127.0.0.1:6379,password=r3d1s-s3cr3t,abortConnect=false", "password in a connection string")]
    [InlineData("connecting to amqp://guest:rabbit-s3cret@127.0.0.1:5672/", "password in a URI")]
    [InlineData("FATAL: login of punch_ledger_app with " + PostgresPassword + " refused", "postgres password")]
    [InlineData("configured key " + SigningKey, "token signing key")]
    public void A_planted_secret_is_found(string line, string secret)
    {
        var findings = Scanner.Scan([("synthetic", line)]);

        var finding = Assert.Single(findings, f => f.Secret == secret);
        Assert.Equal("synthetic", finding.Source);
        Assert.DoesNotContain(PostgresPassword, finding.MaskedLine, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("info: HrmsAttendance.TokenAuthentication[1] Refused POST /attendance.ledger.v1.PunchLedger/SubmitPunch: STAFFING_TOKEN_INVALID the token's signature is not valid")]
    [InlineData("Host=127.0.0.1;Port=5432;Username=punch_ledger_app;Password=***")]
    [InlineData("listening on http://127.0.0.1:5100 and amqp://127.0.0.1:5672")]
    [InlineData("the password authentication failed for user \"punch_ledger_app\"")]
    [InlineData("Database attendance: owner attendance_owner, logins punch_ledger_app, identity_mapping_app")]
    public void A_line_without_a_secret_is_clean(string line) =>
        Assert.Empty(Scanner.Scan([("synthetic", line)]));

    [Fact]
    public void A_known_secret_too_short_to_look_for_is_refused() =>
        Assert.Throws<ArgumentException>(() => new SecretScanner(new Dictionary<string, string> { ["pw"] = "abc" }));
}
