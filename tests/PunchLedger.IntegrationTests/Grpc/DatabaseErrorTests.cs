using HrmsAttendance.PunchLedger.Grpc;
using Npgsql;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>
/// What a caller sees when the database fails: a failure worth retrying is UNAVAILABLE (the request_id makes the retry
/// safe), never INTERNAL. The fault suite saw 57P01 and 57P03 end as INTERNAL while Postgres restarted.
/// </summary>
public sealed class DatabaseErrorTests
{
    [Theory]
    [InlineData("57P01", "terminating connection due to administrator command")]
    [InlineData("57P03", "the database system is starting up")]
    [InlineData("53300", "sorry, too many clients already")]
    [InlineData("40P01", "deadlock detected")]
    public void A_transient_database_failure_is_unavailable(string sqlState, string message)
    {
        var refusal = LedgerErrors.FromDatabase(new PostgresException(message, "FATAL", "FATAL", sqlState));

        Assert.Equal(LedgerErrors.Unavailable, refusal.Code);
        Assert.Contains("retry with the same request_id", refusal.Detail);
    }

    [Fact]
    public void Any_other_database_failure_stays_internal()
    {
        var refusal = LedgerErrors.FromDatabase(new PostgresException("column does not exist", "ERROR", "ERROR", "42703"));

        Assert.Equal(LedgerErrors.Internal, refusal.Code);
    }
}
