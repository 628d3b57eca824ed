using System.Buffers;
using System.Text;
using Pgark.Wire.Connection;
using Pgark.Wire.Messages;
using Pgark.Wire.Replication;
using Pgark.Wire.Tests.Infrastructure;

namespace Pgark.Wire.Tests.Connection;

/// <summary>
/// Replays backend byte streams captured from a real PostgreSQL 15.18 (tests/testdata/wire/*.bin) into a
/// PgConnection that repeats the client calls of the capture. The peer ignores what the client sends, so the
/// backend side is byte-for-byte what a real server said.
/// </summary>
public class TranscriptReplayTests
{
    private static async Task<T> ReplayAsync<T>(byte[] transcript, ConnectionSettings? overrides, Func<PgConnection, Task<T>> client)
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(transcript);
            await peer.ReadToEndAsync();
        });
        ConnectionSettings settings = server.Settings;
        if (overrides is not null)
            settings = settings with { User = overrides.User, Password = overrides.Password, Replication = overrides.Replication };
        T result;
        await using (PgConnection connection = await PgConnection.OpenAsync(settings))
            result = await client(connection);
        return result;
    }

    /// <summary>Drops the (nonce-dependent) SCRAM exchange: keep everything from AuthenticationOk on.</summary>
    private static byte[] FromAuthenticationOk(byte[] transcript)
    {
        var buffer = new ReadOnlySequence<byte>(transcript);
        while (true)
        {
            Assert.Equal(FrameStatus.Done, BackendFraming.TryRead(buffer, MessageLimits.Default, out byte code, out var payload, out _));
            if (code == (byte)'R' && payload.ToArray().SequenceEqual(new byte[4]))
                return transcript[(int)(transcript.Length - buffer.Length)..];
            buffer = buffer.Slice(payload.End);
        }
    }

    [Fact]
    public async Task TrustSessionWithRowsErrorsNoticesAndMultipleStatements()
    {
        var log = new List<string>();
        await ReplayAsync(Fixtures.Read("session-trust-query.bin"), new ConnectionSettings { User = "trustuser" }, async c =>
        {
            Assert.Equal(150018, c.ServerVersionNumber);
            PgTextResult rows = await c.QueryTextAsync("select id, v, null::text as n from t where id <= 3 order by id");
            Assert.Equal(["id", "v", "n"], rows.Columns.Select(col => col.Name));
            Assert.Equal(new string?[] { "1", "row 1", null }, rows.Rows[0]);
            Assert.Equal("SELECT 3", rows.CommandTag);
            var error = await Assert.ThrowsAsync<PgServerException>(() => c.QueryTextAsync("select 1/0"));
            Assert.Equal("22012", error.SqlState);
            Assert.Equal("do", await c.ExecuteAsync("do $$ begin raise notice 'hello notice'; end $$") is { } tag ? tag.ToLowerInvariant() : null);
            Assert.Empty((await c.QueryTextAsync("")).Rows);
            PgTextResult multi = await c.QueryTextAsync("select 1 as a; select 2 as b, 'x' as c");
            Assert.Equal([["1"], ["2", "x"]], multi.Rows);
            Assert.Equal("SET", await c.ExecuteAsync("set application_name = 'renamed'"));
            Assert.Equal("renamed", c.Parameters["application_name"]);
            log.Add("done");
            return 0;
        });
        Assert.Equal(["done"], log);
    }

    [Theory]
    [InlineData("session-md5-query.bin", "md5user", "md5pass", "md5")]
    [InlineData("session-password-query.bin", "pwuser", "pwpass", "password")]
    public async Task PasswordSessions(string fixture, string user, string password, string method)
    {
        string? who = await ReplayAsync(Fixtures.Read(fixture), new ConnectionSettings { User = user, Password = password }, async c =>
        {
            Assert.Equal(method, c.AuthenticationMethod);
            return (await c.QueryTextAsync("select current_user")).Scalar;
        });
        Assert.Equal(user, who);
    }

    [Fact]
    public async Task CopySession()
    {
        await ReplayAsync(Fixtures.Read("session-copy.bin"), new ConnectionSettings { User = "trustuser" }, async c =>
        {
            var text = new StringBuilder();
            await using (PgQueryReader reader = await c.CopyOutAsync("copy (select id, v from t where id <= 200) to stdout"))
            {
                while (await reader.ReadCopyDataAsync())
                    text.Append(Encoding.UTF8.GetString(reader.CopyData));
                Assert.Equal("COPY 200", reader.CommandTag);
            }
            Assert.StartsWith("1\trow 1\n2\trow 2\n", text.ToString());
            Assert.EndsWith("200\trow 200\n", text.ToString());
            var midCopy = await Assert.ThrowsAsync<PgServerException>(async () =>
            {
                await using PgQueryReader reader = await c.CopyOutAsync("copy (select 1/(g-50) ...) to stdout");
                while (await reader.ReadCopyDataAsync())
                {
                }
            });
            Assert.Equal("22012", midCopy.SqlState);
            await c.ExecuteAsync("create temp table c(id int, v text)");
            var writer = await c.CopyInAsync("copy c from stdin");
            await writer.WriteAsync("1\ta\n2\tb\n"u8.ToArray());
            Assert.Equal("COPY 2", await writer.CompleteAsync());
            var bad = await c.CopyInAsync("copy c from stdin");
            await bad.WriteAsync("x\ty\n"u8.ToArray());
            Assert.Equal("22P02", (await Assert.ThrowsAsync<PgServerException>(() => bad.CompleteAsync())).SqlState);
            var failed = await c.CopyInAsync("copy c from stdin");
            await failed.FailAsync("client gave up");
            Assert.False(c.IsBroken);
            return 0;
        });
    }

    [Fact]
    public async Task ScramSessionAfterAuthentication()
    {
        string? who = await ReplayAsync(FromAuthenticationOk(Fixtures.Read("session-scram-query.bin")), null,
            async c => (await c.QueryTextAsync("select current_user")).Scalar);
        Assert.Equal("scramuser", who);
    }

    [Fact]
    public async Task ReplicationSession()
    {
        var settings = new ConnectionSettings { User = "scramuser", Replication = ReplicationMode.Physical };
        await ReplayAsync(FromAuthenticationOk(Fixtures.Read("session-replication.bin")), settings, async c =>
        {
            IdentifySystemResult id = await c.IdentifySystemAsync();
            Assert.Equal(new TimelineId(1), id.Timeline);
            Assert.Null(id.DatabaseName);
            Assert.Equal("16MB", await c.ShowAsync("wal_segment_size"));
            var history = await Assert.ThrowsAsync<PgServerException>(() => c.TimelineHistoryAsync(new TimelineId(1)));
            Assert.Equal("58P01", history.SqlState);
            ReplicationSlotCreated slot = await c.CreateReplicationSlotAsync("pgark_capture",
                new CreateReplicationSlotOptions { ReserveWal = true, Temporary = true });
            Assert.Equal("pgark_capture", slot.SlotName);
            ReplicationSlotInfo? info = await c.ReadReplicationSlotAsync("pgark_capture");
            Assert.Equal("physical", info!.SlotType);
            ReplicationStream stream = await c.StartReplicationAsync(id.XLogPosition, id.Timeline, "pgark_capture");
            Assert.Equal(ReplicationMessageKind.XLogData, await stream.ReadAsync());
            Assert.Equal(id.XLogPosition, stream.XLogData.WalStart);
            Assert.True(stream.XLogData.Data.Length > 0);
            Assert.True(stream.XLogData.WalEnd >= stream.XLogData.WalStart);
            Assert.Null(await stream.EndAsync());
            Assert.Equal(id.SystemId, (await c.IdentifySystemAsync()).SystemId);
            return 0;
        });
    }
}
