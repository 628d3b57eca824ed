using System.Text.Json;
using Pgark.Info;
using Pgark.Repository.Drills;
using Pgark.Tests.Retention;

namespace Pgark.Tests.Info;

/// <summary>info --json's member names are a published contract (spec/info-json.md): this test pins every one of them.</summary>
public sealed class InfoJsonTests
{
    private static readonly string[] s_top = ["format", "repository_id", "encrypted", "generated_at", "clusters", "wal_archive", "pitr_windows",
        "last_drill", "recovery_point"];
    private static readonly string[] s_cluster = ["system_identifier", "backups"];
    private static readonly string[] s_backup = ["id", "kind", "label", "start_time", "end_time", "timeline", "start_lsn", "end_lsn", "pg_version",
        "logical_bytes", "stored_bytes", "pinned"];
    private static readonly string[] s_wal = ["segment_size", "system_identifier", "ranges", "history_timelines", "gaps"];
    private static readonly string[] s_range = ["timeline", "first_segment", "last_segment", "start_lsn", "end_lsn", "segments", "ends_with_partial"];
    private static readonly string[] s_gap = ["timeline", "from_lsn", "to_lsn", "reason", "cuts_window_from_lsn"];
    private static readonly string[] s_window = ["timeline", "from_lsn", "to_lsn", "from_time", "to_time", "backups"];
    private static readonly string[] s_drill = ["snapshot_id", "kind", "started_at", "finished_at", "passed", "restore_seconds", "replay_seconds",
        "check_seconds", "rto_seconds", "recovery_target", "failure"];
    private static readonly string[] s_recoveryPoint = ["streamer_running", "streamer_host", "streamer_pid", "newest_durable_lsn", "newest_timeline",
        "newest_durable_time", "server_lsn", "rpo_bytes", "rpo_seconds"];

    private static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    private static async Task<(SyntheticRepository Repo, JsonElement Root)> InfoAsync(bool withGap)
    {
        var repo = await SyntheticRepository.CreateAsync();
        await repo.ArchiveAsync(1, 1, 10);
        var first = await repo.PhysicalAsync(SyntheticRepository.Day0, 2);
        await repo.PhysicalAsync(SyntheticRepository.Day0.AddDays(1), 6);
        await repo.LogicalAsync(SyntheticRepository.Day0.AddHours(2));
        await repo.Repository.PinAsync(first.Id);
        if (withGap)
            await repo.Store.DeleteAsync((await repo.Wal.ListAsync()).Single(o => o.SegmentNumber == 5).ObjectName);
        await repo.Repository.SaveDrillRecordAsync(new DrillRecord(first.Id.ToString(), "physical", SyntheticRepository.Day0.AddDays(2),
            SyntheticRepository.Day0.AddDays(2).AddMinutes(1), true, 30.1, 8.9, 2.25, "latest", "0/B000000", "passed", null, "test-host",
            [new DrillTableResult("public.orders", 100, 100, true)]));
        var info = await RepositoryInfoCollector.CollectAsync(repo.Repository, now: SyntheticRepository.Day0.AddDays(3));
        return (repo, JsonDocument.Parse(InfoJson.Write(info)).RootElement);
    }

    [Fact]
    public async Task Every_documented_member_is_present_with_its_pinned_name()
    {
        var (_, root) = await InfoAsync(withGap: true);

        Assert.Equal(s_top, Names(root));
        var cluster = Assert.Single(root.GetProperty("clusters").EnumerateArray());
        Assert.Equal(s_cluster, Names(cluster));
        Assert.All(cluster.GetProperty("backups").EnumerateArray(), b => Assert.Equal(s_backup, Names(b)));
        var wal = root.GetProperty("wal_archive");
        Assert.Equal(s_wal, Names(wal));
        Assert.All(wal.GetProperty("ranges").EnumerateArray(), r => Assert.Equal(s_range, Names(r)));
        Assert.Equal(s_gap, Names(Assert.Single(wal.GetProperty("gaps").EnumerateArray())));
        Assert.All(root.GetProperty("pitr_windows").EnumerateArray(), w => Assert.Equal(s_window, Names(w)));
        Assert.Equal(s_drill, Names(root.GetProperty("last_drill")));
        Assert.Equal(s_recoveryPoint, Names(root.GetProperty("recovery_point")));
    }

    [Fact]
    public async Task The_values_describe_the_repository()
    {
        var (_, root) = await InfoAsync(withGap: true);

        var backups = root.GetProperty("clusters")[0].GetProperty("backups").EnumerateArray().ToList();
        Assert.Equal(["physical", "logical", "physical"], backups.Select(b => b.GetProperty("kind").GetString()));
        Assert.Equal([true, false, false], backups.Select(b => b.GetProperty("pinned").GetBoolean()));
        Assert.Equal("0/200028", backups[0].GetProperty("start_lsn").GetString());
        Assert.All(backups, b => Assert.True(b.GetProperty("stored_bytes").GetInt64() > 0));
        var logicalContent = "logical " + SyntheticRepository.Day0.AddHours(2).Ticks;
        Assert.Equal(logicalContent.Length, backups[1].GetProperty("logical_bytes").GetInt64());
        var gap = root.GetProperty("wal_archive").GetProperty("gaps")[0];
        Assert.Equal(("0/500000", "0/600000", "0/300100"),
            (gap.GetProperty("from_lsn").GetString(), gap.GetProperty("to_lsn").GetString(), gap.GetProperty("cuts_window_from_lsn").GetString()));
        Assert.Equal(["0/300100", "0/700100"], root.GetProperty("pitr_windows").EnumerateArray().Select(w => w.GetProperty("from_lsn").GetString()));
        Assert.Equal(41.25, root.GetProperty("last_drill").GetProperty("rto_seconds").GetDouble());
        Assert.Equal("0/B00000", root.GetProperty("recovery_point").GetProperty("newest_durable_lsn").GetString());
        Assert.False(root.GetProperty("recovery_point").GetProperty("streamer_running").GetBoolean());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("recovery_point").GetProperty("rpo_bytes").ValueKind);
    }

    [Fact]
    public async Task Drill_records_round_trip_and_unknown_members_are_ignored()
    {
        var record = new DrillRecord(new string('a', 64), "logical", SyntheticRepository.Day0, SyntheticRepository.Day0.AddSeconds(70), false, 50, 0, 20,
            Failure: "public.orders: expected 100 rows, restored 99", Tables: [new DrillTableResult("public.orders", 100, 99, false)]);
        var back = DrillRecord.DecodeBody(record.EncodeBody());
        Assert.Equal(record with { Tables = null }, back with { Tables = null });
        Assert.Equal(record.Tables, back.Tables);

        var extended = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(record.EncodeBody()).Replace("{\"format\":1,", "{\"format\":1,\"later\":[1],"));
        Assert.Equal(record.Failure, DrillRecord.DecodeBody(extended).Failure);
        Assert.Throws<InvalidDataException>(() => DrillRecord.DecodeBody("{\"format\":2}"u8.ToArray()));
    }
}
