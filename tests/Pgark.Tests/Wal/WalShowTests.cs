using System.Globalization;
using System.Text.RegularExpressions;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Tests.WalReader;
using Pgark.Wal;
using Pgark.Wal.Reader;
using Pgark.Wal.Show;
using Pgark.Wire.Replication;

namespace Pgark.Tests.Wal;

/// <summary>wal show over the PostgreSQL 15 golden segments (1 MiB, 7..9) archived in an in-memory repository, against pg_waldump's output.</summary>
public sealed partial class WalShowTests
{
    private const int SegmentSize = 1 << 20;
    private static readonly Lsn s_first = Lsn.FromSegment(7, 0, SegmentSize);

    private static async Task<WalStore> ArchiveAsync(params ulong[] numbers)
    {
        var repository = await Pgark.Repository.Repository.InitAsync(new MemoryStore(), new RepositoryInitOptions());
        // The captured segments' own cluster (their first page's xlp_sysid), as wal push would file them.
        ulong systemId = Pgark.Wal.WalPageHeader.TryReadSystemIdentifier(WalTestData.Segment("pg15-1mb", $"0000000100000000000000{numbers[0]:X2}"))!.Value;
        var store = new WalStore(repository, systemId);
        foreach (ulong number in numbers)
            await store.PutSegmentAsync(new TimelineId(1), number, SegmentSize, WalTestData.Segment("pg15-1mb", $"0000000100000000000000{number:X2}"), partial: false);
        return store;
    }

    /// <summary>What pg_waldump says each committed or aborted transaction did: rows per relation, by kind.</summary>
    private static Dictionary<uint, (string Kind, Dictionary<string, (long Ins, long Upd, long Del)> Rows)> Oracle()
    {
        var perXid = new Dictionary<uint, Dictionary<string, (long Ins, long Upd, long Del)>>();
        var ends = new Dictionary<uint, (string Kind, Dictionary<string, (long, long, long)>)>();
        foreach (WaldumpLine line in WalTestData.GoldenWaldump("pg15-1mb"))
        {
            if (line.Rmgr is "Heap" or "Heap2" && BlockZero().Match(line.Desc) is { Success: true } rel)
            {
                (long ins, long upd, long del) = line.TypeName switch
                {
                    "INSERT" or "INSERT+INIT" => (1L, 0L, 0L),
                    "MULTI_INSERT" or "MULTI_INSERT+INIT" => (long.Parse(line.Desc.Split(' ')[1], CultureInfo.InvariantCulture), 0, 0),
                    "UPDATE" or "HOT_UPDATE" or "UPDATE+INIT" or "HOT_UPDATE+INIT" => (0, 1, 0),
                    "DELETE" => (0, 0, 1),
                    _ => (0, 0, 0),
                };
                if (ins + upd + del == 0 || line.Xid == 0)
                    continue;
                Dictionary<string, (long, long, long)> rows = perXid.TryGetValue(line.Xid, out var r) ? r : perXid[line.Xid] = [];
                (long i0, long u0, long d0) = rows.GetValueOrDefault(rel.Groups[1].Value);
                rows[rel.Groups[1].Value] = (i0 + ins, u0 + upd, d0 + del);
            }
            else if (line.Rmgr == "Transaction" && line.TypeName is "COMMIT" or "ABORT")
            {
                var merged = new Dictionary<string, (long Ins, long Upd, long Del)>();
                uint[] xids = [line.Xid, .. Subxacts().Match(line.Desc) is { Success: true } m
                    ? m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(x => uint.Parse(x, CultureInfo.InvariantCulture)) : []];
                foreach (uint xid in xids)
                {
                    foreach ((string relation, (long i, long u, long d)) in perXid.GetValueOrDefault(xid) ?? [])
                    {
                        (long i0, long u0, long d0) = merged.GetValueOrDefault(relation);
                        merged[relation] = (i0 + i, u0 + u, d0 + d);
                    }
                    perXid.Remove(xid);
                }
                ends[line.Xid] = (line.TypeName, merged);
            }
        }
        return ends;
    }

    [Fact]
    public async Task An_lsn_range_lists_every_transaction_end_with_the_rows_pg_waldump_shows()
    {
        WalStore store = await ArchiveAsync(7, 8, 9);
        WalShow show = await WalShow.PlanAsync(store, new WalShowRequest { From = s_first });
        List<WalShowTransaction> listed = [.. show.Transactions()];

        var oracle = Oracle();
        Assert.Equal(oracle.Keys.Order(), listed.Select(t => t.Xid).Order());
        foreach (WalShowTransaction tx in listed)
        {
            (string kind, var rows) = oracle[tx.Xid];
            Assert.Equal(kind, tx.KindName);
            var heap = tx.Relations.Where(r => r.ResourceManager == "Heap" && r.Inserted + r.Updated + r.Deleted > 0)
                .ToDictionary(r => r.Relation.ToString(), r => (r.Inserted, r.Updated, r.Deleted));
            Assert.Equal(rows.OrderBy(p => p.Key), heap.OrderBy(p => p.Key));
        }
        // The workload's "delete from t where id between 3000 and 3500" is one transaction of 501 deletes.
        Assert.Contains(listed, t => t.IsCommit && t.Relations.Any(r => r.Deleted == 501));
        Assert.Equal(3, show.SegmentsRead);
        Assert.True(show.ReachedEndOfArchive);
        Assert.Equal(new Lsn(0xA00000), show.ReadTo); // segment 9 ends with XLOG_SWITCH
    }

