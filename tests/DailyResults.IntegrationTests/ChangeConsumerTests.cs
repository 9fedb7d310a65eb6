using HrmsAttendance.Contracts.Messages.V1;
using HrmsAttendance.DailyResults.Changes;
using HrmsAttendance.DailyResults.Data;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HrmsAttendance.DailyResults.IntegrationTests;

/// <summary>
/// DailyResultChangedConsumer as MassTransit runs it (the in-memory test harness, the service's batch options) against
/// the real change feed: a batch with a message the feed refuses still stores the others, and the batch faults.
/// </summary>
[Collection(DailyResultsServiceCollection.Name)]
public sealed class ChangeConsumerTests(DailyResultsServiceFixture fixture)
{
    [Fact]
    public async Task A_batch_with_a_message_the_feed_refuses_stores_the_others_and_faults()
    {
        await using var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton(new ChangeFeedStore(fixture.Reader))
            .AddSingleton<ChangeFeedSignal>()
            .AddMassTransitTestHarness(bus => bus.AddConsumer<DailyResultChangedConsumer>(consumer => consumer.Options<BatchOptions>(batch => batch
                .SetMessageLimit(3)
                .SetTimeLimit(TimeSpan.FromSeconds(5)))))
            .BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        await harness.Start();

        var tenant = Guid.NewGuid();
        DailyResultChanged Change(DateOnly day, string status) => new()
        {
            MessageId = Guid.NewGuid(), TenantId = tenant, OccurredAt = DateTimeOffset.UtcNow, Sequence = 1, Position = day.Day,
            PersonUuid = Guid.NewGuid(), WorkDate = day, Status = status, Flags = [], InputPunchCount = 0, InputMaxPunchEventSequence = 0,
        };
        var good = new[] { Change(new DateOnly(2026, 5, 11), "PRESENT"), Change(new DateOnly(2026, 5, 12), "ABSENT") };
        await harness.Bus.PublishBatch([good[0], Change(new DateOnly(2026, 5, 13), "NOT_A_STATUS"), good[1]]);

        Assert.True(await harness.GetConsumerHarness<DailyResultChangedConsumer>().Consumed.Any<Batch<DailyResultChanged>>());
        Assert.True(await harness.Published.Any<Fault<Batch<DailyResultChanged>>>() || await harness.Published.Any<Fault<DailyResultChanged>>());
        var stored = await new ChangeFeedStore(fixture.Reader).ReadAfterAsync(tenant, 0, new ChangeFilter(null, null, null), 10, CancellationToken.None);
        Assert.Equal(good.Select(c => c.MessageId).Order(), stored.Select(c => c.MessageId).Order());
        await harness.Stop();
    }
}
