using System.Buffers;
using System.Buffers.Binary;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;
using Pgark.Wire.Tests.Infrastructure;

namespace Pgark.Wire.Tests.Replication;

public class ReplicationStreamTests
{
    private static byte[] XLog(long start, long end, byte[] data) =>
        Backend.CopyData([(byte)'w', .. Backend.I64(start), .. Backend.I64(end), .. Backend.I64(1000), .. data]);

    private static byte[] Keepalive(long end, bool reply) =>
        Backend.CopyData([(byte)'k', .. Backend.I64(end), .. Backend.I64(2000), reply ? (byte)1 : (byte)0]);

    [Fact]
    public async Task StreamsWalAnswersKeepalivesAndFollowsATimelineSwitch()
    {
        byte[]? statusUpdate = null;
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            (char _, byte[] query) = await peer.ReadMessageAsync();
            Assert.Equal("START_REPLICATION SLOT s PHYSICAL 1/0 TIMELINE 2\0", System.Text.Encoding.UTF8.GetString(query));
            await peer.SendAsync(Backend.CopyBothResponse(), XLog(0x1_0000_0000, 0x1_0000_0010, [1, 2, 3]), Keepalive(0x1_0000_0010, true));
            (char code, byte[] body) = await peer.ReadMessageAsync();
            Assert.Equal('d', code);
            statusUpdate = body;
            // End of timeline 2: the server's CopyDone, then the client's, then the next timeline's start.
            await peer.SendAsync(Backend.CopyDone());
            Assert.Equal('c', (await peer.ReadMessageAsync()).Code);
            await peer.SendAsync(Backend.RowDescription("next_tli", "next_tli_startpos"), Backend.DataRow("3", "1/10"),
                Backend.CommandComplete("SELECT"), Backend.CommandComplete("START_STREAMING"), Backend.Ready());
            await peer.ReadToEndAsync();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings with { Replication = ReplicationMode.Physical });
        ReplicationStream stream = await connection.StartReplicationAsync(Lsn.Parse("1/0"), new TimelineId(2), "s");
        Assert.Equal(ReplicationMessageKind.XLogData, await stream.ReadAsync());
        Assert.Equal(Lsn.Parse("1/0"), stream.XLogData.WalStart);
        Assert.Equal(Lsn.Parse("1/10"), stream.XLogData.WalEnd);
        Assert.Equal([1, 2, 3], stream.XLogData.Data.ToArray());
        Assert.Equal(PgTimestamp.Epoch.AddMilliseconds(1), stream.XLogData.SendTime);
        Assert.Equal(ReplicationMessageKind.Keepalive, await stream.ReadAsync());
        Assert.True(stream.Keepalive.ReplyRequested);
        await stream.SendStatusUpdateAsync(Lsn.Parse("1/3"), Lsn.Parse("1/3"), Lsn.Invalid);
        Assert.Equal(ReplicationMessageKind.EndOfStream, await stream.ReadAsync());
        Assert.Equal(new TimelineSwitch(new TimelineId(3), Lsn.Parse("1/10")), await stream.EndAsync());
        Assert.False(connection.IsBroken);

        Assert.Equal((byte)'r', statusUpdate![0]);
        Assert.Equal(0x1_0000_0003UL, BinaryPrimitives.ReadUInt64BigEndian(statusUpdate.AsSpan(1)));
        Assert.Equal(0x1_0000_0003UL, BinaryPrimitives.ReadUInt64BigEndian(statusUpdate.AsSpan(9)));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64BigEndian(statusUpdate.AsSpan(17)));
    }

    [Fact]
    public async Task AWalsenderShuttingDownEndsTheStreamWithCommandCompleteAlone()
    {
        // WalSndDone (walsender.c): once the client has caught up, a stopping server sends CommandComplete inside
        // CopyBoth, without CopyDone, and exits. That is the end of the stream, not a desync.
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.CopyBothResponse(), XLog(0x1_0000_0000, 0x1_0000_0003, [1, 2, 3]), Backend.CommandComplete("COPY 0"));
            peer.Close();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings with { Replication = ReplicationMode.Physical });
        ReplicationStream stream = await connection.StartReplicationAsync(Lsn.Parse("1/0"), new TimelineId(1), "s");
        Assert.Equal(ReplicationMessageKind.XLogData, await stream.ReadAsync());
        Assert.Equal(ReplicationMessageKind.EndOfStream, await stream.ReadAsync());
        Assert.Null(await stream.EndAsync());
        Assert.Equal(ReplicationMessageKind.EndOfStream, await stream.ReadAsync());
    }

    [Fact]
    public async Task UnknownReplicationMessageIsFatal()
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.CopyBothResponse(), Backend.CopyData([(byte)'z', 1]));
            await peer.ReadToEndAsync();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings);
        ReplicationStream stream = await connection.StartReplicationAsync(Lsn.Parse("0/1"));
        var e = await Assert.ThrowsAsync<PgProtocolException>(async () => await stream.ReadAsync());
        Assert.Equal("unknown replication message 0x7A inside CopyData", e.Message);
        Assert.True(connection.IsBroken);
    }

    [Fact]
    public async Task TruncatedKeepaliveIsFatal()
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.CopyBothResponse(), Backend.CopyData([(byte)'k', 0, 0, 0]));
            await peer.ReadToEndAsync();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings);
        ReplicationStream stream = await connection.StartReplicationAsync(Lsn.Parse("0/1"));
        await Assert.ThrowsAsync<PgProtocolException>(async () => await stream.ReadAsync());
    }

    [Fact]
    public async Task ErrorBeforeStreamingIsAServerError()
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.Error("58P01", "requested WAL segment has already been removed"), Backend.Ready());
            await peer.ReadToEndAsync();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings);
        var e = await Assert.ThrowsAsync<PgServerException>(() => connection.StartReplicationAsync(Lsn.Parse("0/1")));
        Assert.Equal("58P01", e.SqlState);
        Assert.False(connection.IsBroken);
    }
}
