using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts.Adjustments.V1;
using HrmsAttendance.Contracts.Audit.V1;
using HrmsAttendance.Contracts.Ledger.V1;
using HrmsAttendance.Tests.Shared;
using HrmsAttendance.Tokens;
using Npgsql;
using static HrmsAttendance.PunchLedger.IntegrationTests.Grpc.PunchLedgerServiceFixture;

namespace HrmsAttendance.PunchLedger.IntegrationTests.Grpc;

/// <summary>
/// The audit log (issue 14): every write lands in it by the database's own triggers (punches, persons, links,
/// adjustments, approver assignments, imports), it is append-only even for the schema owner, it is purged only past
/// the retention period, and a tenant lists only its own entries.
/// </summary>
[Collection(PunchLedgerServiceCollection.Name)]
public sealed class AuditLogGrpcTests(PunchLedgerServiceFixture fixture)
{
    private static readonly DateTimeOffset MondayNine = new(2026, 3, 2, 9, 0, 0, TimeSpan.FromHours(8));
    private readonly Guid tenant = Guid.NewGuid();

    private AuditLog.AuditLogClient Client => new(fixture.Channel);

    private CallOptions As(string role, string subject, Guid? person = null, Guid? tenantId = null) =>
        TestAccessTokens.Bearer(new AccessTokenIssuer(AccessTokens.Settings)
            .Issue(new AccessTokenClaims(tenantId ?? tenant, subject, [role], person), TimeSpan.FromMinutes(10)));

    private static PunchInput Punch(Guid person, int minutes) => new()
    {
        PersonUuid = person.ToString(),
        PunchTime = Timestamp.FromDateTimeOffset(MondayNine.AddMinutes(minutes)),
        PunchType = PunchType.Raw,
        SourceProvider = SourceProvider.Manual,
        RequestId = Guid.NewGuid().ToString(),
    };

    private async Task<List<AuditEntry>> EntriesAsync(ListAuditEntriesRequest? request = null, Guid? tenantId = null)
    {
        var response = await Client.ListAuditEntriesAsync(request ?? new ListAuditEntriesRequest { PageSize = 500 },
            As(AccessRoles.TenantAdmin, "user:auditor", tenantId: tenantId));
        return response.Entries.ToList();
    }

    [Fact]
    public async Task Punches_adjustments_and_assignments_are_entries_with_their_actor_newest_first()
    {
        var persons = await fixture.NewPersonsAsync(tenant, 2);
        var (employee, approver) = (persons[0], persons[1]);
        var single = await fixture.Client.SubmitPunchAsync(new SubmitPunchRequest { Punch = Punch(employee, 0) },
            As(AccessRoles.Employee, "user:employee", employee));
        await fixture.Client.SubmitPunchesAsync(new SubmitPunchesRequest { Punches = { Punch(employee, 60), Punch(employee, 120), Punch(approver, 0) } },
            As(AccessRoles.Integration, "service:dingtalk-connector"));

        var adjustments = new Contracts.Adjustments.V1.Adjustments.AdjustmentsClient(fixture.Channel);
        await adjustments.AssignApproverAsync(new ApproverAssignment { ApproverPersonUuid = approver.ToString(), PersonUuid = employee.ToString() },
            As(AccessRoles.TenantAdmin, "user:admin"));
        var requested = await adjustments.RequestAdjustmentAsync(new RequestAdjustmentRequest
        {
            PersonUuid = employee.ToString(), PunchTime = Timestamp.FromDateTimeOffset(MondayNine.AddHours(9)),
            PunchType = AdjustmentPunchType.Out, Reason = "forgot",
        }, As(AccessRoles.Employee, "user:employee", employee));
        var approved = await adjustments.ApproveAdjustmentAsync(new DecideAdjustmentRequest { AdjustmentId = requested.AdjustmentId },
            As(AccessRoles.Approver, "user:approver", approver));

        var entries = await EntriesAsync();
        // Persons are created by the test through identity-mapping's door directly (no actor set): two person.created first.
        Assert.Equal(
        [
            ("adjustment.approved", "user:approver"),
            ("punch.recorded", "user:approver"),
            ("adjustment.requested", "user:employee"),
            ("approver.assigned", "user:admin"),
            ("punches.recorded", "service:dingtalk-connector"),
            ("punch.recorded", "user:employee"),
            ("person.created", "unknown"),
            ("person.created", "unknown"),
        ], entries.Select(e => (e.Action, e.Actor)));
        Assert.True(entries.Zip(entries.Skip(1)).All(pair => pair.First.Id > pair.Second.Id));

        var punch = entries[5];
        Assert.Equal((single.EventId, "punch", "punch-ledger"), (punch.ObjectId, punch.ObjectType, punch.Service));
        using (var details = JsonDocument.Parse(punch.DetailsJson))
            Assert.Equal(employee.ToString(), details.RootElement.GetProperty("person_uuid").GetString());
        using (var batch = JsonDocument.Parse(entries[4].DetailsJson))
        {
            Assert.Equal(3, batch.RootElement.GetProperty("count").GetInt32());
            Assert.Equal(2, batch.RootElement.GetProperty("persons").GetInt32());
            Assert.Equal("MANUAL", batch.RootElement.GetProperty("source_provider").GetString());
        }
        Assert.Equal(approved.CorrectionEventId, entries[1].ObjectId);
        using (var correction = JsonDocument.Parse(entries[1].DetailsJson))
            Assert.Equal("CORRECTION", correction.RootElement.GetProperty("source_provider").GetString());
        Assert.Equal(requested.AdjustmentId, entries[0].ObjectId);

        // Filters: an object's actions, one actor, one object; paging along the ids.
        Assert.Equal(["adjustment.approved", "adjustment.requested"],
            (await EntriesAsync(new ListAuditEntriesRequest { Action = "adjustment." })).Select(e => e.Action));
        Assert.Equal(["punch.recorded"], (await EntriesAsync(new ListAuditEntriesRequest { Action = "punch.recorded", Actor = "user:employee" })).Select(e => e.Action));
        Assert.Equal(2, (await EntriesAsync(new ListAuditEntriesRequest { ObjectId = requested.AdjustmentId })).Count);
        var page = await Client.ListAuditEntriesAsync(new ListAuditEntriesRequest { PageSize = 3 }, As(AccessRoles.TenantAdmin, "user:auditor"));
        var rest = await Client.ListAuditEntriesAsync(new ListAuditEntriesRequest { PageSize = 500, PageToken = page.NextPageToken }, As(AccessRoles.TenantAdmin, "user:auditor"));
        Assert.Equal(entries.Select(e => e.Id), page.Entries.Concat(rest.Entries).Select(e => e.Id));
        Assert.Empty(rest.NextPageToken);

        // Another tenant sees none of it.
        Assert.Empty(await EntriesAsync(tenantId: Guid.NewGuid()));
    }

