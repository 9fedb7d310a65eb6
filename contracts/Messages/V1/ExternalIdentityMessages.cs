using MassTransit;

namespace HrmsAttendance.Contracts.Messages.V1;

/// <summary>identity-mapping linked a platform user id (DingTalk, WeCom) to a person: parked punches of that id can land.</summary>
[MessageUrn("hrms-attendance:identity:v1:ExternalIdentityLinked")]
[EntityName("attendance.identity.v1.external-identity-linked")]
public sealed record ExternalIdentityLinked : IAttendanceMessage
{
    public required Guid MessageId { get; init; }
    public required Guid TenantId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required long Sequence { get; init; }
    public required int Position { get; init; }
    public string? TraceParent { get; init; }

    /// <summary>DINGTALK or WECOM.</summary>
    public required string Provider { get; init; }
    public required string ExternalUserId { get; init; }
    public required Guid PersonUuid { get; init; }
}

/// <summary>identity-mapping removed a platform user id's link: later punches of that id are parked again.</summary>
[MessageUrn("hrms-attendance:identity:v1:ExternalIdentityUnlinked")]
[EntityName("attendance.identity.v1.external-identity-unlinked")]
public sealed record ExternalIdentityUnlinked : IAttendanceMessage
{
    public required Guid MessageId { get; init; }
    public required Guid TenantId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required long Sequence { get; init; }
    public required int Position { get; init; }
    public string? TraceParent { get; init; }

    public required string Provider { get; init; }
    public required string ExternalUserId { get; init; }
    public required Guid PersonUuid { get; init; }
}
