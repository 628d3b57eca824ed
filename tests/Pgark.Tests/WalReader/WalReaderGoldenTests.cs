using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Pgark.Wal.Reader;
using Pgark.Wire.Replication;

namespace Pgark.Tests.WalReader;

/// <summary>pgark's decoder against pg_waldump on real PostgreSQL 15 segments.</summary>
public sealed class WalReaderGoldenTests
{
    [Fact]
    public void OneMegabyteSegments_MatchStoredWaldumpRecordForRecord()
    {
        List<DecodedSummary> records = WalTestData.ReadAll(WalTestData.Inputs(WalTestData.Segments("pg15-1mb", WalTestData.OneMegabyteSegments)));
        AssertMatches(WalTestData.GoldenWaldump("pg15-1mb"), records);
    }

    [Fact]
    public void DefaultSizeSegment_MatchesStoredWaldump_AndEndsAtSwitch()
    {
        using var reader = new global::Pgark.Wal.Reader.WalReader(WalTestData.Inputs(WalTestData.Segments("pg15-16mb", "000000010000000000000003")));
        var records = new List<DecodedSummary>();
        while (reader.MoveNext())
        {
            records.Add(DecodedSummary.From(reader.Current));
        }

        AssertMatches(WalTestData.GoldenWaldump("pg15-16mb"), records);
        Assert.Equal(16 << 20, reader.SegmentSize);
        Assert.Equal(8192, reader.PageSize);
        Assert.Equal(15, reader.Version!.Major);
        Assert.Equal("SWITCH", records[^1].TypeName);
        Assert.Equal(new Lsn(0x4000000), records[^1].End);
        Assert.Equal(new Lsn(0x4000000), reader.EndOfWal);
    }

