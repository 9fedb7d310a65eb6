using HrmsAttendance.Contracts.Ledger.V1;

namespace HrmsAttendance.Connectors.Pipeline;

/// <summary>
/// A punch as a platform reported it, parsed: who (the platform's user id), when, the platform's id for it, and the raw
/// record it came from. Only the time and the identity are trusted; the payload is kept for audit.
/// </summary>
/// <param name="SourceEventId">The platform's id for this punch (see <see cref="ConnectorProvider.SourceEventIdOf"/>).</param>
/// <param name="Type">RAW unless the platform says IN or OUT reliably.</param>
/// <param name="PayloadJson">The platform's record as a JSON object.</param>
public sealed record ExternalPunch(string ExternalUserId, string SourceEventId, DateTimeOffset PunchTime, PunchType Type, string PayloadJson);

/// <summary>What one ingest did with its punches; every punch is in exactly one of the counts.</summary>
public sealed record IngestResult(int Recorded, int Duplicates, int Parked, int Rejected)
{
    public int Total => Recorded + Duplicates + Parked + Rejected;
}
