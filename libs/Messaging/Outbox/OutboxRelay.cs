using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HrmsAttendance.Messaging.Outbox;

/// <summary>
/// Publishes a service's outbox to the bus, at least once and in passes: claim unpublished rows (locked with
/// <c>FOR UPDATE SKIP LOCKED</c> by the schema's SECURITY DEFINER function, so replicas share the work), publish their
/// messages and wait for the broker's confirms, mark the rows published, commit. A pass that fails gives its rows to the
/// next pass (a killed process commits nothing; a pass that runs out of time keeps the rows whose every message was
/// confirmed); the messages' ids are derived from the rows, so consumers recognise what they already had. Published rows are pruned after <see cref="OutboxRelayOptions.Retention"/>.
/// </summary>
public sealed partial class OutboxRelay(
    NpgsqlDataSource dataSource,
    IOutboxPublisher publisher,
    IOutboxMessageFactory messages,
    OutboxRelayState state,
    OutboxSignal written,
    OutboxBulkWrites bulkWrites,
    IOptions<OutboxRelayOptions> options,
    TimeProvider clock,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    public static readonly ActivitySource ActivitySource = new(OutboxRelayState.MeterName);

    private readonly OutboxRelayOptions _options = Validated(options.Value);

    /// <summary>Completes when a pass came back full (a backlog): the extra passes of <see cref="OutboxRelayOptions.ConcurrentPasses"/> join then.</summary>
    private readonly BacklogSignal _backlog = new();

    private sealed class BacklogSignal : WakeSignal;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, _options.ConcurrentPasses).Select(pass => RelayLoopAsync(main: pass == 0, stoppingToken)));

    /// <summary>
    /// The main loop relays whenever there is something to relay, samples the backlog and prunes; the others only help
    /// while passes come back full, and wait for the next backlog otherwise (an idle outbox costs one poll, not several).
    /// </summary>
    private async Task RelayLoopAsync(bool main, CancellationToken stoppingToken)
    {
        var retryDelay = _options.RetryDelay;
        var nextSample = DateTimeOffset.MinValue;
        var nextPrune = clock.GetUtcNow() + _options.PruneInterval;
        if (!main)
            await _backlog.Next.WaitAsync(stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (main && clock.GetUtcNow() >= nextSample)
                {
                    await SampleBacklogAsync(stoppingToken);
                    nextSample = clock.GetUtcNow() + _options.BacklogSampleInterval;
                }
                if (main && clock.GetUtcNow() >= nextPrune)
                {
                    await PruneAsync(stoppingToken);
                    nextPrune = clock.GetUtcNow() + _options.PruneInterval;
                }
                await bulkWrites.NoneRunningAsync(_options.MaxYieldToBulkWrites, stoppingToken);
                var wake = written.Next; // before the pass: a write committed during it starts the next one
                var backlog = _backlog.Next;
                var claimed = await RelayOnceAsync(stoppingToken);
                state.Recovered();
                retryDelay = _options.RetryDelay;
                // A full pass means more is waiting: go on at once, and have the other passes help.
                if (claimed >= _options.BatchSize)
                    _backlog.Notify();
                else if (main)
                    await WaitForWritesAsync(wake, stoppingToken);
                else
                    await backlog.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                state.Failed(e.Message);
                LogPassFailed(logger, e, retryDelay.TotalSeconds);
                await Task.Delay(retryDelay, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Until this process wrote outbox rows (then a little longer, so that more join the pass), or the idle poll.</summary>
    private async Task WaitForWritesAsync(Task wake, CancellationToken ct)
    {
        var idle = Task.Delay(_options.IdleDelay, clock, ct);
        if (await Task.WhenAny(wake, idle) == wake)
            await Task.Delay(_options.WakeDelay, clock, ct);
        else
            await idle; // throws when stopping
    }

    /// <summary>One pass: returns how many messages it claimed (and published).</summary>
    public async Task<int> RelayOnceAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var claimed = await ClaimAsync(connection, transaction, ct);
        if (claimed.Count == 0)
        {
            await transaction.CommitAsync(ct);
            return 0;
        }

        // At most MaxUnconfirmedPerPass messages of the pass are out at once (published, confirm awaited): a pass of a
        // batch's row holds thousands, and with all of them out together everything each publish allocates lives until
        // the broker's confirm — long enough to be promoted into the GC's older generations, which then grow.
        var publishes = claimed.Select(message => (message.OutboxId, Task: (Task?)null)).ToArray();
        using (var publishing = CancellationTokenSource.CreateLinkedTokenSource(ct))
        using (var slots = new SemaphoreSlim(_options.MaxUnconfirmedPerPass))
        {
            publishing.CancelAfter(_options.PublishTimeout);
            try
            {
                try
                {
                    for (var i = 0; i < claimed.Count; i++)
                    {
                        await slots.WaitAsync(publishing.Token);
                        publishes[i].Task = PublishAsync(claimed[i], slots, publishing.Token);
                    }
                }
                finally
                {
                    // Every publish started settles (confirmed, failed or cancelled) before the pass decides what to keep.
                    await Task.WhenAll(publishes.Where(p => p.Task is not null).Select(p => p.Task!)).ContinueWith(_ => { }, TaskScheduler.Default);
                }
                await Task.WhenAll(publishes.Select(p => p.Task!));
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Keep what the broker confirmed: a row whose every message was confirmed is marked and committed, so a
                // large pass that runs out of time is not published all over again (only the unconfirmed rows are, with
                // those whose messages were never sent).
                var unconfirmed = publishes.Where(p => p.Task is not { IsCompletedSuccessfully: true }).Select(p => p.OutboxId).ToHashSet();
                var confirmedRows = publishes.Select(p => p.OutboxId).Where(id => !unconfirmed.Contains(id)).Distinct().ToArray();
                await MarkAsync(connection, transaction, confirmedRows, ct);
                await transaction.CommitAsync(ct);
                state.Published(claimed.Count(m => !unconfirmed.Contains(m.OutboxId)));
                throw e is OperationCanceledException
                    ? new TimeoutException($"the broker did not confirm {publishes.Count(p => p.Task is not { IsCompletedSuccessfully: true })} of {claimed.Count} "
                        + $"messages within {_options.PublishTimeout.TotalSeconds:0} s (is RabbitMQ reachable?); {confirmedRows.Length} rows were confirmed and kept")
                    : e;
            }
        }

        var rows = claimed.Select(m => m.OutboxId).Distinct().ToArray();
        await MarkAsync(connection, transaction, rows, ct);
        await transaction.CommitAsync(ct);
        state.Published(claimed.Count);
        return claimed.Count;
    }

    private async Task MarkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long[] rows, CancellationToken ct)
    {
        if (rows.Length == 0) return;
        await using var mark = new NpgsqlCommand($"SELECT {_options.Schema}.mark_outbox_published($1)", connection, transaction);
        mark.Parameters.Add(new NpgsqlParameter { Value = rows });
        await mark.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// A claimed message as the pass keeps it until its confirm: the bus contract made from it, not the row's parsed
    /// payload (a JsonDocument per message, whose pooled buffers stayed alive for the whole pass). A message the factory
    /// could not make fails its own publish, as it did when the contract was made at the publish.
    /// </summary>
    private sealed record ClaimedMessage(long OutboxId, string MessageType, string? TraceParent, Guid MessageId, object? Contract, Exception? Unpublishable);

    private async Task<List<ClaimedMessage>> ClaimAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var claim = new NpgsqlCommand($"""
            SELECT outbox_id, message_position, tenant_id, message_type, payload, trace_parent, created_at
            FROM {_options.Schema}.claim_outbox_messages($1)
            """, connection, transaction);
        claim.Parameters.Add(new NpgsqlParameter { Value = _options.BatchSize });
        var claimed = new List<ClaimedMessage>();
        await using var reader = await claim.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            using var payload = reader.GetFieldValue<JsonDocument>(4);
            var message = new OutboxMessage(
                reader.GetInt64(0), checked((int)reader.GetInt64(1)), reader.GetGuid(2), reader.GetString(3),
                payload.RootElement, reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6));
            var messageId = MessageIds.For(_options.Source, message.OutboxId, message.Position);
            object? contract = null;
            Exception? unpublishable = null;
            try
            {
                contract = messages.Create(message, messageId);
            }
            catch (Exception e)
            {
                unpublishable = e;
            }
            claimed.Add(new ClaimedMessage(message.OutboxId, message.MessageType, message.TraceParent, messageId, contract, unpublishable));
        }
        return claimed;
    }

    private async Task PublishAsync(ClaimedMessage message, SemaphoreSlim slots, CancellationToken ct)
    {
        try
        {
            await PublishAsync(message, ct);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task PublishAsync(ClaimedMessage message, CancellationToken ct)
    {
        if (message.Unpublishable is not null) throw message.Unpublishable;
        // A child of the request that wrote the row: the publish and every consumer's handling join its trace.
        ActivityContext.TryParse(message.TraceParent, null, isRemote: true, out var parent);
        using var activity = ActivitySource.StartActivity($"outbox publish {message.MessageType}", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.message.id", message.MessageId.ToString());
        activity?.SetTag("outbox.id", message.OutboxId);
        await publisher.PublishAsync(message.Contract!, message.MessageId, ct);
    }

    private async Task SampleBacklogAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT unpublished, oldest_unpublished_at FROM {_options.Schema}.outbox_backlog()");
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        state.Sampled(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }

    private async Task PruneAsync(CancellationToken ct)
    {
        const int chunk = 10_000;
        var before = clock.GetUtcNow() - _options.Retention;
        int pruned;
        do
        {
            await using var command = dataSource.CreateCommand($"SELECT {_options.Schema}.prune_published_outbox($1, $2)");
            command.Parameters.Add(new NpgsqlParameter { Value = before.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter { Value = chunk });
            pruned = (int)(await command.ExecuteScalarAsync(ct))!;
            if (pruned > 0) LogPruned(logger, pruned, before);
        } while (pruned == chunk);
    }

    private static OutboxRelayOptions Validated(OutboxRelayOptions options)
    {
        // The schema goes into SQL text: a plain lower-case identifier only.
        if (!SchemaName().IsMatch(options.Schema))
            throw new InvalidOperationException($"Outbox:Schema must be a lower-case SQL identifier, got '{options.Schema}'.");
        if (string.IsNullOrWhiteSpace(options.Source))
            throw new InvalidOperationException("Outbox:Source must name the service that owns the outbox.");
        if (options.BatchSize is < 1 or > 10_000)
            throw new InvalidOperationException($"Outbox:BatchSize must be 1..10000, got {options.BatchSize}.");
        if (options.MaxUnconfirmedPerPass is < 1 or > 10_000)
            throw new InvalidOperationException($"Outbox:MaxUnconfirmedPerPass must be 1..10000, got {options.MaxUnconfirmedPerPass}.");
        if (options.MaxYieldToBulkWrites < TimeSpan.Zero)
            throw new InvalidOperationException($"Outbox:MaxYieldToBulkWrites must not be negative, got {options.MaxYieldToBulkWrites}.");
        if (options.ConcurrentPasses is < 1 or > 16)
            throw new InvalidOperationException($"Outbox:ConcurrentPasses must be 1..16, got {options.ConcurrentPasses}.");
        return options;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay pass failed; its rows stay unpublished, next try in {DelaySeconds} s")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Rows} outbox rows published before {Before}")]
    private static partial void LogPruned(ILogger logger, int rows, DateTimeOffset before);
}
