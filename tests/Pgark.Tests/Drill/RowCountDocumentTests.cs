using System.Text;
using Pgark.Drill;
using Pgark.Physical.RowCounts;

namespace Pgark.Tests.Drill;

public sealed class RowCountDocumentTests
{
    [Fact]
    public void Decode_gives_back_what_encode_wrote()
    {
        var document = new RowCountDocument("shop", "0/8000060", new DateTimeOffset(2026, 11, 21, 8, 17, 11, TimeSpan.Zero),
            [new TableRowCount("public", "orders", "public.orders", 30000), new TableRowCount("Sales", "a\"b", "\"Sales\".\"a\"\"b\"", 0)]);

        RowCountDocument decoded = RowCountDocument.Decode(document.Encode());

        Assert.Equal((document.Database, document.Lsn, document.CountedAt), (decoded.Database, decoded.Lsn, decoded.CountedAt));
        Assert.Equal(document.Tables, decoded.Tables);
    }

    [Theory]
    [InlineData("{\"format\": \"pgark-row-counts\", \"version\": 2, \"database\": \"x\", \"lsn\": \"0/1\", \"countedAt\": \"2026-11-21T00:00:00Z\", \"tables\": []}",
        "row_counts is not a version 1 pgark-row-counts document; a newer pgark wrote it")]
    [InlineData("{\"format\": \"pgark-row-counts\", \"version\": 1, \"database\": \"x\"}",
        "row_counts is unreadable: The given key was not present in the dictionary.")]
    [InlineData("not json", null)]
    public void A_bad_document_is_refused_with_a_clear_error(string text, string? message)
    {
        var error = Assert.Throws<InvalidDataException>(() => RowCountDocument.Decode(Encoding.UTF8.GetBytes(text)));

        if (message is not null)
            Assert.Equal(message, error.Message);
        else
            Assert.StartsWith("row_counts is unreadable: ", error.Message);
    }

    [Fact]
    public void Recovery_stops_before_the_counts_lsn_and_promotes_and_never_archives()
    {
        var settings = RecoverySettings.For("0/8000060");

        Assert.Equal("0/8000060", settings["recovery_target_lsn"]);
        Assert.Equal("off", settings["recovery_target_inclusive"]);
        Assert.Equal("promote", settings["recovery_target_action"]);
        Assert.Equal("off", settings["archive_mode"]);
        Assert.False(RecoverySettings.For(null).ContainsKey("recovery_target_lsn"));
        Assert.Equal("off", RecoverySettings.For(null)["archive_mode"]);
    }
}

public sealed class HotStandbySettingsTests
{
    [Fact]
    public void The_primarys_limits_are_read_from_pg_controldata_output()
    {
        const string output = """
            pg_control version number:            1300
            max_connections setting:              250
            max_worker_processes setting:         8
            max_wal_senders setting:              10
            max_prepared_xacts setting:           0
            max_locks_per_xact setting:           128
            track_commit_timestamp setting:       off
            """;

        var settings = HotStandbySettings.Parse(output);

        Assert.Equal(new Dictionary<string, string>
        {
            ["max_connections"] = "250",
            ["max_worker_processes"] = "8",
            ["max_wal_senders"] = "10",
            ["max_locks_per_transaction"] = "128",
        }, settings);
    }
}
