using System.Text.Json;
using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.Messaging.Outbox;

namespace HrmsAttendance.PunchLedger.Messaging;

/// <summary>
/// The ledger's outbox messages (<c>staffing.outbox_messages</c>, spelled out by <c>staffing.claim_outbox_messages</c>)
/// as the bus contracts: <see cref="PunchRecorded"/> from an event's <c>staffing.punch_recorded_message</c>,
/// <see cref="DailyResultChanged"/> from a changed day with its input watermark, and <see cref="ImportCommitted"/> from
/// an announcement (0015_import_committed_message.sql).
/// </summary>
public sealed class LedgerOutboxMessages : IOutboxMessageFactory
{
    public const string Schema = "staffing";
    public const string Source = "punch-ledger";

    public object Create(OutboxMessage message, Guid messageId)
    {
        var payload = message.Payload;
        return message.MessageType switch
        {
            nameof(PunchRecorded) => new PunchRecorded
            {
                MessageId = messageId,
                TenantId = message.TenantId,
                OccurredAt = message.CreatedAt,
                Sequence = message.OutboxId,
                Position = message.Position,
                TraceParent = message.TraceParent,
                EventId = payload.GetProperty("event_uuid").GetGuid(),
                EventSequence = payload.GetProperty("event_id").GetInt64(),
                PersonUuid = payload.GetProperty("person_uuid").GetGuid(),
                PunchTime = payload.GetProperty("punch_time").GetDateTimeOffset(),
                WorkDate = Date(payload, "work_date"),
                PunchType = payload.GetProperty("punch_type").GetString()!,
                SourceProvider = payload.GetProperty("source_provider").GetString()!,
                SourceEventId = payload.GetProperty("source_event_id").GetString(),
                RequestId = payload.GetProperty("request_id").GetString()!,
            },
            nameof(DailyResultChanged) => new DailyResultChanged
            {
                MessageId = messageId,
                TenantId = message.TenantId,
                OccurredAt = message.CreatedAt,
                Sequence = message.OutboxId,
                Position = message.Position,
                TraceParent = message.TraceParent,
                PersonUuid = payload.GetProperty("person_uuid").GetGuid(),
                WorkDate = Date(payload, "work_date"),
                Status = payload.GetProperty("status").GetString()!,
                Flags = payload.GetProperty("flags").EnumerateArray().Select(flag => flag.GetString()!).Order(StringComparer.Ordinal).ToArray(),
                InputPunchCount = payload.GetProperty("input_punch_count").GetInt32(),
                InputMaxPunchEventSequence = payload.GetProperty("input_max_punch_event_db_id") is { ValueKind: JsonValueKind.Number } max ? max.GetInt64() : 0,
            },
            nameof(ImportCommitted) => new ImportCommitted
            {
                MessageId = messageId,
                TenantId = message.TenantId,
                OccurredAt = message.CreatedAt,
                Sequence = message.OutboxId,
                Position = message.Position,
                TraceParent = message.TraceParent,
                ImportId = payload.GetProperty("import_id").GetGuid(),
                Format = payload.GetProperty("format").GetString()!,
                FileName = payload.GetProperty("file_name").GetString(),
                FileSha256 = payload.GetProperty("file_sha256").GetString()!,
                IdempotencyKey = payload.GetProperty("idempotency_key").GetString(),
                CommittedBy = payload.GetProperty("committed_by").GetString()!,
                CommittedAt = payload.GetProperty("committed_at").GetDateTimeOffset(),
                RowsRead = payload.GetProperty("rows_read").GetInt32(),
                RowsInvalid = payload.GetProperty("rows_invalid").GetInt32(),
                RowsAccepted = payload.GetProperty("rows_accepted").GetInt32(),
                RowsDuplicate = payload.GetProperty("rows_duplicate").GetInt32(),
                RowsRejected = payload.GetProperty("rows_rejected").GetInt32(),
                Persons = payload.GetProperty("persons").GetInt32(),
                FromDate = OptionalDate(payload, "from_date"),
                ToDate = OptionalDate(payload, "to_date"),
            },
            _ => throw new InvalidOperationException(
                $"Outbox row {message.OutboxId} holds a message of type '{message.MessageType}', which the ledger does not publish."),
        };
    }

    private static DateOnly? OptionalDate(JsonElement payload, string name) =>
        payload.GetProperty(name).ValueKind == JsonValueKind.Null ? null : Date(payload, name);

    private static DateOnly Date(JsonElement payload, string name) =>
        DateOnly.ParseExact(payload.GetProperty(name).GetString()!, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
