using HrmsAttendance.PunchLedger.IntegrationTests.Infrastructure;
using static HrmsAttendance.PunchLedger.IntegrationTests.Kernel.KernelCalls;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Kernel;

/// <summary>The shared fixture's own promises, which other test folders rely on.</summary>
[Collection(PostgresCollection.Name)]
public sealed class FixtureTests(PostgresFixture fixture)
{
    [Fact]
    public async Task Roles_are_what_the_kernel_expects()
    {
        await using var tx = await fixture.BeginOwnerAsync(PostgresFixture.NewTenant());
        Assert.Equal("attendance_owner false false",
            await tx.ScalarAsync<string>("SELECT current_user || ' ' || rolsuper || ' ' || rolbypassrls FROM pg_roles WHERE rolname = current_user"));
        await using var app = await fixture.BeginAppAsync(PostgresFixture.NewTenant());
        Assert.Equal("punch_ledger_app false false",
            await app.ScalarAsync<string>("SELECT current_user || ' ' || rolsuper || ' ' || rolbypassrls FROM pg_roles WHERE rolname = current_user"));
    }

    [Fact]
    public async Task Truncating_empties_the_kernel_tables_despite_the_append_only_trigger()
    {
        var tenant = PostgresFixture.NewTenant();
        await fixture.SubmitCommittedAsync(tenant, new Punch(await fixture.NewPersonAsync(tenant), At(new DateOnly(2026, 7, 1), 9), "IN"));
        await fixture.TruncateKernelTablesAsync();
        await using var tx = await fixture.BeginOwnerAsync(tenant);
        Assert.Equal(0L, await tx.CountAsync("staffing.time_punch_events"));
        Assert.Equal(0L, await tx.CountAsync("staffing.daily_attendance_results"));
        Assert.Equal(0L, await tx.CountAsync("staffing.outbox"));
        // And the trigger is back on for everyone else.
        await AssertKernelErrorAsync("STAFFING_EVENT_IMMUTABLE", () => tx.ExecuteAsync("DELETE FROM staffing.time_punch_events"));
    }
}
