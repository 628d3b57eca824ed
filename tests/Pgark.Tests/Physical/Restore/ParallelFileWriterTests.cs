using Pgark.Physical.Restore;

namespace Pgark.Tests.Physical.Restore;

public sealed class ParallelFileWriterTests
{
    [Fact]
    public async Task Runs_at_most_its_parallelism_at_once_and_sums_the_bytes()
    {
        var writer = new ParallelFileWriter(parallelism: 2);
        int running = 0, peak = 0;
        for (int i = 0; i < 20; i++)
        {
            await writer.StartAsync(async _ =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                await Task.Yield();
                Interlocked.Decrement(ref running);
                return 10;
            }, CancellationToken.None);
        }
        Assert.Equal(200, await writer.CompleteAsync());
        Assert.InRange(peak, 1, 2);
    }

    [Fact]
    public async Task The_first_failure_cancels_the_others_and_is_what_complete_throws()
    {
        var writer = new ParallelFileWriter(parallelism: 2);
        var blockedSawCancel = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await writer.StartAsync(async token =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, token);
            }
            catch (OperationCanceledException)
            {
                blockedSawCancel.SetResult(true);
                throw;
            }
            return 0;
        }, CancellationToken.None);
        await writer.StartAsync(_ => Task.FromException<long>(new IOException("disk on fire")), CancellationToken.None);

        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            // Further starts fail once a write failed; completing reports the root cause, not the cancellation it caused.
            for (int i = 0; i < 100; i++)
                await writer.StartAsync(_ => Task.FromResult(1L), CancellationToken.None);
            await writer.CompleteAsync();
        });
        Assert.Equal("disk on fire", error.Message);
        Assert.True(await blockedSawCancel.Task);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
