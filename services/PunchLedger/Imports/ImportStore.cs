using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using HrmsAttendance.Database;
using HrmsAttendance.Messaging.Outbox;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace HrmsAttendance.PunchLedger.Imports;

/// <summary>An import batch as stored (staffing.import_batches).</summary>
public sealed record ImportBatch(
    Guid ImportId, string Format, string? FileName, string? FileSha256, long FileBytes, string Encoding, string UploadedBy,
    string Status, string? FailureCode, string? FailureDetail, int RowsRead, int RowsValid, int RowsInvalid,
    DateTimeOffset CommitTokenExpiresAt, DateTimeOffset? CommitTokenUsedAt, string? IdempotencyKey, string? CommittedBy,
    DateTimeOffset? CommitRequestedAt, int RowsCommitted, int RowsAccepted, int RowsDuplicate, int RowsRejected,
    DateTimeOffset? CommittedAt, DateTimeOffset CreatedAt, int CommitAfterLine, DingTalkDetection? Detected = null);

/// <summary>What prepare answers: the batch and its commit token (only ever shown here; the database keeps its hash).</summary>
public sealed record PreparedImport(ImportBatch Batch, string CommitToken);

/// <summary>A commit request's answer: the batch, and whether it was a repeat of an earlier commit (same idempotency key).</summary>
public sealed record CommitAnswer(ImportBatch Batch, bool Replayed);

/// <summary>A row as the preview and the report show it.</summary>
public sealed record ImportRowView(
    int Line, string? PersonText, string? TimeText, string? TypeText, Guid? PersonUuid, DateTimeOffset? PunchTime,
    string? PunchType, string? RequestId, string? ErrorCode, string? ErrorDetail, string? Outcome, string? OutcomeCode, Guid? EventUuid,
    int? SheetRow = null, string? SourceColumn = null);

/// <summary>What the commit of a batch would change: its valid rows' persons and work dates.</summary>
public sealed record ImportImpact(int Persons, int PersonDays, DateOnly? FromDate, DateOnly? ToDate, IReadOnlyList<(string Code, int Rows)> ErrorsByCode);

public sealed record ImportAuditEntry(long Id, Guid? ImportId, string Actor, string Action, string? FileSha256, string Details, DateTimeOffset At);

