namespace HrmsAttendance.IdentityMapping.Data;

public sealed record PersonRecord(
    Guid PersonUuid, string EmployeeNumber, string DisplayName, bool Active, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record LinkRecord(
    string Provider, string ExternalUserId, string? UnionId, Guid PersonUuid,
    DateTimeOffset LinkedAt, string? LinkedBy, DateTimeOffset? UnlinkedAt, string? UnlinkedBy);

/// <summary>One requested id and the person of its active link, or null.</summary>
public sealed record ResolvedIdentityRecord(string ExternalUserId, Guid? PersonUuid);

public sealed record UnmappedRecord(
    string Provider, string ExternalUserId, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt, long SeenCount);