    [Fact]
    public async Task A_time_window_lists_only_the_transactions_that_ended_in_it()
    {
        WalStore store = await ArchiveAsync(7, 8, 9);
        List<WalShowTransaction> all = [.. (await WalShow.PlanAsync(store, new WalShowRequest { From = s_first })).Transactions()];
        WalShowTransaction delete = all.First(t => t.Relations.Any(r => r.Deleted == 501));

        var around = new DateTimeOffset(delete.Time, TimeSpan.Zero);
        WalShow show = await WalShow.PlanAsync(store, new WalShowRequest { Around = around, Window = TimeSpan.FromTicks(10) });
        List<WalShowTransaction> listed = [.. show.Transactions()];

        Assert.Equal([delete.Xid], listed.Select(t => t.Xid));
        Assert.Equal((delete.Lsn, delete.FirstChangeLsn), (listed[0].Lsn, listed[0].FirstChangeLsn));
        Assert.Equal(delete.Relations, listed[0].Relations); // the window's reading started early enough to see every delete
        Assert.InRange(show.Probes, 1, 3);
        Assert.Equal(delete.Time.AddTicks(-10), show.WindowStart);
    }

    [Fact]
    public async Task An_lsn_range_stops_at_its_end_and_databases_come_from_the_relations()
    {
        WalStore store = await ArchiveAsync(7, 8, 9);
        List<WalShowTransaction> all = [.. (await WalShow.PlanAsync(store, new WalShowRequest { From = s_first })).Transactions()];
        WalShowTransaction third = all[2];
        WalShow show = await WalShow.PlanAsync(store, new WalShowRequest { From = s_first, To = third.Lsn });
        List<WalShowTransaction> listed = [.. show.Transactions()];
        Assert.Equal(all.Take(2).Select(t => t.Xid), listed.Select(t => t.Xid));
        Assert.All(listed.Where(t => t.Relations.Count > 0), t => Assert.Contains(5u, t.Databases));
        Assert.False(show.ReachedEndOfArchive);
    }

    [Fact]
    public async Task A_range_across_a_gap_names_the_missing_segment()
    {
        WalStore store = await ArchiveAsync(7, 9);
        var error = await Assert.ThrowsAsync<WalShowException>(() => WalShow.PlanAsync(store,
            new WalShowRequest { From = s_first, To = Lsn.FromSegment(10, 0, SegmentSize) }));
        Assert.Equal("the archive lacks WAL segment 000000010000000000000008 (between 000000010000000000000007 and 000000010000000000000009)",
            error.Message);

        var before = await Assert.ThrowsAsync<WalShowException>(() => WalShow.PlanAsync(store, new WalShowRequest { From = new Lsn(0x100) }));
        Assert.StartsWith("the archive holds no WAL at 0/100 on timeline 1", before.Message);
    }

    [Fact]
    public async Task Open_transactions_beyond_the_limit_are_dropped_and_counted()
    {
        WalStore store = await ArchiveAsync(7, 8, 9);
        WalShow show = await WalShow.PlanAsync(store, new WalShowRequest { From = s_first, MaxOpenTransactions = 16, MaxRelationsPerTransaction = 1 });
        List<WalShowTransaction> listed = [.. show.Transactions()];
        Assert.Equal(Oracle().Count, listed.Count);
        Assert.All(listed, t => Assert.True(t.Relations.Count <= 1));
        Assert.Contains(listed, t => t.RelationsTruncated);
    }

    [GeneratedRegex(@"blkref #0: rel (\d+/\d+/\d+)")]
    private static partial Regex BlockZero();

    [GeneratedRegex(@"subxacts: ([\d ]+)")]
    private static partial Regex Subxacts();
}

/// <summary>The binary search over segments by first commit time.</summary>
public sealed class WalShowLocatorTests
{
    private static readonly DateTime s_t0 = new(2026, 11, 21, 17, 0, 0, DateTimeKind.Utc);

    private static async Task<(int Index, int Probes)> Locate(DateTime?[] firstCommits, DateTime time)
        => await WalShowLocator.LocateAsync(i => Task.FromResult(firstCommits[i]), 0, firstCommits.Length - 1, time);

    [Theory]
    [InlineData(-5, 0)]      // before everything: start at the first segment
    [InlineData(0, 0)]
    [InlineData(1, 0)]       // between the first commits of 0 and 1: segment 0 may hold it
    [InlineData(10, 10)]
    [InlineData(9999, 9999)] // after everything: the last segment
    public async Task Ten_thousand_segments_take_about_log2_probes(int minutes, int expected)
    {
        DateTime?[] firstCommits = Enumerable.Range(0, 10_000).Select(i => (DateTime?)s_t0.AddMinutes(i)).ToArray();
        (int index, int probes) = await Locate(firstCommits, s_t0.AddMinutes(minutes).AddSeconds(minutes == 1 ? -30 : 0));
        Assert.Equal(expected, index);
        Assert.InRange(probes, 1, 15);
    }

    [Fact]
    public async Task Segments_without_commits_are_skipped_forward()
    {
        // Segments 3..7 hold only a bulk load (no transaction ends).
        DateTime?[] firstCommits = [s_t0, s_t0.AddMinutes(1), s_t0.AddMinutes(2), null, null, null, null, null, s_t0.AddMinutes(9), s_t0.AddMinutes(10)];
        Assert.Equal(2, (await Locate(firstCommits, s_t0.AddMinutes(5))).Index);
        Assert.Equal(8, (await Locate(firstCommits, s_t0.AddMinutes(9.5))).Index);
        Assert.Equal(0, (await Locate([null, null, null], s_t0)).Index);
    }
}
