using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Tests.Retention;
using Pgark.Verification;
using Pgark.Wire.Replication;

namespace Pgark.Tests.Verification;

/// <summary>verify over an in-memory repository: WAL gaps named with the window they cut, damaged chunks, incremental state.</summary>
public sealed class VerifyTests
{
    private static readonly VerifyOptions s_structure = new() { WindowTimes = false };
    private static readonly VerifyOptions s_readData = new() { WindowTimes = false, ReadData = true };

    /// <summary>Backups starting in segments 2 and 6 (ending in 3 and 7), WAL 1..10 on timeline 1.</summary>
    private static async Task<(SyntheticRepository Repo, string First, string Second)> TwoBackupsAsync()
    {
        var repo = await SyntheticRepository.CreateAsync();
        await repo.ArchiveAsync(1, 1, 10);
        var first = await repo.PhysicalAsync(SyntheticRepository.Day0, 2);
        var second = await repo.PhysicalAsync(SyntheticRepository.Day0.AddDays(1), 6);
        return (repo, first.ShortId, second.ShortId);
    }

    [Fact]
    public async Task A_complete_archive_is_healthy_with_one_window_from_the_first_backup_end_to_the_archive_end()
    {
        var (repo, first, second) = await TwoBackupsAsync();

        var report = await new RepositoryVerifier(repo.Repository).RunAsync(s_structure);

        Assert.True(report.Healthy, string.Join("\n", report.Backups.SelectMany(b => b.Problems)));
        Assert.Empty(report.Archive);
        var window = Assert.Single(report.Windows);
        Assert.Equal((new TimelineId(1), SyntheticRepository.At(3, 0x100), SyntheticRepository.At(11, 0)), (window.Timeline, window.From, window.To));
        Assert.Equal([first, second], window.Backups);
        Assert.Equal(SyntheticRepository.Day0.AddMinutes(5), window.FromTime);
        Assert.All(report.Backups, b => Assert.Equal((3, 2), (b.ManifestFiles, b.WalSegmentsNeeded)));
    }

    [Fact]
    public async Task A_deleted_WAL_segment_is_named_with_the_window_it_cuts_short()
    {
        var (repo, first, second) = await TwoBackupsAsync();
        var segment5 = (await repo.Wal.ListAsync()).Single(o => o.SegmentNumber == 5);
        await repo.Store.DeleteAsync(segment5.ObjectName);

        var report = await new RepositoryVerifier(repo.Repository).RunAsync(s_structure);

        Assert.False(report.Healthy);
        var gap = Assert.Single(report.Archive);
        Assert.Equal("segment 000000010000000000000005 is missing", gap.Reason);
        Assert.Equal((SyntheticRepository.At(5, 0), SyntheticRepository.At(6, 0)), (gap.From, gap.To));
        Assert.NotNull(gap.Breaks);
        Assert.Equal((SyntheticRepository.At(3, 0x100), SyntheticRepository.At(5, 0), first), (gap.Breaks.From, gap.Breaks.To, gap.Breaks.Backups.Single()));
        // The second backup starts after the gap: its window stands, from its own end.
        Assert.Equal(2, report.Windows.Count);
        Assert.Equal((SyntheticRepository.At(7, 0x100), SyntheticRepository.At(11, 0), second),
            (report.Windows[1].From, report.Windows[1].To, report.Windows[1].Backups.Single()));
        // The backups themselves are intact: they carry their own WAL.
        Assert.All(report.Backups, b => Assert.True(b.Intact));
    }

    [Fact]
    public async Task A_gap_before_every_backup_is_a_warning_only()
    {
        var (repo, _, _) = await TwoBackupsAsync();
        await repo.ArchiveAsync(1, 0, 0);
        await repo.Store.DeleteAsync((await repo.Wal.ListAsync()).Single(o => o.SegmentNumber == 1).ObjectName);

        var report = await new RepositoryVerifier(repo.Repository).RunAsync(s_structure);

        var gap = Assert.Single(report.Archive);
        Assert.False(gap.IsError);
        Assert.True(report.Healthy);
    }

