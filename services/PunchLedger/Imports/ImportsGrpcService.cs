using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using HrmsAttendance.Contracts;
using HrmsAttendance.Contracts.Imports.V1;
using HrmsAttendance.TokenAuthentication;
using ImportRowMessage = HrmsAttendance.Contracts.Imports.V1.ImportRow;
using ImportAuditMessage = HrmsAttendance.Contracts.Imports.V1.ImportAuditEntry;

namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>
/// <c>attendance.imports.v1.Imports</c>: the JSON routes' operations (<see cref="ImportsApi"/>) over gRPC, on the same
/// store and worker; the upload is a client stream (a header, then the file's bytes).
/// </summary>
public sealed class ImportsGrpcService(ImportStore store, ImportWorker worker) : Contracts.Imports.V1.Imports.ImportsBase
{
    public const int MaxChunkBytes = 1024 * 1024;

    public override Task<GetTemplateResponse> GetTemplate(GetTemplateRequest request, ServerCallContext context)
    {
        _ = context.Caller();
        var format = Format(request.Format);
        return Task.FromResult(new GetTemplateResponse
        {
            Content = ByteString.CopyFrom(ImportFormats.Template(format)),
            FileName = $"attendance-import-{format}.csv",
        });
    }

    public override async Task<PrepareImportResponse> PrepareImport(IAsyncStreamReader<PrepareImportRequest> requestStream, ServerCallContext context)
    {
        var caller = context.Caller();
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.PartCase != PrepareImportRequest.PartOneofCase.Header)
            throw ImportErrors.Invalid("the first message must be the header (format, encoding, file_name)");
        var header = requestStream.Current.Header;
        var format = Format(header.Format);
        var encoding = header.Encoding switch
        {
            "" or "auto" => null,
            "utf-8" or "gbk" => header.Encoding,
            _ => throw ImportErrors.Invalid("encoding must be empty, auto, utf-8 or gbk"),
        };
        var fileName = header.FileName.Length == 0 ? null
            : header.FileName.Length <= 255 && WireValues.TextProblem(header.FileName) is null ? header.FileName
            : throw ImportErrors.Invalid("file_name must be at most 255 characters without control characters");
        var prepared = await Store(() => store.PrepareAsync(caller.TenantId, caller.Subject, format, encoding, fileName,
            new ChunkStream(requestStream, context.CancellationToken), context.CancellationToken));
        worker.Wake();
        return new PrepareImportResponse { Import = Status(prepared.Batch), CommitToken = prepared.CommitToken };
    }

    public override async Task<ImportStatus> GetImport(GetImportRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        return Status(await Store(() => store.GetAsync(caller.TenantId, Id(request.ImportId), context.CancellationToken)));
    }

    public override async Task<PreviewImportResponse> PreviewImport(PreviewImportRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var id = Id(request.ImportId);
        var limit = request.PreviewLimit == 0 ? ImportsApi.DefaultPreviewLimit
            : request.PreviewLimit is > 0 and <= ImportsApi.MaxPreviewLimit ? request.PreviewLimit
            : throw ImportErrors.Invalid($"preview_limit must be from 1 to {ImportsApi.MaxPreviewLimit} (0: {ImportsApi.DefaultPreviewLimit})");
        if (request.AfterLine < 0) throw ImportErrors.Invalid("after_line must not be negative");
        var batch = await Store(() => store.GetAsync(caller.TenantId, id, context.CancellationToken));
        var impact = await Store(() => store.ImpactAsync(caller.TenantId, id, context.CancellationToken));
        var rows = await Store(() => store.RowsAsync(caller.TenantId, id, request.AfterLine, limit, request.OnlyErrors, context.CancellationToken));
        var response = new PreviewImportResponse
        {
            Import = Status(batch),
            Persons = impact.Persons,
            PersonDays = impact.PersonDays,
            FromDate = impact.FromDate?.ToString("yyyy-MM-dd") ?? "",
            ToDate = impact.ToDate?.ToString("yyyy-MM-dd") ?? "",
            NextAfterLine = rows.Count == limit ? rows[^1].Line : 0,
        };
        foreach (var (code, count) in impact.ErrorsByCode) response.ErrorsByCode[code] = count;
        response.Rows.AddRange(rows.Select(Row));
        return response;
    }

    public override async Task<CommitImportResponse> CommitImport(CommitImportRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var id = Id(request.ImportId);
        if (request.CommitToken.Length is 0 or > 100) throw ImportErrors.Invalid("commit_token is required (the token PrepareImport answered)");
        var key = request.IdempotencyKey.Length == 0 ? null
            : request.IdempotencyKey.Length <= 200 && WireValues.TextProblem(request.IdempotencyKey) is null ? request.IdempotencyKey
            : throw ImportErrors.Invalid("idempotency_key must be at most 200 characters without control characters");
        var answer = await Store(() => store.RequestCommitAsync(caller.TenantId, caller.Subject, id, request.CommitToken, key, context.CancellationToken));
        worker.Wake();
        return new CommitImportResponse { Import = Status(answer.Batch), Replayed = answer.Replayed };
    }

    public override async Task GetImportReport(GetImportRequest request, IServerStreamWriter<ImportRowMessage> responseStream, ServerCallContext context)
    {
        var caller = context.Caller();
        var id = Id(request.ImportId);
        await Store(async () =>
        {
            await foreach (var row in store.StreamRowsAsync(caller.TenantId, id, 0, null, false, context.CancellationToken))
                await responseStream.WriteAsync(Row(row), context.CancellationToken);
            return true;
        });
    }

    public override async Task<ListImportAuditResponse> ListImportAudit(ListImportAuditRequest request, ServerCallContext context)
    {
        var caller = context.Caller();
        var limit = request.Limit == 0 ? 100 : request.Limit is > 0 and <= 1000 ? request.Limit
            : throw ImportErrors.Invalid("limit must be from 1 to 1000 (0: 100)");
        if (request.BeforeId < 0) throw ImportErrors.Invalid("before_id must not be negative");
        var entries = await Store(() => store.AuditAsync(caller.TenantId, request.BeforeId == 0 ? null : request.BeforeId, limit, context.CancellationToken));
        var response = new ListImportAuditResponse();
        response.Entries.AddRange(entries.Select(e => new ImportAuditMessage
        {
            Id = e.Id,
            ImportId = e.ImportId?.ToString() ?? "",
            Actor = e.Actor,
            Action = e.Action,
            FileSha256 = e.FileSha256 ?? "",
            DetailsJson = e.Details,
            At = Timestamp.FromDateTimeOffset(e.At),
        }));
        return response;
    }

    public static ImportStatus Status(ImportBatch b) => new()
    {
        ImportId = b.ImportId.ToString(),
        Status = b.Status,
        Format = b.Format,
        Encoding = b.Encoding,
        FileName = b.FileName ?? "",
        FileSha256 = b.FileSha256 ?? "",
        FileBytes = b.FileBytes,
        UploadedBy = b.UploadedBy,
        CreatedAt = Timestamp.FromDateTimeOffset(b.CreatedAt),
        FailureCode = b.FailureCode ?? "",
        FailureDetail = b.FailureDetail ?? "",
        RowsRead = b.RowsRead,
        RowsValid = b.RowsValid,
        RowsInvalid = b.RowsInvalid,
        CommitTokenExpiresAt = Timestamp.FromDateTimeOffset(b.CommitTokenExpiresAt),
        CommitRequestedAt = b.CommitRequestedAt is { } requested ? Timestamp.FromDateTimeOffset(requested) : null,
        CommittedBy = b.CommittedBy ?? "",
        IdempotencyKey = b.IdempotencyKey ?? "",
        RowsCommitted = b.RowsCommitted,
        RowsAccepted = b.RowsAccepted,
        RowsDuplicate = b.RowsDuplicate,
        RowsRejected = b.RowsRejected,
        CommittedAt = b.CommittedAt is { } committed ? Timestamp.FromDateTimeOffset(committed) : null,
        Detected = b.Detected is { } d
            ? new ImportDetection { Container = d.Container, Layout = d.Layout, Sheet = d.Sheet ?? "", HeaderRow = d.HeaderRow, HeaderLastRow = d.LastHeaderRow }
            : null,
    };

    private static ImportRowMessage Row(ImportRowView r) => new()
    {
        Line = r.Line,
        Person = r.PersonText ?? "",
        Time = r.TimeText ?? "",
        Type = r.TypeText ?? "",
        PersonUuid = r.PersonUuid?.ToString() ?? "",
        PunchTime = r.PunchTime is { } time ? Timestamp.FromDateTimeOffset(time) : null,
        PunchType = r.PunchType ?? "",
        RequestId = r.RequestId ?? "",
        ErrorCode = r.ErrorCode ?? "",
        ErrorDetail = r.ErrorDetail ?? "",
        Outcome = r.Outcome ?? "",
        OutcomeCode = r.OutcomeCode ?? "",
        EventUuid = r.EventUuid?.ToString() ?? "",
        SheetRow = r.SheetRow ?? 0,
        SourceColumn = r.SourceColumn ?? "",
    };

    private static string Format(string format) =>
        ImportFormats.All.Contains(format) ? format : throw ImportErrors.Invalid($"format must be one of {string.Join(", ", ImportFormats.All)}");

    private static Guid Id(string value) => ImportsApi.Id(value);

    private static async Task<T> Store<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is not (ImportException or OperationCanceledException or RpcException))
        {
            throw ImportErrors.FromDatabase(e);
        }
    }

    /// <summary>The file's bytes as the client streams them (chunk messages after the header), as a read-only stream.</summary>
    private sealed class ChunkStream(IAsyncStreamReader<PrepareImportRequest> messages, CancellationToken callCancelled) : ForwardOnlyReadStream
    {
        private ReadOnlyMemory<byte> current;

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct = default)
        {
            while (current.IsEmpty)
            {
                if (!await messages.MoveNext(callCancelled)) return 0;
                if (messages.Current.PartCase != PrepareImportRequest.PartOneofCase.Chunk)
                    throw ImportErrors.Invalid("after the header, every message must be a chunk of the file");
                if (messages.Current.Chunk.Length > MaxChunkBytes)
                    throw ImportErrors.Invalid(string.Create(CultureInfo.InvariantCulture, $"a chunk is at most {MaxChunkBytes} bytes"));
                current = messages.Current.Chunk.Memory;
            }
            var count = Math.Min(destination.Length, current.Length);
            current[..count].CopyTo(destination);
            current = current[count..];
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }
}
