using Grpc.Core;
using HrmsAttendance.Contracts.Identity.V1;
using HrmsAttendance.Load.Benchmarks;

namespace HrmsAttendance.Import.Benchmarks;

/// <summary>
/// The benchmark's file as DingTalk's export workbook (issue 16): the same punches as the CSV run, in a 原始记录 sheet
/// (title row, 报表生成时间 row, the 15-column header, one row per punch, minutes only) between the workbook's other
/// sheets, each person by its DingTalk UserId (linked here) and its 工号.
/// </summary>
public static partial class DingTalkExportBench
{
    /// <summary>Links every person to its DingTalk user id through identity-mapping, 16 calls at a time.</summary>
    public static async Task LinkAsync(IdentityMappingClient identity, Metadata bearer, LoadPersons persons, string runId)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < persons.Count; i = Interlocked.Increment(ref next))
                await identity.LinkIdentityAsync(
                    new LinkIdentityRequest { Provider = IdentityProvider.Dingtalk, ExternalUserId = UserIdOf(runId, i), PersonUuid = persons.Person(i) },
                    new CallOptions(bearer, DateTime.UtcNow.AddSeconds(30)));
        }));
    }
}
