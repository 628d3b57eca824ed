using Npgsql;
using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.IntegrationTests.Wire;

/// <summary>The replication protocol against a real walsender, checked against SQL through Npgsql.</summary>
public sealed class WireReplicationTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private readonly LocalCluster _cluster = fixture.Cluster;

    [Fact]
    public async Task Identify_system_matches_pg_control_and_the_current_wal_position()
    {
        await using var sql = new NpgsqlConnection(_cluster.NpgsqlConnectionString());
        await sql.OpenAsync();
        long systemId = await sql.ScalarAsync<long>("SELECT system_identifier FROM pg_control_system()");
        int timeline = await sql.ScalarAsync<int>("SELECT timeline_id FROM pg_control_checkpoint()");
        Lsn before = Lsn.Parse(await sql.ScalarAsync<string>("SELECT pg_current_wal_flush_lsn()::text"));

        await using PgConnection replication = await _cluster.OpenWireAsync(replication: "true");
        IdentifySystemResult identity = await replication.IdentifySystemAsync();
        Lsn after = Lsn.Parse(await sql.ScalarAsync<string>("SELECT pg_current_wal_flush_lsn()::text"));

        Assert.Equal(unchecked((ulong)systemId), identity.SystemId);
        Assert.Equal((uint)timeline, identity.Timeline.Value);
        Assert.InRange(identity.XLogPosition.Value, before.Value, after.Value);
        Assert.Null(identity.DatabaseName);
    }

    [Fact]
    public async Task Streamed_wal_is_byte_for_byte_the_servers_wal_segment()
    {
        await using var sql = new NpgsqlConnection(_cluster.NpgsqlConnectionString());
        await sql.OpenAsync();
        int segmentSize = await sql.ScalarAsync<int>("SELECT setting::int FROM pg_settings WHERE name = 'wal_segment_size'");
        await sql.ScalarAsync<object>("SELECT pg_switch_wal()"); // start at a fresh segment: the WAL below fits in it
        await using PgConnection replication = await _cluster.OpenWireAsync(replication: "true");
        IdentifySystemResult identity = await replication.IdentifySystemAsync();
        Lsn start = new(identity.XLogPosition.Value - identity.XLogPosition.Value % (ulong)segmentSize);
        await sql.ScalarAsync<object>("CREATE TABLE wal_streamed AS SELECT g, md5(g::text) FROM generate_series(1, 5000) g");
        Lsn end = Lsn.Parse(await sql.ScalarAsync<string>("SELECT pg_current_wal_flush_lsn()::text"));
        Assert.True(end.Value - start.Value < (ulong)segmentSize, "the generated WAL should stay within one segment");

        byte[] streamed = new byte[end.Value - start.Value];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        ReplicationStream stream = await replication.StartReplicationAsync(start, identity.Timeline, cancellationToken: deadline.Token);
        ulong received = start.Value;
        while (received < end.Value)
        {
            switch (await stream.ReadAsync(deadline.Token))
            {
                case ReplicationMessageKind.XLogData:
                    Assert.Equal(received, stream.XLogData.WalStart.Value); // contiguous from the start
                    foreach (ReadOnlyMemory<byte> piece in stream.XLogData.Data)
                    {
                        int take = (int)Math.Min((ulong)piece.Length, end.Value - received);
                        piece.Span[..take].CopyTo(streamed.AsSpan((int)(received - start.Value)));
                        received += (ulong)piece.Length;
                    }
                    break;
                case ReplicationMessageKind.Keepalive when stream.Keepalive.ReplyRequested:
                    await stream.SendStatusUpdateAsync(new Lsn(received), new Lsn(received), Lsn.Invalid, cancellationToken: deadline.Token);
                    break;
                case ReplicationMessageKind.EndOfStream:
                    Assert.Fail("the server ended the stream early");
                    break;
            }
        }
        await stream.EndAsync(deadline.Token);

        string segmentFile = await sql.ScalarAsync<string>($"SELECT pg_walfile_name('{start}'::pg_lsn + 1)");
        byte[] onDisk = await sql.ScalarAsync<byte[]>(
            $"SELECT pg_read_binary_file('pg_wal/{segmentFile}', 0, {streamed.Length})");
        Assert.Equal(onDisk, streamed);
        Assert.Equal("1", (await replication.QueryTextAsync("IDENTIFY_SYSTEM")).Rows.Count.ToString()); // usable after streaming
    }
}
