using Pgark.Repository.Check;
using Pgark.Repository.Maintenance;
using Pgark.Repository.Packs;
using Pgark.Repository.Storage;
using Pgark.Repository.Tests.Infrastructure;

namespace Pgark.Repository.Tests.Maintenance;

/// <summary>check and prune tell an optional IProgress how far they have got (the CLI draws it as a bar).</summary>
public sealed class ProgressReportTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Check_reports_once_per_pack_then_the_whole_with_the_bytes_it_reads(bool readData)
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        var (first, _) = await TestData.BackupAsync(repository, new TestData.DataDirectory(), "first");
        await TestData.BackupAsync(repository, new TestData.DataDirectory { Stream = TestData.Random(90_000, 5) }, "second", first);
        long packBytes = 0;
        var packs = 0;
        await foreach (var info in store.ListAsync(PackLayout.Directory))
            (packBytes, packs) = (packBytes + info.Length, packs + 1);
        var recorder = new Recorder<CheckProgress>();

        var report = await repository.CheckAsync(CheckScope.Everything, readData, recorder);

        Assert.False(report.HasErrors);
        Assert.True(packs >= 2, $"the test needs several packs, it made {packs}");
        var toRead = readData ? packBytes : 0;
        Assert.Equal(Enumerable.Range(0, packs + 1).Select(done => (done, packs, toRead)),
            recorder.Reports.Select(r => (r.PacksDone, r.TotalPacks, r.BytesToRead)));
        Assert.Equal((0L, toRead), (recorder.Reports[0].BytesRead, recorder.Reports[^1].BytesRead));
        Assert.All(recorder.Reports.Zip(recorder.Reports.Skip(1)), pair => Assert.True(pair.First.BytesRead <= pair.Second.BytesRead));
    }

    [Fact]
    public async Task Prune_reports_each_step_in_order_counting_its_items()
    {
        var store = new MemoryStore();
        var repository = await TestData.InitAsync(store);
        var (first, _) = await TestData.BackupAsync(repository, new TestData.DataDirectory(), "first");
        await TestData.BackupAsync(repository, new TestData.DataDirectory { Stream = TestData.Random(90_000, 5) }, "second", first,
            TestData.Time.AddHours(1));
        await repository.ForgetAsync(first.Id);
        var deltas = await TestData.CountAsync(store, "index/");
        var recorder = new Recorder<PruneProgress>();

        var result = await repository.PruneAsync(0.0, recorder);

        // Each step counts 0, 1, … up to its total less one (a report as each item starts), steps in their order.
        var steps = recorder.Reports.GroupBy(r => r.Step).ToList();
        Assert.Equal([PruneStep.Mark, PruneStep.Repack, PruneStep.RewriteIndex, PruneStep.Delete], steps.Select(s => s.Key));
        Assert.All(steps, s => Assert.Equal(Enumerable.Range(0, (int)s.First().Total).Select(i => (long)i), s.Select(r => r.Done)));
        (PruneStep, long)[] totals = [(PruneStep.Mark, 1), (PruneStep.Repack, result.PacksRepacked), (PruneStep.RewriteIndex, deltas),
            (PruneStep.Delete, result.PacksDeleted + result.PacksRepacked)];
        Assert.Equal(totals, steps.Select(s => (s.Key, s.First().Total)));
    }

    private sealed class Recorder<T> : IProgress<T>
    {
        public List<T> Reports { get; } = [];

        public void Report(T value) => Reports.Add(value);
    }
}