    [Fact]
    public async Task LiveWaldump_AgreesWithDecoder_WhenInstalled()
    {
        if (!File.Exists(WalTestData.WaldumpPath))
        {
            return; // The stored golden output above covers machines without PostgreSQL 15.
        }

        string dir = Directory.CreateTempSubdirectory("pgark-wal-").FullName;
        try
        {
            var segments = WalTestData.Segments("pg15-1mb", WalTestData.OneMegabyteSegments);
            foreach ((string name, byte[] bytes) in segments)
            {
                File.WriteAllBytes(Path.Combine(dir, name), bytes);
            }

            var psi = new ProcessStartInfo(WalTestData.WaldumpPath) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
            psi.ArgumentList.Add(WalTestData.OneMegabyteSegments[0]);
            psi.ArgumentList.Add(WalTestData.OneMegabyteSegments[^1]);
            psi.Environment["TZ"] = "UTC";
            using Process process = Process.Start(psi)!;
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            await stderr;
            List<WaldumpLine> live = WalTestData.ParseWaldump(stdout);
            Assert.NotEmpty(live);
            AssertMatches(live, WalTestData.ReadAll(WalTestData.Inputs(segments)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Decoder_FindsTheWorkloadsTransactionsRestorePointsAndCheckpoints()
    {
        List<DecodedSummary> records = WalTestData.ReadAll(WalTestData.Inputs(WalTestData.Segments("pg15-1mb", WalTestData.OneMegabyteSegments)));

        Assert.Equal(["pgark-golden-1", "pgark-golden-2"], records.Where(r => r.RestorePoint is not null).Select(r => r.RestorePoint!.Name));
        // Each restore point's rp_time falls between the commits written before and after it.
        foreach (DecodedSummary point in records.Where(r => r.RestorePoint is not null))
        {
            DateTime before = records.Last(r => r.Start < point.Start && r.Transaction is not null).Transaction!.Time;
            DateTime? after = records.FirstOrDefault(r => r.Start > point.Start && r.Transaction is not null)?.Transaction!.Time;
            Assert.InRange(point.RestorePoint!.Time, before, after ?? DateTime.MaxValue);
        }

        // BEGIN; insert; SAVEPOINT; insert; RELEASE; SAVEPOINT; insert; ROLLBACK TO; COMMIT -> one committed subxact.
        DecodedSummary withSubxact = Assert.Single(records, r => r.Transaction is { IsCommit: true, Subxacts.Count: > 0 });
        Assert.Single(withSubxact.Transaction!.Subxacts);
        Assert.True(withSubxact.Transaction.Subxacts[0] > withSubxact.Xid);

        // DROP TABLE dropme commits with the relation file to drop.
        Assert.Contains(records, r => r.Transaction is { IsCommit: true, DroppedRelations.Count: 1 } t
            && t.DroppedRelations[0].DbOid == 5 && t.DroppedRelations[0].SpcOid == 1663);

        // The explicit ROLLBACK and the aborted subtransaction.
        Assert.True(records.Count(r => r.Transaction is { IsCommit: false }) >= 2);

        DecodedSummary checkpoint = records.First(r => r.Checkpoint is not null);
        Assert.False(checkpoint.Checkpoint!.IsShutdown);
        Assert.Equal(new TimelineId(1), checkpoint.Checkpoint.Timeline);
        Assert.True(checkpoint.Checkpoint.Redo <= checkpoint.Start);
    }

    [Fact]
    public void HeapDeleteCounts_MatchWaldumpPerRelation()
    {
        var statistics = new WalStatistics();
        using (var reader = new global::Pgark.Wal.Reader.WalReader(WalTestData.Inputs(WalTestData.Segments("pg15-1mb", WalTestData.OneMegabyteSegments))))
        {
            while (reader.MoveNext())
            {
                statistics.Add(reader.Current);
            }
        }

        Dictionary<string, long> ours = statistics.HeapDeletes.ToDictionary(p => p.Key.ToString(), p => p.Value);
        Dictionary<string, long> theirs = WalTestData.GoldenWaldump("pg15-1mb")
            .Where(l => l.Rmgr == "Heap" && l.TypeName == "DELETE")
            .GroupBy(l => Regex.Match(l.Desc, @"blkref #0: rel (\d+/\d+/\d+)").Groups[1].Value)
            .ToDictionary(g => g.Key, g => (long)g.Count());

        Assert.Equal(theirs, ours);
        List<WaldumpLine> golden = WalTestData.GoldenWaldump("pg15-1mb");
        Assert.Equal(golden.Count, statistics.RecordCount);
        Assert.Equal(golden.Count(l => l.Rmgr == "Transaction" && l.TypeName == "COMMIT"), statistics.Commits);
        Assert.Equal(golden.Count(l => l.Rmgr == "Transaction" && l.TypeName == "ABORT"), statistics.Aborts);
        Assert.Equal(golden.Where(l => l.Rmgr == "Heap").Sum(l => (long)l.TotalLength), statistics.ForResourceManager((byte)WalResourceManager.Heap).Bytes);
        Assert.True(ours.Values.Sum() > 500, "the workload deletes ~800 rows");
    }

    [Fact]
    public void SegmentFilesOnDisk_ReadThroughFileStreams()
    {
        string dir = Directory.CreateTempSubdirectory("pgark-wal-").FullName;
        try
        {
            foreach ((string name, byte[] bytes) in WalTestData.Segments("pg15-1mb", WalTestData.OneMegabyteSegments))
            {
                File.WriteAllBytes(Path.Combine(dir, name), bytes);
            }

            var files = WalTestData.OneMegabyteSegments.Select(n => Path.Combine(dir, n));
            List<DecodedSummary> records = WalTestData.ReadAll(files.Select(WalSegmentInput.FromFile));
            AssertMatches(WalTestData.GoldenWaldump("pg15-1mb"), records);
            Assert.Equal("000000010000000000000008", records.First(r => r.Start.Value >= 0x800000).Segment);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Record for record: LSN, prev, rmgr, rec/tot length, xid, record type, and decoded payload details.</summary>
    private static void AssertMatches(List<WaldumpLine> golden, List<DecodedSummary> records)
    {
        Assert.Equal(golden.Count, records.Count);
        for (int i = 0; i < golden.Count; i++)
        {
            WaldumpLine g = golden[i];
            DecodedSummary r = records[i];
            string where = $"record {i} at {g.Lsn}";
            Assert.True(g.Lsn == r.Start, $"{where}: start {r.Start}");
            Assert.True(g.Prev == r.Prev, $"{where}: prev {r.Prev} vs {g.Prev}");
            Assert.True(g.Rmgr == r.Rmgr, $"{where}: rmgr {r.Rmgr} vs {g.Rmgr}");
            Assert.True(g.TotalLength == r.TotalLength, $"{where}: tot {r.TotalLength} vs {g.TotalLength}");
            Assert.True(g.RecLength == r.RecLength, $"{where}: rec {r.RecLength} vs {g.RecLength}");
            Assert.True(g.Xid == r.Xid, $"{where}: xid {r.Xid} vs {g.Xid}");
            if (r.TypeName is not null)
            {
                Assert.True(g.TypeName == r.TypeName, $"{where}: type {r.TypeName} vs {g.TypeName}");
            }

            AssertPayload(g, r, where);
        }
    }

    private static void AssertPayload(WaldumpLine g, DecodedSummary r, string where)
    {
        if (r.Transaction is { } xact)
        {
            // "COMMIT 2026-11-21 06:04:59.397828 UTC; subxacts: 728; rels: base/5/16396; ..."
            string stamp = g.Desc.Split(' ', 2)[1][..26];
            Assert.True(xact.Time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) == stamp, $"{where}: time {xact.Time:O} vs {stamp}");
            Match subxacts = Regex.Match(g.Desc, @"; subxacts: ([\d ]+)");
            Assert.Equal(subxacts.Success ? subxacts.Groups[1].Value.Trim().Split(' ').Select(uint.Parse) : [], xact.Subxacts);
            Match rels = Regex.Match(g.Desc, @"; rels: ([^;]+)");
            Assert.Equal(rels.Success ? rels.Groups[1].Value.Trim().Split(' ').Length : 0, xact.DroppedRelations.Count);
        }
        else if (r.RestorePoint is { } point)
        {
            Assert.Equal("RESTORE_POINT " + point.Name, g.Desc);
        }
        else if (r.Checkpoint is { } cp)
        {
            Assert.StartsWith($"{r.TypeName} redo {cp.Redo}; tli {cp.Timeline}; prev tli {cp.PreviousTimeline}; fpw {(cp.FullPageWrites ? "true" : "false")}; xid {cp.NextFullXid >> 32}:{cp.NextXid}; oid {cp.NextOid};", g.Desc);
        }
        else if (g.Rmgr is "Transaction" && g.TypeName is "COMMIT" or "ABORT")
        {
            Assert.Fail($"{where}: {g.TypeName} not decoded");
        }
    }
}
