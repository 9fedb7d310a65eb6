using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace HrmsAttendance.Connectors.Pipeline;

/// <summary>
/// Groups what arrives together: each batch is everything queued when it starts (at most <c>maxCount</c>), topped up
/// with what arrives within <c>linger</c> of its start while it is not full. Under a backlog a batch fills at once; a
/// lone item waits at most the linger. Used by the DingTalk stream to store the punches of frames that arrive together
/// with one ResolveIdentities and one SubmitPunches.
/// </summary>
public static class ArrivalBatches
{
    /// <summary>The reader's items in batches, until the channel is completed and empty (or <paramref name="ct"/> is cancelled).</summary>
    public static async IAsyncEnumerable<IReadOnlyList<T>> ReadBatchesAsync<T>(this ChannelReader<T> reader, int maxCount, TimeSpan linger,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        while (await reader.WaitToReadAsync(ct))
        {
            var batch = new List<T>();
            while (batch.Count < maxCount && reader.TryRead(out var item)) batch.Add(item);
            if (batch.Count == 0) continue;
            if (batch.Count < maxCount && linger > TimeSpan.Zero)
            {
                using var lingering = CancellationTokenSource.CreateLinkedTokenSource(ct);
                lingering.CancelAfter(linger);
                try
                {
                    while (batch.Count < maxCount && await reader.WaitToReadAsync(lingering.Token))
                        while (batch.Count < maxCount && reader.TryRead(out var item)) batch.Add(item);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { /* the linger is over */ }
            }
            yield return batch;
        }
    }
}