/// <summary>
/// The import's data access: the batch, its file, its rows, the audit log (staffing.import_*, 0011_imports.sql), always
/// inside the caller's tenant (RLS). Commits go through the kernel's batch door and nowhere else.
/// </summary>
public sealed class ImportStore(
    NpgsqlDataSource dataSource, IOptions<ImportOptions> options, TimeProvider clock, OutboxSignal outboxWritten, ILogger<ImportStore> logger)
{
    private const int FileChunkBytes = 1024 * 1024;
    private const int RowsPerBlock = 5000;

    /// <summary>Connections staging a parse's blocks at once (two cores: the reader and two stagers keep both busy).</summary>
    private const int Stagers = 2;

    /// <summary>
    /// The parse's statements over many rows (a block's staging; the whole file's duplicates): the one staging statement
    /// they replaced took 1.5–5 s per 100,000 rows on the shared 2-core machine; Npgsql's default 30 s would fail a 64 MiB file.
    /// </summary>
    private const int StageStatementTimeoutSeconds = 600;

    private const string BatchColumns = """
        import_id, format, file_name, file_sha256, file_bytes, encoding, uploaded_by, status, failure_code, failure_detail,
        rows_read, rows_valid, rows_invalid, commit_token_expires_at, commit_token_used_at, idempotency_key, committed_by,
        commit_requested_at, rows_committed + p.committed, rows_accepted + p.accepted, rows_duplicate + p.duplicate,
        rows_rejected + p.rejected, committed_at, created_at, commit_after_line,
        detected_container, detected_layout, detected_sheet, header_row, header_last_row
        """;

    /// <summary>
    /// What the parts of the batch <paramref name="importId"/> (an SQL expression) have counted (0027: each part counts in
    /// its own row; the commit's last transaction adds them to the batch's, which then hold them).
    /// </summary>
    private static string PartCounts(string importId) => $"""
        SELECT coalesce(sum(c.rows_committed), 0)::int AS committed, coalesce(sum(c.rows_accepted), 0)::int AS accepted,
               coalesce(sum(c.rows_duplicate), 0)::int AS duplicate, coalesce(sum(c.rows_rejected), 0)::int AS rejected
        FROM staffing.import_commit_parts c
        WHERE c.import_id = {importId}
        """;

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
    public static Encoding Gbk { get; } = CodePagesEncodingProvider.Instance.GetEncoding(936)!;

    // ------------------------------------------------------------------------------------------------------------
    // prepare
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Stores an upload as it arrives (1 MiB chunks, never the whole file in memory) with the batch, its SHA-256, its
    /// encoding (given, or detected: a UTF-8 BOM or valid UTF-8 is UTF-8, anything else GBK) and a new commit token, in
    /// one transaction: an upload cut off half-way leaves nothing. The batch is then PARSING, for the background worker.
    /// </summary>
    public async Task<PreparedImport> PrepareAsync(Guid tenant, string actor, string format, string? encoding, string? fileName,
        Stream body, CancellationToken ct)
    {
        var importId = Guid.NewGuid();
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var expiresAt = clock.GetUtcNow() + options.Value.CommitTokenLifetime;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await SetTenantAsync(connection, tenant, ct);
        await ExecuteAsync(connection, """
            INSERT INTO staffing.import_batches (import_id, tenant_id, format, file_name, encoding, uploaded_by, status,
                                                 commit_token_sha256, commit_token_expires_at)
            VALUES ($1, $2, $3, $4, 'utf-8', $5, 'PARSING', $6, $7)
            """, ct, importId, tenant, format, fileName, actor, SHA256.HashData(Encoding.ASCII.GetBytes(token)), expiresAt);

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var utf8 = StrictUtf8.GetDecoder();
        var validUtf8 = true;
        var startsWithBom = false;
        long total = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(FileChunkBytes);
        try
        {
            for (var chunk = 0; ; chunk++)
            {
                var filled = 0;
                while (filled < FileChunkBytes && await body.ReadAsync(buffer.AsMemory(filled, FileChunkBytes - filled), ct) is var n and > 0)
                    filled += n;
                if (filled == 0) break;
                total += filled;
                if (total > options.Value.MaxFileBytes)
                    throw ImportErrors.Refuse(ImportErrors.FileTooLarge, $"the file is larger than {options.Value.MaxFileBytes} bytes");
                if (chunk == 0) startsWithBom = filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF;
                sha.AppendData(buffer, 0, filled);
                if (validUtf8)
                {
                    try { utf8.GetCharCount(buffer, 0, filled, flush: false); }
                    catch (DecoderFallbackException) { validUtf8 = false; }
                }
                await ExecuteAsync(connection, "INSERT INTO staffing.import_file_chunks (import_id, tenant_id, chunk, data) VALUES ($1, $2, $3, $4)",
                    ct, importId, tenant, chunk, new ReadOnlyMemory<byte>(buffer, 0, filled));
                if (filled < FileChunkBytes) break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (total == 0) throw ImportErrors.Refuse(ImportErrors.FileEmpty, "the request body (the file) is empty");
        if (validUtf8)
        {
            try { utf8.GetCharCount([], 0, 0, flush: true); }
            catch (DecoderFallbackException) { validUtf8 = false; }
        }
        var fileEncoding = encoding ?? (startsWithBom || validUtf8 ? "utf-8" : "gbk");
        var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
        await ExecuteAsync(connection, """
            UPDATE staffing.import_batches SET file_sha256 = $2, file_bytes = $3, encoding = $4, updated_at = now() WHERE import_id = $1
            """, ct, importId, hash, total, fileEncoding);
        await AuditAsync(connection, tenant, importId, actor, "PREPARE", hash,
            new JsonObject { ["format"] = format, ["file_name"] = fileName, ["file_bytes"] = total, ["encoding"] = fileEncoding }, ct);
        var batch = await ReadBatchAsync(connection, importId, ct) ?? throw new InvalidOperationException("the batch just written is gone");
        await tx.CommitAsync(ct);
        return new PreparedImport(batch, token);
    }

    // ------------------------------------------------------------------------------------------------------------
    // reads
    // ------------------------------------------------------------------------------------------------------------

    public async Task<ImportBatch> GetAsync(Guid tenant, Guid importId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await SetTenantAsync(connection, tenant, ct);
        return await ReadBatchAsync(connection, importId, ct) ?? throw NotFound(importId);
    }

    /// <summary>A page of rows after <paramref name="afterLine"/>, in line order (only those with a problem, when asked).</summary>
    public async Task<IReadOnlyList<ImportRowView>> RowsAsync(Guid tenant, Guid importId, int afterLine, int limit, bool onlyErrors,
        CancellationToken ct)
    {
        var rows = new List<ImportRowView>();
        await foreach (var row in StreamRowsAsync(tenant, importId, afterLine, limit, onlyErrors, ct)) rows.Add(row);
        return rows;
    }

    public async IAsyncEnumerable<ImportRowView> StreamRowsAsync(Guid tenant, Guid importId, int afterLine, int? limit, bool onlyErrors,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await SetTenantAsync(connection, tenant, ct);
        if (await ReadBatchAsync(connection, importId, ct) is null) throw NotFound(importId);
        await using var command = Command(connection, """
            SELECT r.line, r.person_text, r.time_text, r.type_text, r.person_uuid, r.punch_time, r.punch_type, r.request_id,
                   r.error_code, r.error_detail, coalesce(o.outcome, r.outcome, a.outcome), coalesce(o.outcome_code, r.outcome_code),
                   coalesce(o.event_uuid, r.event_uuid, a.event_uuid), r.sheet_row, r.source_column
            FROM staffing.import_rows r
            -- The commit's answer where the door did not accept the row (0024 and 0032; rows committed before 0024 have
            -- theirs in import_rows), one key probe per row.
            LEFT JOIN LATERAL (
              SELECT o.outcome, o.outcome_code, o.event_uuid
              FROM staffing.import_row_outcomes o
              WHERE o.import_id = r.import_id AND o.line = r.line
              LIMIT 1) o ON true
            -- A valid row without such an answer that its part's cursor has passed was accepted (0032): its punch is the
            -- ledger's event with the row's request id.
            LEFT JOIN LATERAL (
              SELECT 'ACCEPTED'::text AS outcome, e.event_uuid
              FROM staffing.time_punch_events e
              WHERE r.error_code IS NULL AND o.outcome IS NULL AND r.outcome IS NULL
                AND e.tenant_id = r.tenant_id AND e.request_id = r.request_id
                AND EXISTS (SELECT FROM staffing.import_commit_parts p
                            WHERE p.import_id = r.import_id AND r.line <= p.after_line
                              AND p.part = coalesce(staffing.import_commit_part(r.person_uuid, p.parts), 0))
              LIMIT 1) a ON true
            WHERE r.import_id = $1 AND r.line > $2
              AND (NOT $3 OR r.error_code IS NOT NULL OR coalesce(o.outcome, r.outcome) = 'REJECTED')
            ORDER BY r.line
            LIMIT $4
            """, importId, afterLine, onlyErrors, (object?)limit ?? DBNull.Value);
        command.Parameters[3].NpgsqlDbType = NpgsqlDbType.Integer;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new ImportRowView(
                reader.GetInt32(0), Text(reader, 1), Text(reader, 2), Text(reader, 3),
                reader.IsDBNull(4) ? null : reader.GetGuid(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                Text(reader, 6), Text(reader, 7), Text(reader, 8), Text(reader, 9), Text(reader, 10), Text(reader, 11),
                reader.IsDBNull(12) ? null : reader.GetGuid(12), reader.IsDBNull(13) ? null : reader.GetInt32(13), Text(reader, 14));
        }
    }

    /// <summary>What the commit would change (valid rows: their persons, the work dates they touch) and the problems by code.</summary>
    public async Task<ImportImpact> ImpactAsync(Guid tenant, Guid importId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await SetTenantAsync(connection, tenant, ct);
        if (await ReadBatchAsync(connection, importId, ct) is null) throw NotFound(importId);
        // A punch changes its own work date and the day before (whose window reaches 06:00 of this one): the kernel's rule.
        await using var command = Command(connection, """
            SELECT count(DISTINCT person_uuid), count(DISTINCT (person_uuid, d)), min(d) - 1, max(d)
            FROM (SELECT person_uuid, (punch_time AT TIME ZONE 'Asia/Shanghai')::date AS d
                  FROM staffing.import_rows WHERE import_id = $1 AND error_code IS NULL) v
            """, importId);
        int persons, days;
        DateOnly? from, to;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            persons = (int)reader.GetInt64(0);
            days = (int)reader.GetInt64(1);
            from = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateOnly>(2);
            to = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateOnly>(3);
        }
        var errors = new List<(string, int)>();
        await using var byCode = Command(connection, """
            SELECT error_code, count(*)::int FROM staffing.import_rows
            WHERE import_id = $1 AND error_code IS NOT NULL GROUP BY error_code ORDER BY error_code
            """, importId);
        await using (var reader = await byCode.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) errors.Add((reader.GetString(0), reader.GetInt32(1)));
        return new ImportImpact(persons, days, from, to, errors);
    }

    public async Task<IReadOnlyList<ImportAuditEntry>> AuditAsync(Guid tenant, long? beforeId, int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await SetTenantAsync(connection, tenant, ct);
        await using var command = Command(connection, """
            SELECT id, import_id, actor, action, file_sha256, details::text, at FROM staffing.import_audit
            WHERE tenant_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3
            """, tenant, (object?)beforeId ?? DBNull.Value, limit);
        command.Parameters[1].NpgsqlDbType = NpgsqlDbType.Bigint;
        var entries = new List<ImportAuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            entries.Add(new ImportAuditEntry(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.GetString(2),
                reader.GetString(3), Text(reader, 4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6)));
        return entries;
    }

    // ------------------------------------------------------------------------------------------------------------
    // commit
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Starts the commit of a parsed batch with its token (single use) and an optional idempotency key (one commit per
    /// key and tenant). A key that already names the commit of the same file answers that commit (never a second
    /// import); a key of another file is IMPORT_IDEMPOTENCY_CONFLICT. The rows are then recorded by the background worker.
    /// </summary>
    public async Task<CommitAnswer> RequestCommitAsync(Guid tenant, string actor, Guid importId, string token, string? idempotencyKey,
        CancellationToken ct)
    {
        try
        {
            return await TryRequestCommitAsync(tenant, actor, importId, token, idempotencyKey, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && idempotencyKey is not null)
        {
            // Another request took the key for another batch at the same moment: now it is visible, so this is a replay or a conflict.
            return await TryRequestCommitAsync(tenant, actor, importId, token, idempotencyKey, ct);
        }
    }

    private async Task<CommitAnswer> TryRequestCommitAsync(Guid tenant, string actor, Guid importId, string token, string? idempotencyKey,
        CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await SetTenantAsync(connection, tenant, ct);
        // Serializes the commit requests of one batch (five concurrent retries see each other's outcome).
        var batch = await ReadBatchAsync(connection, importId, ct, forUpdate: true) ?? throw NotFound(importId);
        if (idempotencyKey is not null)
        {
            await using var find = Command(connection, """
                SELECT import_id, file_sha256 FROM staffing.import_batches WHERE tenant_id = $1 AND idempotency_key = $2
                """, tenant, idempotencyKey);
            await using var reader = await find.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                var (firstId, firstSha) = (reader.GetGuid(0), Text(reader, 1));
                await reader.DisposeAsync();
                if (firstId != importId && firstSha != batch.FileSha256)
                    throw ImportErrors.Refuse(ImportErrors.IdempotencyConflict,
                        $"idempotencyKey {idempotencyKey} already names the commit of import {firstId}, a different file");
                var first = firstId == importId ? batch : await ReadBatchAsync(connection, firstId, ct) ?? batch;
                await tx.CommitAsync(ct);
                return new CommitAnswer(first, Replayed: true);
            }
        }
        if (!CryptographicOperations.FixedTimeEquals(await TokenHashAsync(connection, importId, ct), SHA256.HashData(Encoding.ASCII.GetBytes(token))))
            throw ImportErrors.Refuse(ImportErrors.TokenInvalid, "commitToken is not this import's commit token");
        if (batch.CommitTokenUsedAt is { } used)
            throw ImportErrors.Refuse(ImportErrors.TokenUsed,
                $"the commit token was used at {used:O} (import status {batch.Status}); a retry must send the same idempotencyKey");
        if (batch.CommitTokenExpiresAt <= clock.GetUtcNow())
            throw ImportErrors.Refuse(ImportErrors.TokenExpired, $"the commit token expired at {batch.CommitTokenExpiresAt:O}; prepare the file again");
        if (batch.Status != "PARSED")
            throw ImportErrors.Refuse(ImportErrors.NotReady, batch.Status == "PARSING"
                ? $"the file is still being read ({batch.RowsRead} rows so far); commit once the status is PARSED"
                : $"the import is {batch.Status}{(batch.FailureCode is null ? "" : $" ({batch.FailureCode}: {batch.FailureDetail})")}");
        await ExecuteAsync(connection, """
            UPDATE staffing.import_batches
            SET status = 'COMMITTING', commit_token_used_at = now(), idempotency_key = $2, committed_by = $3,
                commit_requested_at = now(), lease_until = NULL, updated_at = now()
            WHERE import_id = $1
            """, ct, importId, idempotencyKey, actor);
        await AuditAsync(connection, tenant, importId, actor, "COMMIT_REQUESTED", batch.FileSha256,
            new JsonObject { ["idempotency_key"] = idempotencyKey, ["rows_valid"] = batch.RowsValid, ["rows_invalid"] = batch.RowsInvalid }, ct);
        var committing = await ReadBatchAsync(connection, importId, ct) ?? batch;
        await tx.CommitAsync(ct);
        return new CommitAnswer(committing, Replayed: false);
    }

    /// <summary>
    /// Records a COMMITTING batch's valid rows through the batch door: the rows are split by person into
    /// <see cref="ImportOptions.CommitParts"/> parts (0023), each committed chunk by chunk on its own connection, at once.
    /// Each chunk writes the door's answer per row and moves its part's cursor in one transaction: after a crash the next
    /// attempt starts each part after its last committed chunk, and the rows' request ids make even a repeated chunk
    /// record nothing twice. When every part is through, marks the batch COMMITTED and announces it.
    /// </summary>
    public async Task CommitAsync(Guid tenant, Guid importId, CancellationToken ct)
    {
        var timing = new CommitTiming();
        var (lastLine, parts) = await StartCommitPartsAsync(tenant, importId, ct);
        if (parts.Count == 0) return; // no longer COMMITTING: done, or taken over
        var finished = await Task.WhenAll(parts.Select(part => CommitPartAsync(tenant, importId, part, lastLine, timing, ct)));
        if (finished.All(done => done))
            await FinishCommitAsync(tenant, importId, lastLine, parts.Count, timing, ct);
        logger.LogInformation("Committed import {ImportId} in this attempt: milliseconds per step {Steps}", importId, timing.ToJson().ToJsonString());
    }

    /// <summary>
    /// Where an attempt's commit time goes (logged, and in the COMMITTED audit entry): the chunk statements (lock and cursor,
    /// read, door, outcomes) with their commits as the worker waited for them, and as Postgres ran them — summed over the
    /// parts, which run at once —, and the announcement and audit entry.
    /// </summary>
    private sealed class CommitTiming
    {
        private readonly long started = System.Diagnostics.Stopwatch.GetTimestamp();
        private readonly Lock gate = new();
        private int chunks;
        private double statement, statementInServer, finish;

        public static double Since(long start) => System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        public void Chunk(double statementAndCommitMs, double inServerMs)
        {
            lock (gate) { chunks++; statement += statementAndCommitMs; statementInServer += inServerMs; }
        }

        public void Finished(double finishMs)
        {
            lock (gate) finish += finishMs;
        }

        public JsonObject ToJson()
        {
            lock (gate)
                return new()
                {
                    ["chunks"] = chunks, ["chunk statements with their commits"] = Math.Round(statement),
                    ["chunk statements in postgres"] = Math.Round(statementInServer), ["announce and audit"] = Math.Round(finish),
                    ["total"] = Math.Round(Since(started)),
                };
        }
    }

    /// <summary>
    /// The batch's last staged line (0 when it has none: the rows are fixed once it is parsed) and its commit parts,
    /// made on the first attempt (<see cref="ImportOptions.CommitParts"/> of them; a batch whose commit began before
    /// parts existed continues from its old cursor in each). No parts when the batch is no longer COMMITTING.
    /// </summary>
    private async Task<(int LastLine, List<short> Parts)> StartCommitPartsAsync(Guid tenant, Guid importId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await SetTenantAsync(connection, tenant, ct);
        var batch = await ReadBatchAsync(connection, importId, ct, forUpdate: true);
        if (batch?.Status != "COMMITTING") return (0, []);
        // Counted as it was parsed (0029); max(line) under the rows' RLS policy is no index lookup but a read of every row
        // of the batch (~55 ms per 100,000), left for a batch parsed before 0029.
        await using var last = Command(connection, """
            SELECT coalesce(b.last_line, (SELECT coalesce(max(r.line), 0) FROM staffing.import_rows r WHERE r.import_id = $1))
            FROM staffing.import_batches b WHERE b.import_id = $1
            """, importId);
        var lastLine = (int)(await last.ExecuteScalarAsync(ct))!;
        await ExecuteAsync(connection, """
            INSERT INTO staffing.import_commit_parts (import_id, tenant_id, part, parts, after_line)
            SELECT b.import_id, b.tenant_id, g.part, $2, b.commit_after_line
            FROM staffing.import_batches b CROSS JOIN generate_series(0, $2 - 1) AS g(part)
            WHERE b.import_id = $1 AND NOT EXISTS (SELECT 1 FROM staffing.import_commit_parts p WHERE p.import_id = $1)
            """, ct, importId, (short)options.Value.CommitParts);
        var parts = new List<short>();
        await using (var read = Command(connection, "SELECT part FROM staffing.import_commit_parts WHERE import_id = $1 ORDER BY part", importId))
        await using (var reader = await read.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                parts.Add(reader.GetInt16(0));
        await tx.CommitAsync(ct);
        return (lastLine, parts);
    }

    /// <summary>Commits one part chunk by chunk on a connection of its own; false when the batch stopped being COMMITTING meanwhile.</summary>
    private async Task<bool> CommitPartAsync(Guid tenant, Guid importId, short part, int lastLine, CommitTiming timing, CancellationToken ct)
    {
        // One connection for all of the part's chunks: the pool resets a returned connection (DISCARD ALL), which throws away
        // the plans the kernel's functions cached, and planning the batch door's statements costs more than running them.
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        bool? through;
        while ((through = await CommitNextChunkAsync(connection, tenant, importId, part, lastLine, timing, ct)) == false) { }
        return through == true;
    }

    /// <summary>
    /// Records the next valid rows of a part (at most <see cref="ImportOptions.CommitChunkRows"/>, one batch door call,
    /// among the next CommitChunkRows × parts lines after the part's cursor), writes each row's outcome, moves the part's
    /// cursor past them and adds the counts to the batch, in one transaction. True when the part is through, null when
    /// the batch is no longer COMMITTING (done, or taken over). The chunk is bounded by a range of lines, not "the next n
    /// rows" alone: the staged rows are never analysed while a commit runs, and with no statistics the planner answered
    /// "the next n rows in line order" by sorting every remaining row of the batch, once per chunk.
    /// </summary>
    private async Task<bool?> CommitNextChunkAsync(NpgsqlConnection connection, Guid tenant, Guid importId, short part, int lastLine,
        CommitTiming timing, CancellationToken ct)
    {
        // One round trip for the whole chunk and its commit: the tenant and the chunk's statement (the part's lock and
        // cursor, the rows, the door call, the outcomes, the moved cursor with the part's counts) are one batch, which
        // Postgres runs as one implicit transaction and commits at its end (no BEGIN, and no COMMIT as a second round
        // trip after the answer was read). The part's row is locked first (a worker that took the batch over waits here,
        // then reads the moved cursor); the batch's row only when the lease is renewed, last.
        //
        // Every step's row count is known or bounded by the chunk, whatever the statistics say (the staged rows are never
        // analysed while a commit runs, and the table's statistics may be those of other batches): the chunk is read from
        // a range of the primary key (its bounds are scalar subqueries, so an index range whichever plan), its columns go
        // to the door as arrays built in one pass, and the door's answers are inserted as they come (0024), never joined
        // back to the staged rows: joined as a set, the planner — taking the rows of the range for one — hashed every row
        // of the batch once per chunk (100,000 rows: ~60 ms of a ~120 ms chunk), or re-aggregated the answers once per row.
        await using var chunk = TenantScopedBatch.Create(connection, tenant);
        var record = new NpgsqlBatchCommand("""
            WITH part AS MATERIALIZED (
              SELECT p.after_line AS from_line, greatest(p.after_line, least(p.after_line + $3 * p.parts, $4)) AS range_end,
                     p.parts, b.committed_by
              FROM staffing.import_commit_parts p
              JOIN staffing.import_batches b ON b.import_id = p.import_id
              WHERE p.import_id = $1 AND p.part = $6 AND b.status = 'COMMITTING'
              FOR UPDATE OF p),
            chunk AS MATERIALIZED (
              SELECT line, person_uuid, punch_time, punch_type, request_id
              FROM staffing.import_rows
              WHERE import_id = $1 AND line > (SELECT from_line FROM part) AND line <= (SELECT range_end FROM part)
                AND error_code IS NULL
                -- (a valid row always has its person; one without would go to the door in part 0, which refuses it)
                AND coalesce(staffing.import_commit_part(person_uuid, (SELECT parts FROM part)), 0) = $6
              ORDER BY line
              LIMIT $3),
            -- (the chunk's rows come in line order: aggregated without ORDER BY, as each ORDER BY sorted them again)
            arrays AS MATERIALIZED (
              SELECT coalesce(array_agg(line), '{}') AS lines,
                     coalesce(array_agg(person_uuid), '{}') AS persons,
                     coalesce(array_agg(punch_time), '{}') AS times,
                     coalesce(array_agg(punch_type), '{}') AS types,
                     coalesce(array_agg(request_id), '{}') AS request_ids,
                     coalesce(array_agg(jsonb_build_object('import_id', $1::text, 'line', line)), '{}') AS payloads,
                     count(*)::int AS n
              FROM (SELECT * FROM chunk ORDER BY line) c),
            -- A full chunk may stop before the range's end (the rest of the range is the next chunk's); otherwise the
            -- part is through the range.
            bounds AS MATERIALIZED (
              SELECT x.from_line, CASE WHEN a.n >= $3 THEN a.lines[a.n] ELSE x.range_end END AS to_line
              FROM part x CROSS JOIN arrays a),
            door AS MATERIALIZED (
              SELECT a.lines[d.ordinal] AS line, d.event_uuid, d.outcome, d.error_code, a.persons[d.ordinal] AS person_uuid,
                     a.times[d.ordinal] AS punch_time
              FROM arrays a
              CROSS JOIN LATERAL staffing.submit_time_punch_events(
                $2, a.persons, a.times, a.types, array_fill('IMPORT'::text, ARRAY[a.n]), array_fill(NULL::text, ARRAY[a.n]),
                a.request_ids, a.payloads, (SELECT committed_by FROM part)) d
              WHERE a.n > 0),
            -- The door's answer for each row it did not accept (0024: a narrow row per answer; 0032: an accepted row's is
            -- the ledger's event with its request id, and the moved cursor says the row was committed).
            outcomes AS (
              INSERT INTO staffing.import_row_outcomes (import_id, tenant_id, line, outcome, outcome_code, event_uuid, person_uuid, punch_time)
              SELECT $1, $2, d.line, d.outcome, d.error_code, d.event_uuid, d.person_uuid, d.punch_time
              FROM door d
              WHERE d.outcome <> 'ACCEPTED'),
            counts AS MATERIALIZED (
              SELECT count(*)::int AS rows, count(*) FILTER (WHERE outcome = 'ACCEPTED')::int AS accepted,
                     count(*) FILTER (WHERE outcome = 'DUPLICATE')::int AS duplicate,
                     count(*) FILTER (WHERE outcome NOT IN ('ACCEPTED', 'DUPLICATE'))::int AS rejected
              FROM door),
            -- The part's cursor and counts (0027: its own row, so the parts never wait for each other here).
            cursor AS (
              UPDATE staffing.import_commit_parts p
              SET after_line = x.to_line, rows_committed = p.rows_committed + c.rows, rows_accepted = p.rows_accepted + c.accepted,
                  rows_duplicate = p.rows_duplicate + c.duplicate, rows_rejected = p.rows_rejected + c.rejected
              FROM bounds x, counts c
              WHERE p.import_id = $1 AND p.part = $6
              RETURNING x.to_line >= $4 AS done),
            -- The worker's lease, renewed once half of it has run (rarely enough that the parts seldom meet on this row).
            lease AS (
              UPDATE staffing.import_batches b
              SET updated_at = now(), lease_until = now() + $5::interval
              FROM (SELECT 1 FROM cursor) moved
              WHERE b.import_id = $1 AND (b.lease_until IS NULL OR b.lease_until < now() + $5::interval / 2)
              RETURNING 1)
            SELECT done, 1000 * extract(epoch FROM clock_timestamp() - statement_timestamp())::float8
            FROM cursor, (SELECT count(*) FROM lease) renewed
            """);
        foreach (var value in new object[] { importId, tenant, options.Value.CommitChunkRows, lastLine, options.Value.WorkerLease, part })
            record.Parameters.Add(new NpgsqlParameter { Value = value });
        chunk.BatchCommands.Add(record);
        var step = System.Diagnostics.Stopwatch.GetTimestamp();
        bool? done = null;
        double inServer = 0;
        await using (var reader = await chunk.ExecuteTenantReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                done = reader.GetBoolean(0);
                inServer = reader.GetDouble(1);
            }
        }
        // (no longer COMMITTING — done, or taken over —: the statement found no part to lock and wrote nothing)
        if (done is null) return null;
        timing.Chunk(CommitTiming.Since(step), inServer);
        // The door wrote the chunk's PunchRecorded and DailyResultChanged: the relay need not wait for its next poll.
        outboxWritten.Notify();
        return done;
    }

    /// <summary>
    /// Once every part is through: marks the batch COMMITTED, announces ImportCommitted and writes the COMMITTED audit
    /// entry, in one transaction (a worker that died before it leaves the batch COMMITTING with its parts through: the
    /// next attempt finds nothing left to record and finishes here).
    /// </summary>
    private async Task FinishCommitAsync(Guid tenant, Guid importId, int lastLine, int parts, CommitTiming timing, CancellationToken ct)
    {
        var step = System.Diagnostics.Stopwatch.GetTimestamp();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await SetTenantAsync(connection, tenant, ct);
        await using (var finish = Command(connection, $"""
            UPDATE staffing.import_batches b
            SET status = 'COMMITTED', committed_at = now(), lease_until = NULL, commit_after_line = $2, updated_at = now(),
                rows_committed = b.rows_committed + p.committed, rows_accepted = b.rows_accepted + p.accepted,
                rows_duplicate = b.rows_duplicate + p.duplicate, rows_rejected = b.rows_rejected + p.rejected
            FROM ({PartCounts("$1")}) p
            WHERE b.import_id = $1 AND b.status = 'COMMITTING'
              AND NOT EXISTS (SELECT 1 FROM staffing.import_commit_parts x WHERE x.import_id = $1 AND x.after_line < $2)
            """, importId, lastLine))
            if (await finish.ExecuteNonQueryAsync(ct) == 0) return; // finished by another worker, or a part is not through
        await ExecuteAsync(connection, "SELECT staffing.announce_import_committed($1)", ct, importId);
        var committed = await ReadBatchAsync(connection, importId, ct) ?? throw NotFound(importId);
        await AuditAsync(connection, tenant, importId, committed.CommittedBy ?? "system", "COMMITTED", committed.FileSha256, new JsonObject
        {
            ["rows_accepted"] = committed.RowsAccepted, ["rows_duplicate"] = committed.RowsDuplicate,
            ["rows_rejected"] = committed.RowsRejected, ["rows_invalid"] = committed.RowsInvalid,
            ["commit_parts"] = parts,
            ["steps_ms"] = timing.ToJson(), // this attempt's, up to this finish
        }, ct);
        timing.Finished(CommitTiming.Since(step));
        await tx.CommitAsync(ct);
        outboxWritten.Notify(); // ImportCommitted
    }

    // ------------------------------------------------------------------------------------------------------------
    // background parse
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Reads a PARSING batch's file into its rows (from the start: rows of an attempt cut off earlier are removed first):
    /// hands them over every few thousand rows (the progress moved) to the stagers, which stage each block — persons
    /// resolved — on connections of their own while the next block is read; then, in the transaction that makes the batch PARSED,
    /// marks what needs the whole file (duplicates within it, punches the ledger already has) and counts. A file that
    /// cannot be read at all makes it FAILED with the reason.
    /// </summary>
    public async Task ParseAsync(Guid tenant, Guid importId, CancellationToken ct)
    {
        await using var writer = await dataSource.OpenConnectionAsync(ct);
        // The attempt the blocks are staged for: the blocks of an earlier attempt's worker that is still reading are
        // refused from now on (0028, 0030).
        var attempt = Guid.NewGuid();
        ImportBatch batch;
        await using (var tx = await writer.BeginTransactionAsync(ct))
        {
            await SetTenantAsync(writer, tenant, ct);
            batch = await ReadBatchAsync(writer, importId, ct, forUpdate: true) ?? throw NotFound(importId);
            if (batch.Status != "PARSING") return;
            await ExecuteAsync(writer, "DELETE FROM staffing.import_rows WHERE import_id = $1", ct, importId);
            await ExecuteAsync(writer, "UPDATE staffing.import_batches SET rows_read = 0, parse_attempt = $2, updated_at = now() WHERE import_id = $1",
                ct, importId, attempt);
            await tx.CommitAsync(ct);
        }

        await using var reading = await dataSource.OpenConnectionAsync(ct);
        await using var readTx = await reading.BeginTransactionAsync(ct);
        await SetTenantAsync(reading, tenant, ct);
        var encoding = batch.Encoding == "gbk" ? Gbk : new UTF8Encoding(false);
        var file = new FileChunkStream(reading, importId);
        using var text = new StreamReader(file, encoding, detectEncodingFromByteOrderMarks: true);
        DingTalkDetection? detected = null;
        var timings = new ParseTimings();
        var staged = new StagedRowCounts();
        var parsedRows = batch.Format == ImportFormats.DingTalk
            ? DingTalkExports.ReadAsync(file, encoding, clock.GetUtcNow(), d => detected = d, ct, timings)
            : ImportFormats.ReadAsync(text, batch.Format, importId, clock.GetUtcNow(), ct);
        var rows = new List<ParsedRow>(RowsPerBlock);
        var lastLine = 0; // the last row's line handed over (rows come in line order)
        // Milliseconds per step of the parse, in the log and the PARSED audit entry (where a slow import's time went).
        var steps = new JsonObject();
        var step = System.Diagnostics.Stopwatch.StartNew();
        void Step(string name)
        {
            steps[name] = step.ElapsedMilliseconds;
            step.Restart();
        }
        // Each block is staged by one of the stagers, each on a connection of its own, while the next block is read:
        // staging is most of a parse's Postgres time (bench/Import.Benchmarks/README.md, "2026-12-06 (later)" and
        // "(stop 31)"). At most one block waits per stager, so a few blocks are in memory; the reader waits when it is ahead.
        var blocks = Channel.CreateBounded<List<ParsedRow>>(new BoundedChannelOptions(Stagers)
        {
            SingleReader = false, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait,
        });
        using var stopStaging = CancellationTokenSource.CreateLinkedTokenSource(ct);
        async Task StageAsync()
        {
            try
            {
                await StageBlocksAsync(tenant, importId, attempt, blocks.Reader, staged, timings, stopStaging.Token);
            }
            catch
            {
                // The other stagers stop too, and a reader waiting to hand a block over is let go (it then awaits this).
                await stopStaging.CancelAsync();
                blocks.Writer.TryComplete();
                throw;
            }
        }
        var stager = Task.WhenAll(Enumerable.Range(0, Stagers).Select(_ => StageAsync()));
        async Task HandOverAsync()
        {
            if (rows.Count == 0) return;
            // The progress and the lease: rows read, as they are handed over (staged or not yet).
            await using (var progress = TenantScopedBatch.Create(writer, tenant))
            {
                progress.Add("""
                    UPDATE staffing.import_batches SET rows_read = rows_read + $2, updated_at = now(), lease_until = now() + $3::interval
                    WHERE import_id = $1 AND status = 'PARSING' AND parse_attempt = $4
                    """, importId, rows.Count, options.Value.WorkerLease, attempt);
                await progress.ExecuteNonQueryAsync(ct);
            }
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            while (!blocks.Writer.TryWrite(rows))
            {
                if (!await blocks.Writer.WaitToWriteAsync(ct))
                {
                    // Closed by a stager that failed: its failure fails the parse now, not after the rest of the file was read.
                    await stager;
                    throw new InvalidOperationException("the import's stagers stopped before the file was read");
                }
            }
            timings.StagerWaitTicks += System.Diagnostics.Stopwatch.GetTimestamp() - started;
            lastLine = rows[^1].Line;
            rows = new List<ParsedRow>(RowsPerBlock);
        }
        try
        {
            try
            {
                await foreach (var row in parsedRows)
                {
                    rows.Add(row);
                    if (rows.Count == RowsPerBlock) await HandOverAsync();
                }
                await HandOverAsync();
            }
            finally
            {
                blocks.Writer.TryComplete();
            }
            Step("read");
            await stager;
            Step("staging waited for");
        }
        catch (Exception e) when (e is ImportException { Code: ImportErrors.FileBadHeader or ImportErrors.FileUnreadable or ImportErrors.FileTooLarge }
                                      or CsvHelper.CsvHelperException)
        {
            await StopStagingAsync();
            var (code, detail) = e is ImportException known
                ? (known.Code, known.Detail)
                : (ImportErrors.FileUnreadable, $"the file is not readable as CSV: {e.Message}");
            await FailAsync(writer, tenant, batch, attempt, code, detail, ct);
            return;
        }
        catch
        {
            await StopStagingAsync();
            throw;
        }

        async Task StopStagingAsync()
        {
            await stopStaging.CancelAsync();
            try { await stager; }
            catch (Exception) { /* the parse ends with the reader's failure */ }
        }

        if (batch.Format == ImportFormats.DingTalk) timings.AddTo(steps);
        else timings.AddStagingTo(steps);
        await using var finish = await writer.BeginTransactionAsync(ct);
        await SetTenantAsync(writer, tenant, ct);
        // The batch row locked until PARSED: no other worker claims it (SKIP LOCKED) while its rows are checked.
        await ExecuteAsync(writer, "SELECT 1 FROM staffing.import_batches WHERE import_id = $1 FOR UPDATE", ct, importId);
        // What needs the whole file: duplicates within it, and punches the ledger already has (0028_import_staging_as_copied.sql).
        int marked;
        await using (var mark = Command(writer, "SELECT staffing.mark_import_repeats($1)", importId))
        {
            mark.CommandTimeout = StageStatementTimeoutSeconds;
            marked = (int)(await mark.ExecuteScalarAsync(ct))!;
        }
        Step("duplicates and already recorded");
        // (an unmapped DingTalk user id is a row staged invalid: a file without such rows has none to record)
        if (batch.Format == ImportFormats.DingTalk && staged.Invalid > 0)
        {
            await ExecuteAsync(writer, "SELECT staffing.record_import_unmapped($1)", ct, importId);
            Step("unmapped counted");
        }
        // The counts as the steps answered them (0033): the rows staged, less those staged invalid and those just marked.
        var invalid = staged.Invalid + marked;
        await ExecuteAsync(writer, """
            UPDATE staffing.import_batches b
            SET status = 'PARSED', lease_until = NULL, updated_at = now(),
                rows_valid = $7, rows_invalid = $8, rows_read = $7 + $8, last_line = $9,
                detected_container = $2, detected_layout = $3, detected_sheet = $4, header_row = $5::int, header_last_row = $6::int
            WHERE b.import_id = $1
            """, ct, importId, detected?.Container, detected?.Layout, detected?.Sheet, detected?.HeaderRow, detected?.LastHeaderRow,
            staged.Rows - invalid, invalid, lastLine);
        Step("counted");
        var parsed = await ReadBatchAsync(writer, importId, ct) ?? batch;
        await AuditAsync(writer, tenant, importId, "system", "PARSED", parsed.FileSha256,
            new JsonObject
            {
                ["rows_read"] = parsed.RowsRead, ["rows_valid"] = parsed.RowsValid, ["rows_invalid"] = parsed.RowsInvalid,
                ["detected"] = detected is null ? null : $"{detected.Container} {detected.Layout} {detected.Sheet}".TrimEnd(),
                ["steps_ms"] = steps,
            }, ct);
        await ExecuteAsync(writer, "SELECT staffing.discard_import_file($1)", ct, importId); // read for good (0017)
        await finish.CommitAsync(ct);
        logger.LogInformation("Parsed import {ImportId} ({Format}): {Rows} rows; milliseconds per step {Steps}", importId, batch.Format,
            parsed.RowsRead, steps.ToJsonString());
    }

    /// <summary>
    /// Stages blocks of one parse attempt as they come, on a connection of its own (one of <see cref="Stagers"/>): each
    /// block becomes the batch's import rows, persons resolved (<c>staffing.stage_import_block</c>, 0030: the block's
    /// columns as arrays), in one implicit transaction.
    /// </summary>
    private async Task StageBlocksAsync(Guid tenant, Guid importId, Guid attempt, ChannelReader<List<ParsedRow>> blocks,
        StagedRowCounts counts, ParseTimings timings, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await foreach (var block in blocks.ReadAllAsync(ct))
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await using var stage = TenantScopedBatch.Create(connection, tenant);
            var call = stage.Add("""
                SELECT staged, invalid FROM staffing.stage_import_block($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                """, importId, attempt);
            // Every column as an array parameter, typed (a column of nulls has no type to infer); NULL when no row of the
            // block has a value in it (0035: nothing to send, receive and unnest — an export's employee numbers, ids, codes).
            void Column<T>(NpgsqlDbType type, Func<ParsedRow, T> value)
            {
                var values = block.Select(value).ToArray();
                call.Parameters.Add(new NpgsqlParameter
                {
                    NpgsqlDbType = NpgsqlDbType.Array | type,
                    Value = Array.TrueForAll(values, v => v is null) ? DBNull.Value : values,
                });
            }
            Column(NpgsqlDbType.Integer, r => r.Line);
            Column(NpgsqlDbType.Text, r => Clip(r.PersonText));
            Column(NpgsqlDbType.Text, r => Clip(r.TimeText));
            Column(NpgsqlDbType.Text, r => Clip(r.TypeText));
            Column(NpgsqlDbType.Text, r => r.EmployeeNumber);
            Column(NpgsqlDbType.Text, r => r.ExternalUserId);
            Column(NpgsqlDbType.Uuid, r => r.PersonUuid);
            Column(NpgsqlDbType.TimestampTz, r => r.PunchTime?.UtcDateTime);
            Column(NpgsqlDbType.Text, r => r.PunchType);
            Column(NpgsqlDbType.Text, r => r.RequestId);
            Column(NpgsqlDbType.Text, r => r.ErrorCode);
            Column(NpgsqlDbType.Text, r => r.ErrorDetail);
            Column(NpgsqlDbType.Integer, r => r.SheetRow);
            Column(NpgsqlDbType.Text, r => Clip(r.SourceColumn));
            stage.Timeout = StageStatementTimeoutSeconds;
            await using (var reader = await stage.ExecuteTenantReaderAsync(ct))
            {
                if (!await reader.ReadAsync(ct)) throw new InvalidOperationException("stage_import_block answered no counts");
                counts.Staged(reader.GetInt32(0), reader.GetInt32(1));
            }
            Interlocked.Add(ref timings.StagedTicks, System.Diagnostics.Stopwatch.GetTimestamp() - started);
        }
    }

    /// <summary>
    /// Makes the batch FAILED with the reason, if its parse is still <paramref name="attempt"/>'s (a worker whose attempt
    /// was taken over leaves the batch to the new attempt).
    /// </summary>
    private async Task FailAsync(NpgsqlConnection connection, Guid tenant, ImportBatch batch, Guid attempt, string code, string detail,
        CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        await SetTenantAsync(connection, tenant, ct);
        await using (var fail = Command(connection, """
            UPDATE staffing.import_batches SET status = 'FAILED', failure_code = $2, failure_detail = $3, lease_until = NULL, updated_at = now()
            WHERE import_id = $1 AND status = 'PARSING' AND parse_attempt = $4
            """, batch.ImportId, code, detail, attempt))
            if (await fail.ExecuteNonQueryAsync(ct) == 0) return;
        // (the blocks staged before the file turned out unreadable: a FAILED batch has no rows)
        await ExecuteAsync(connection, "DELETE FROM staffing.import_rows WHERE import_id = $1", ct, batch.ImportId);
        await AuditAsync(connection, tenant, batch.ImportId, "system", "FAILED", batch.FileSha256, new JsonObject { ["code"] = code, ["detail"] = detail }, ct);
        await ExecuteAsync(connection, "SELECT staffing.discard_import_file($1)", ct, batch.ImportId);
        await tx.CommitAsync(ct);
    }

    /// <summary>Claims a batch with background work (any tenant), or null.</summary>
    public async Task<(Guid Tenant, Guid ImportId, string Status)?> ClaimWorkAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Command(connection, "SELECT tenant_id, import_id, status FROM staffing.claim_import_work($1::interval)",
            options.Value.WorkerLease);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2)) : null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // helpers
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>Reads a batch's file chunk by chunk, in order, on a connection inside the batch's tenant.</summary>
    private sealed class FileChunkStream(NpgsqlConnection connection, Guid importId) : ForwardOnlyReadStream
    {
        private byte[] current = [];
        private int position;
        private int next;
        private bool ended;

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken ct = default)
        {
            while (position == current.Length)
            {
                if (ended) return 0;
                await using var command = Command(connection, "SELECT data FROM staffing.import_file_chunks WHERE import_id = $1 AND chunk = $2",
                    importId, next++);
                var data = await command.ExecuteScalarAsync(ct);
                if (data is not byte[] bytes) { ended = true; return 0; }
                (current, position) = (bytes, 0);
            }
            var count = Math.Min(destination.Length, current.Length - position);
            current.AsMemory(position, count).CopyTo(destination);
            position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    private static async Task<byte[]> TokenHashAsync(NpgsqlConnection connection, Guid importId, CancellationToken ct)
    {
        await using var command = Command(connection, "SELECT commit_token_sha256 FROM staffing.import_batches WHERE import_id = $1", importId);
        return (byte[])(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<ImportBatch?> ReadBatchAsync(NpgsqlConnection connection, Guid importId, CancellationToken ct, bool forUpdate = false)
    {
        // A COMMITTING batch's counts are its own and its parts' so far; from COMMITTED on, its own hold them all.
        await using var command = Command(connection,
            $"SELECT {BatchColumns} FROM staffing.import_batches b CROSS JOIN LATERAL ({PartCounts("b.import_id")} AND b.status = 'COMMITTING') p WHERE b.import_id = $1{(forUpdate ? " FOR UPDATE OF b" : "")}",
            importId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        DateTimeOffset? Instant(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        return new ImportBatch(
            reader.GetGuid(0), reader.GetString(1), Text(reader, 2), Text(reader, 3), reader.GetInt64(4), reader.GetString(5),
            reader.GetString(6), reader.GetString(7), Text(reader, 8), Text(reader, 9), reader.GetInt32(10), reader.GetInt32(11),
            reader.GetInt32(12), reader.GetFieldValue<DateTimeOffset>(13), Instant(14), Text(reader, 15), Text(reader, 16), Instant(17),
            reader.GetInt32(18), reader.GetInt32(19), reader.GetInt32(20), reader.GetInt32(21), Instant(22),
            reader.GetFieldValue<DateTimeOffset>(23), reader.GetInt32(24),
            reader.IsDBNull(25) ? null : new DingTalkDetection(reader.GetString(25), reader.GetString(26), Text(reader, 27),
                reader.GetInt32(28), reader.GetInt32(29)));
    }

    private static async Task AuditAsync(NpgsqlConnection connection, Guid tenant, Guid? importId, string actor, string action,
        string? fileSha256, JsonObject details, CancellationToken ct) =>
        await ExecuteAsync(connection, """
            INSERT INTO staffing.import_audit (tenant_id, import_id, actor, action, file_sha256, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)
            """, ct, tenant, importId, actor, action, fileSha256, details.ToJsonString());

    private static Task SetTenantAsync(NpgsqlConnection connection, Guid tenant, CancellationToken ct) =>
        ExecuteAsync(connection, "SELECT set_config('app.current_tenant', $1, true)", ct, tenant.ToString());

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
            command.Parameters.Add(value is null ? new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text } : new NpgsqlParameter { Value = value });
        return command;
    }

    private static readonly SearchValues<char> NotKept = SearchValues.Create(
        [.. Enumerable.Range(0, 0x10000).Select(c => (char)c).Where(c => char.IsControl(c) || char.IsSurrogate(c))]);

    /// <summary>What the preview keeps of a field as written: at most 200 characters, control characters dropped (Postgres text cannot hold U+0000).</summary>
    private static string? Clip(string? value)
    {
        if (value is null) return null;
        if (value.Length <= 200 && !value.AsSpan().ContainsAny(NotKept)) return value; // nearly every field: kept as it is
        var clean = new string(value.Where(c => !char.IsControl(c) && !char.IsSurrogate(c)).Take(200).ToArray());
        return clean;
    }

    private static string? Text(NpgsqlDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private static ImportException NotFound(Guid importId) =>
        ImportErrors.Refuse(ImportErrors.NotFound, $"no import {importId} in this tenant");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