    [Fact]
    public async Task Read_data_finds_a_corrupted_chunk_and_names_the_backup_that_needs_it()
    {
        var (repo, _, _) = await TwoBackupsAsync();
        await CorruptFirstPackAsync(repo);

        var structural = await new RepositoryVerifier(repo.Repository).RunAsync(s_structure);
        Assert.True(structural.Healthy);

        var report = await new RepositoryVerifier(repo.Repository).RunAsync(s_readData with { RecordState = false });

        Assert.False(report.Healthy);
        // The pack no longer hashes to its name, and decoding chunk by chunk names the one that is damaged.
        var packErrors = report.Repository.Errors.Where(e => e.FileName.StartsWith("packs/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, packErrors.Count);
        Assert.All(packErrors, e => Assert.Equal(CorruptionCause.StorageDamage, e.Cause));
        Assert.StartsWith("pack content hashes to ", packErrors[0].Message);
        var chunk = packErrors[1].ObjectId;
        Assert.NotNull(chunk);
        var failed = Assert.Single(report.Backups, b => !b.Intact);
        Assert.Equal(["chunk of 'base/1/1259' is damaged (see the pack's error)"], failed.Problems);
        Assert.Equal(0, report.PacksRead - report.Repository.PacksVerified.Count);
    }

    [Fact]
    public async Task Verified_packs_are_not_read_again_until_full_and_new_packs_are()
    {
        var (repo, _, _) = await TwoBackupsAsync();
        var packs = await CountAsync(repo, "packs/");

        var firstRun = await new RepositoryVerifier(repo.Repository).RunAsync(s_readData);
        Assert.Equal((packs, 0, 10), (firstRun.PacksRead, firstRun.PacksSkippedAsVerified, firstRun.WalObjectsRead));

        var secondRun = await new RepositoryVerifier(repo.Repository).RunAsync(s_readData);
        Assert.Equal((0, packs, 0), (secondRun.PacksRead, secondRun.PacksSkippedAsVerified, secondRun.WalObjectsRead));

        await repo.PhysicalAsync(SyntheticRepository.Day0.AddDays(2), 8);
        var afterBackup = await new RepositoryVerifier(repo.Repository).RunAsync(s_readData);
        Assert.Equal((await CountAsync(repo, "packs/") - packs, packs), (afterBackup.PacksRead, afterBackup.PacksSkippedAsVerified));

        var full = await new RepositoryVerifier(repo.Repository).RunAsync(s_readData with { Full = true });
        Assert.Equal((await CountAsync(repo, "packs/"), 0, 10), (full.PacksRead, full.PacksSkippedAsVerified, full.WalObjectsRead));
        Assert.Single(await NamesAsync(repo, "verify/"));
    }

    [Fact]
    public async Task A_percentage_sample_rotates_so_consecutive_runs_cover_every_pack_once()
    {
        var repo = await SyntheticRepository.CreateAsync();
        await repo.ArchiveAsync(1, 1, 30);
        for (var day = 0; day < 12; day++)
            await repo.PhysicalAsync(SyntheticRepository.Day0.AddDays(day), 2 + 2 * (ulong)day);
        var packs = await CountAsync(repo, "packs/");

        var reads = new List<int>();
        for (var run = 0; run < 4; run++)
            reads.Add((await new RepositoryVerifier(repo.Repository).RunAsync(s_readData with { ReadDataPercent = 25 })).PacksRead);

        Assert.Equal(packs, reads.Sum());
        Assert.Equal(packs, (await repo.Repository.LoadVerifyStateAsync()).Packs.Count);
        Assert.Equal(0, (await new RepositoryVerifier(repo.Repository).RunAsync(s_readData with { ReadDataPercent = 25 })).PacksRead);
    }

    [Fact]
    public async Task The_sample_window_is_a_quarter_of_the_ring()
    {
        var sample = PackSample.For(ulong.MaxValue - 10, 25);
        Assert.Equal((1UL << 62) + 1, sample.Width);
        Assert.Equal(unchecked(ulong.MaxValue - 10 + (1UL << 62) + 1), sample.NextCursor);
        Assert.True(PackSample.For(0, 100).Everything);
    }

    [Fact]
    public async Task A_manifest_that_disagrees_with_the_files_fails_the_backup()
    {
        var repo = await SyntheticRepository.CreateAsync();
        await repo.ArchiveAsync(1, 1, 4);
        var good = await repo.PhysicalAsync(SyntheticRepository.Day0, 2);
        var bad = await repo.PhysicalAsync(SyntheticRepository.Day0.AddDays(1), 2, label: "x", withManifest: false);
        // A manifest claiming another size for base/1/1259 and a file the snapshot lacks.
        await using (var session = await repo.Repository.BeginBackupAsync())
        {
            await foreach (var file in repo.Repository.ReadTreeAsync(bad.Record))
                await session.AddFileAsync(file.Entry, file.Chunks);
            await session.AddDocumentAsync("backup_manifest", SyntheticRepository.Manifest(new Dictionary<string, byte[]>
            {
                ["PG_VERSION"] = "15\n"u8.ToArray(), ["base/1/1259"] = new byte[5], ["global/pg_control"] = new byte[1], ["global/extra"] = [],
            }));
            bad = await session.CommitAsync(bad.Record.Metadata with { Label = "bad manifest" });
        }

        var report = await new RepositoryVerifier(repo.Repository).RunAsync(s_structure with { Backup = bad.ShortId });

        var verdict = Assert.Single(report.Backups);
        Assert.Contains("'base/1/1259' has 9019 bytes but backup_manifest lists 5", verdict.Problems[0]);
        Assert.Contains("backup_manifest lists 1 file(s) the snapshot lacks: global/extra", verdict.Problems);
        Assert.True((await new RepositoryVerifier(repo.Repository).RunAsync(s_readData with { Backup = good.ShortId })).Backups.Single().ManifestHashed);
    }

    [Fact]
    public async Task A_window_follows_a_timeline_switch_and_the_old_timeline_keeps_its_own()
    {
        var repo = await SyntheticRepository.CreateAsync();
        await repo.ArchiveAsync(1, 1, 4);
        var t1 = new TimelineId(1);
        var t2 = new TimelineId(2);
        await repo.Wal.PutSegmentAsync(t1, 5, SyntheticRepository.SegmentSize, SyntheticRepository.Segment(t1, 5, 0x300), partial: true);
        await repo.Wal.PutHistoryAsync(t2, "1\t0/500200\tno recovery target specified\n"u8.ToArray());
        await repo.ArchiveAsync(2, 5, 7);
        var backup = await repo.PhysicalAsync(SyntheticRepository.Day0, 2);

        var report = await new RepositoryVerifier(repo.Repository).RunAsync(s_structure);

        var map = await Pgark.Recovery.WalArchiveMap.LoadAsync(repo.Repository, SyntheticRepository.SystemId);
        Assert.Equal([1u, 2u], map.Timelines.Select(t => t.Timeline.Value));
        Assert.NotNull(map.PathTo(t2));
        Assert.True(report.Healthy, string.Join("\n", report.Archive.Select(a => a.Reason)));
        Assert.Equal(
            [(1u, SyntheticRepository.At(3, 0x100), SyntheticRepository.At(5, 0x300)), (2u, SyntheticRepository.At(5, 0x200), SyntheticRepository.At(8, 0))],
            report.Windows.Select(w => (w.Timeline.Value, w.From, w.To)));
        Assert.All(report.Windows, w => Assert.Equal(backup.ShortId, w.Backups.Single()));
    }

    private static async Task CorruptFirstPackAsync(SyntheticRepository repo)
    {
        var name = (await NamesAsync(repo, "packs/"))[0];
        var bytes = await repo.Store.GetAsync(name);
        bytes[10] ^= 0x40;
        await repo.Store.DeleteAsync(name);
        await repo.Store.PutAsync(name, bytes);
    }

    private static async Task<List<string>> NamesAsync(SyntheticRepository repo, string prefix)
    {
        var names = new List<string>();
        await foreach (var info in repo.Store.ListAsync(prefix))
            names.Add(info.Name);
        return names;
    }

    private static async Task<int> CountAsync(SyntheticRepository repo, string prefix) => (await NamesAsync(repo, prefix)).Count;
}
