using System.Threading.Channels;
using HrmsAttendance.Connectors.Pipeline;

namespace HrmsAttendance.Connectors.Tests;

/// <summary>The DingTalk stream's batching of frames that arrive together (libs/Connectors' ArrivalBatches).</summary>
public sealed class ArrivalBatchesTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task What_is_queued_together_is_one_batch_and_a_full_batch_does_not_wait_for_the_linger()
    {
        var channel = Channel.CreateUnbounded<int>();
        for (var i = 0; i < 250; i++) channel.Writer.TryWrite(i);
        channel.Writer.Complete();

        var batches = new List<IReadOnlyList<int>>();
        // A five-minute linger: the test would hang if a full batch (or the drained, completed channel) waited for it.
        await foreach (var batch in channel.Reader.ReadBatchesAsync(100, Long)) batches.Add(batch);

        Assert.Equal([100, 100, 50], batches.Select(b => b.Count));
        Assert.Equal(Enumerable.Range(0, 250), batches.SelectMany(b => b));
    }

    [Fact]
    public async Task A_batch_that_is_not_full_takes_what_arrives_within_the_linger()
    {
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(1);
        await using var batches = channel.Reader.ReadBatchesAsync(3, Long).GetAsyncEnumerator();
        var first = batches.MoveNextAsync().AsTask();

        channel.Writer.TryWrite(2);
        Assert.False(first.IsCompleted, "the batch waits for more while it is not full and the linger lasts");
        channel.Writer.TryWrite(3);
        Assert.True(await first);
        Assert.Equal([1, 2, 3], batches.Current);
    }

    [Fact]
    public async Task After_a_batch_is_handed_out_new_arrivals_make_the_next_one()
    {
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(1);
        await using var batches = channel.Reader.ReadBatchesAsync(100, TimeSpan.FromMilliseconds(1)).GetAsyncEnumerator();
        Assert.True(await batches.MoveNextAsync());
        Assert.Equal([1], batches.Current);

        channel.Writer.TryWrite(2);
        channel.Writer.TryWrite(3);
        channel.Writer.Complete();
        Assert.True(await batches.MoveNextAsync());
        Assert.Equal([2, 3], batches.Current);
        Assert.False(await batches.MoveNextAsync());
    }

    [Fact]
    public async Task Completing_the_channel_ends_the_lingering_batch_with_what_it_has()
    {
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(7);
        await using var batches = channel.Reader.ReadBatchesAsync(100, Long).GetAsyncEnumerator();
        var first = batches.MoveNextAsync().AsTask();
        channel.Writer.Complete();
        Assert.True(await first);
        Assert.Equal([7], batches.Current);
        Assert.False(await batches.MoveNextAsync());
    }
}
