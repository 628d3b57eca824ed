using System.Text;
using Pgark.Drill;
using Pgark.Repository.Format;

namespace Pgark.Tests.Drill;

public sealed class DrillJsonTests
{
    private static DrillResult Sample(bool kept = false) => new(
        new string('a', 64), SnapshotKind.Physical, 150008,
        new DateTimeOffset(2026, 11, 21, 8, 0, 0, 123, TimeSpan.Zero), new DateTimeOffset(2026, 11, 21, 8, 0, 4, 567, TimeSpan.Zero),
        "0/8000060", "0/8000060", RowCountsRecorded: true,
        new DrillTimings(TimeSpan.FromSeconds(1.25), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.125)),
        [
            new TableCheck("shop", "public.orders", 30000, 29800, null, null, TableMatch.Mismatch),
            new TableCheck("shop", "public.\"Odd name\"", null, 7, null, null, TableMatch.NotRecorded),
            new TableCheck("app", "public.t", 3, null, "ab", null, TableMatch.Missing),
        ],
        [new DamagedRelation("base/16384/16386", "shop", "public.orders", "shop: public.orders", "extent 1: repository corruption")],
        new AmcheckReport(true, 120, 60, ["shop: index public.orders_pkey: bad"]),
        ["base/16384/16386 (shop: public.orders) is damaged in the repository: extent 1: repository corruption"],
        kept ? new KeptServer("/tmp/pgark-drill-x", "/tmp/pgark-drill-x/data", "host=127.0.0.1 port=5", 42) : null)
    {
        RecoveryTargetTime = kept ? new DateTimeOffset(2026, 11, 21, 5, 59, 0, TimeSpan.Zero).AddTicks(1234560) : null,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Decode_gives_back_what_encode_wrote(bool kept)
    {
        DrillResult original = Sample(kept);

        DrillResult decoded = DrillJson.Decode(DrillJson.Encode(original));

        Assert.Equal(original.Tables, decoded.Tables);
        Assert.Equal(original.Damaged, decoded.Damaged);
        Assert.Equal(original.Amcheck.Failures, decoded.Amcheck.Failures);
        Assert.Equal(original.Problems, decoded.Problems);
        Assert.Equal(original.Kept, decoded.Kept);
        Assert.Equal(original.Timings, decoded.Timings);
        Assert.Equal(original.RecoveryTargetTime, decoded.RecoveryTargetTime);
        Assert.Equal((original.SnapshotId, original.Kind, original.StartedAt, original.FinishedAt, original.RecoveryTargetLsn, original.ReachedLsn),
            (decoded.SnapshotId, decoded.Kind, decoded.StartedAt, decoded.FinishedAt, decoded.RecoveryTargetLsn, decoded.ReachedLsn));
        Assert.False(decoded.Passed);
    }

    [Fact]
    public void The_shape_is_the_specified_one()
    {
        string json = Encoding.UTF8.GetString(DrillJson.Encode(Sample()));

        Assert.StartsWith("{\n  \"format\": \"pgark-drill\",\n  \"version\": 1,\n  \"snapshot\": \"aaaa", json.ReplaceLineEndings("\n"));
        Assert.Contains("\"rto_seconds\": 1.875", json);
        Assert.Contains("\"match\": \"not-recorded\"", json);
        Assert.Contains("\"table\": \"public.\\\"Odd name\\\"\"", json);
        Assert.Contains("\"kept\": null", json);
    }

    [Fact]
    public void Another_format_is_refused()
    {
        byte[] other = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(DrillJson.Encode(Sample())).Replace("\"version\": 1", "\"version\": 2"));

        var error = Assert.Throws<InvalidDataException>(() => DrillJson.Decode(other));

        Assert.Equal("not a version 1 pgark-drill document; a newer pgark wrote it", error.Message);
    }

    [Fact]
    public void The_record_summarizes_the_result_with_database_qualified_names()
    {
        var record = DrillRecords.ToRecord(Sample(), "host1");

        Assert.Equal(("physical", "lsn 0/8000060", "0/8000060", "failed", "host1"),
            (record.Kind, record.RecoveryTarget, record.ReachedLsn, record.Amcheck, record.Hostname));
        Assert.False(record.Passed);
        Assert.Equal(1.875, record.RtoSeconds, 3);
        Assert.StartsWith("base/16384/16386 (shop: public.orders) is damaged", record.Failure);
        Assert.Equal(["shop.public.orders", "shop.public.\"Odd name\"", "app.public.t"], record.Tables!.Select(t => t.Name));
        Assert.Equal([false, true, false], record.Tables!.Select(t => t.Match));
    }
}