    [Fact]
    public async Task Person_and_link_changes_record_the_actor_the_service_sets()
    {
        await using var connection = await fixture.Identity.OpenConnectionAsync();
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using var command = new NpgsqlCommand($"""
                SELECT set_config('app.current_tenant', '{tenant}', true), set_config('app.actor', 'user:hr', true);
                SELECT person.create_person('E-1', '张三');
                """, connection, tx);
            await command.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }
        var person = (await EntriesAsync()).Single();
        Assert.Equal(("person.created", "user:hr", "identity-mapping", "person"), (person.Action, person.Actor, person.Service, person.ObjectType));
        using (var details = JsonDocument.Parse(person.DetailsJson))
            Assert.Equal("张三", details.RootElement.GetProperty("display_name").GetString());

        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using var command = new NpgsqlCommand($"""
                SELECT set_config('app.current_tenant', '{tenant}', true), set_config('app.actor', 'user:hr2', true);
                SELECT person.update_person('{person.ObjectId}', NULL, false);
                """, connection, tx);
            await command.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }
        var deactivated = (await EntriesAsync())[0];
        Assert.Equal(("person.deactivated", "user:hr2", person.ObjectId), (deactivated.Action, deactivated.Actor, deactivated.ObjectId));
    }

    [Fact]
    public async Task The_log_is_append_only_for_everyone_and_purged_only_past_the_retention_period()
    {
        await fixture.NewPersonAsync(tenant);
        await using var connection = await fixture.Owner.OpenConnectionAsync();
        async Task<PostgresException> Refused(string sql)
        {
            await using var tx = await connection.BeginTransactionAsync();
            await using var command = new NpgsqlCommand($"SELECT set_config('app.current_tenant', '{tenant}', true); {sql}", connection, tx);
            return await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
        }
        Assert.Equal("AUDIT_ENTRY_IMMUTABLE", (await Refused("UPDATE audit.entries SET actor = 'someone else'")).MessageText);
        Assert.Equal("AUDIT_ENTRY_IMMUTABLE", (await Refused("DELETE FROM audit.entries")).MessageText);
        Assert.Equal("AUDIT_INVALID_ARGUMENT", (await Refused("SELECT audit.purge_expired(29)")).MessageText);

        // The service's role may read the log and nothing else.
        await using var app = new NpgsqlConnection(fixture.AppConnectionString);
        await app.OpenAsync();
        await using (var tx = await app.BeginTransactionAsync())
        {
            await using var insert = new NpgsqlCommand($"""
                SELECT set_config('app.current_tenant', '{tenant}', true);
                INSERT INTO audit.entries (tenant_id, actor, service, action, object_type) VALUES ('{tenant}', 'me', 'x', 'forged', 'x');
                """, app, tx);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => insert.ExecuteNonQueryAsync())).SqlState);
        }

        // An entry from 40 days ago goes with a 30-day retention; today's stay.
        await using (var tx = await connection.BeginTransactionAsync())
        {
            await using var old = new NpgsqlCommand($"""
                SELECT set_config('app.current_tenant', '{tenant}', true);
                INSERT INTO audit.entries (tenant_id, occurred_at, actor, service, action, object_type)
                VALUES ('{tenant}', now() - interval '40 days', 'user:old', 'punch-ledger', 'punch.recorded', 'punch');
                """, connection, tx);
            await old.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }
        Assert.Equal(2, (await EntriesAsync()).Count);
        await using (var purge = new NpgsqlCommand("SELECT audit.purge_expired(30)", app))
            Assert.True((long)(await purge.ExecuteScalarAsync())! >= 1);
        Assert.Equal(["person.created"], (await EntriesAsync()).Select(e => e.Action));
    }

    [Fact]
    public async Task Bad_filters_are_refused_with_the_audit_code()
    {
        foreach (var bad in new[]
                 {
                     new ListAuditEntriesRequest { PageSize = 501 },
                     new ListAuditEntriesRequest { PageToken = "abc" },
                     new ListAuditEntriesRequest { Actor = "a\u0001b" },
                     new ListAuditEntriesRequest { FromTime = Timestamp.FromDateTime(DateTime.UtcNow), ToTime = Timestamp.FromDateTime(DateTime.UtcNow.AddDays(-1)) },
                 })
        {
            var e = await Assert.ThrowsAsync<RpcException>(async () =>
                await Client.ListAuditEntriesAsync(bad, As(AccessRoles.TenantAdmin, "user:auditor")));
            Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
            Assert.StartsWith("AUDIT_INVALID_ARGUMENT: ", e.Status.Detail);
        }
    }
}
