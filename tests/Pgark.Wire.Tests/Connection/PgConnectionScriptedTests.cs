using System.Text;
using Pgark.Wire.Connection;
using Pgark.Wire.Tests.Infrastructure;

namespace Pgark.Wire.Tests.Connection;

/// <summary>PgConnection against byte-level scripted peers: the protocol edge cases a real server rarely shows.</summary>
public class PgConnectionScriptedTests
{
    private static readonly TimeSpan s_limit = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task StartupSendsTheParametersPgarkPromises()
    {
        byte[]? startup = null;
        await using var server = new ScriptedServer(async peer =>
        {
            startup = await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup("16.2 (Debian 16.2-1)"));
            Assert.Equal('X', (await peer.ReadMessageAsync()).Code);
        });
        await using (PgConnection connection = await PgConnection.OpenAsync(server.Settings with { Replication = ReplicationMode.Database }))
        {
            Assert.Equal(160002, connection.ServerVersionNumber);
            Assert.Equal(4242, connection.ProcessId);
            Assert.Equal("trust", connection.AuthenticationMethod);
        }
        await server.Completion.WaitAsync(s_limit);
        string text = Encoding.UTF8.GetString(startup!, 4, startup!.Length - 4);
        Assert.Equal("user\0tester\0database\0db\0application_name\0pgark\0client_encoding\0UTF8\0replication\0database\0\0", text);
    }

    [Fact]
    public async Task Md5AnswersWithTheSaltedHash()
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.AuthMd5([1, 2, 3, 4]));
            (char code, byte[] body) = await peer.ReadMessageAsync();
            Assert.Equal('p', code);
            Assert.Equal(Pgark.Wire.Authentication.Md5Password.Compute("tester", "secret", [1, 2, 3, 4]) + "\0", Encoding.UTF8.GetString(body));
            await peer.SendAsync(Backend.TrustStartup());
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings);
        Assert.Equal("md5", connection.AuthenticationMethod);
        await server.Completion.WaitAsync(s_limit);
    }

    [Theory]
    [InlineData("28P01", PgConnectionFailure.Authentication, "check the password")]
    [InlineData("28000", PgConnectionFailure.Authentication, "add a pg_hba.conf line")]
    [InlineData("3D000", PgConnectionFailure.Rejected, "check the database name")]
    [InlineData("57P03", PgConnectionFailure.Rejected, "retry when it is ready")]
    public async Task StartupErrorsKeepTheServerErrorInside(string sqlState, PgConnectionFailure failure, string hint)
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.Error(sqlState, "refused", "FATAL"));
            peer.Close();
        });
        var e = await Assert.ThrowsAsync<PgConnectionException>(() => PgConnection.OpenAsync(server.Settings));
        Assert.Equal(failure, e.Failure);
        Assert.Equal(sqlState, Assert.IsType<PgServerException>(e.InnerException).SqlState);
        Assert.StartsWith("the server refused the session (user=tester database=db host=127.0.0.1 port=", e.Message);
        Assert.Contains($"): refused (SQLSTATE {sqlState}); hint: ", e.Message);
        Assert.Contains(hint, e.Message);
    }

    [Fact]
    public async Task UnsupportedAuthenticationMethodIsNamed()
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.Message('R', Backend.I32(7)));
            await peer.ReadToEndAsync();
        });
        var e = await Assert.ThrowsAsync<PgConnectionException>(() => PgConnection.OpenAsync(server.Settings));
        Assert.Equal(PgConnectionFailure.Authentication, e.Failure);
        Assert.StartsWith("the server asked for authentication method 7 (Gss), which pgark does not support", e.Message);
    }

    [Fact]
    public async Task ServerThatNeverAnswersTimesOut()
    {
        // The server reads whatever arrives and never answers. Under load the client's 200 ms can run out before it
        // has even sent its startup packet, so the script must not insist on reading one.
        await using var server = new ScriptedServer(async peer => await peer.ReadToEndAsync());
        var e = await Assert.ThrowsAsync<PgConnectionException>(() =>
            PgConnection.OpenAsync(server.Settings with { ConnectTimeout = TimeSpan.FromMilliseconds(200) }));
        Assert.Equal(PgConnectionFailure.Timeout, e.Failure);
    }

    [Fact]
    public async Task ErrorLeavesTheConnectionUsableAndNoticesReachTheHandler()
    {
        var notices = new List<string>();
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.RowDescription("a"), Backend.DataRow("1"), Backend.Error("22012", "division by zero"), Backend.Ready());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.Notice("careful"), Backend.RowDescription("a", "b"), Backend.DataRow("x", null),
                Backend.CommandComplete("SELECT 1"), Backend.Ready());
            await peer.ReadToEndAsync();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings,
            new PgConnectionOptions { NoticeHandler = n => notices.Add(n.MessageText) });
        var error = await Assert.ThrowsAsync<PgServerException>(() => connection.QueryTextAsync("select 1/0"));
        Assert.Equal("22012", error.SqlState);
        Assert.False(connection.IsBroken);
        PgTextResult result = await connection.QueryTextAsync("select 'x', null");
        Assert.Equal(new string?[] { "x", null }, result.Rows.Single());
        Assert.Equal("SELECT 1", result.CommandTag);
        Assert.Equal(["careful"], notices);
    }

    [Fact]
    public async Task ErrorInTheMiddleOfCopyOutIsSurfacedAndTheConnectionStaysUsable()
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.CopyOutResponse(), Backend.CopyData("1\n"u8.ToArray()), Backend.CopyData("2\n"u8.ToArray()),
                Backend.Error("22012", "division by zero"), Backend.Ready());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.RowDescription("a"), Backend.DataRow("ok"), Backend.CommandComplete("SELECT 1"), Backend.Ready());
            await peer.ReadToEndAsync();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings);
        var received = new List<string>();
        var error = await Assert.ThrowsAsync<PgServerException>(async () =>
        {
            await using PgQueryReader reader = await connection.CopyOutAsync("copy ... to stdout");
            while (await reader.ReadCopyDataAsync())
                received.Add(Encoding.UTF8.GetString(reader.CopyData));
        });
        Assert.Equal(["1\n", "2\n"], received);
        Assert.Equal("22012", error.SqlState);
        Assert.Equal("ok", (await connection.QueryTextAsync("select 'ok'")).Scalar);
    }

    [Fact]
    public async Task CopyInSendsDataThenCopyDone()
    {
        var frames = new List<(char, string)>();
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.CopyInResponse());
            (char code, byte[] body) frame;
            do
            {
                frame = await peer.ReadMessageAsync();
                frames.Add((frame.code, Encoding.UTF8.GetString(frame.body)));
            }
            while (frame.code == 'd');
            await peer.SendAsync(Backend.CommandComplete("COPY 2"), Backend.Ready());
            await peer.ReadToEndAsync();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings);
        var writer = await connection.CopyInAsync("copy t from stdin");
        await writer.WriteAsync("1\n"u8.ToArray());
        await writer.WriteAsync("2\n"u8.ToArray());
        Assert.Equal("COPY 2", await writer.CompleteAsync());
        Assert.Equal([('d', "1\n"), ('d', "2\n"), ('c', "")], frames);
    }

    [Fact]
    public async Task ServerGoneMidQueryIsLostPromptlyAndBreaksTheConnection()
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.RowDescription("a"), Backend.DataRow("1"), Backend.DataRow("2")[..7]);
            peer.Close();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings);
        var e = await Assert.ThrowsAsync<PgConnectionException>(() => connection.QueryTextAsync("select").WaitAsync(s_limit));
        Assert.Equal(PgConnectionFailure.Lost, e.Failure);
        Assert.True(connection.IsBroken);
        var again = await Assert.ThrowsAsync<PgConnectionException>(() => connection.QueryTextAsync("select 1"));
        Assert.Equal("the connection is broken by an earlier failure; open a new one", again.Message);
    }

    [Fact]
    public async Task UnexpectedMessageMidQueryIsFatal()
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.RowDescription("a"), Backend.KeyData(1, 2));
            await peer.ReadToEndAsync();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings);
        var e = await Assert.ThrowsAsync<PgProtocolException>(() => connection.QueryTextAsync("select"));
        Assert.Equal("unexpected backend message 'K' (BackendKeyData) inside a row set (connection desynchronized; closing it)", e.Message);
        Assert.True(connection.IsBroken);
    }

    [Fact]
    public async Task FatalMidSessionIsLostWithTheServerErrorInside()
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.Error("57P01", "terminating connection due to administrator command", "FATAL"));
            peer.Close();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings);
        var e = await Assert.ThrowsAsync<PgConnectionException>(() => connection.QueryTextAsync("select pg_sleep(10)"));
        Assert.Equal(PgConnectionFailure.Lost, e.Failure);
        Assert.Equal("57P01", Assert.IsType<PgServerException>(e.InnerException).SqlState);
    }

    [Fact]
    public async Task StreamingRowsSkipsWhatTheCallerDidNotRead()
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadMessageAsync();
            var rows = Enumerable.Range(0, 1000).Select(i => Backend.DataRow(i.ToString())).ToArray();
            await peer.SendAsync([Backend.RowDescription("n"), .. rows, Backend.CommandComplete("SELECT 1000"), Backend.EmptyQuery(), Backend.Ready()]);
            await peer.ReadMessageAsync();
            await peer.SendAsync(Backend.CommandComplete("SET"), Backend.Ready());
            await peer.ReadToEndAsync();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings);
        await using (PgQueryReader reader = await connection.QueryAsync("select n; "))
        {
            Assert.True(await reader.NextResultAsync());
            Assert.True(await reader.ReadAsync());
            Assert.Equal(0, reader.GetInt64(0));
            Assert.True(await reader.NextResultAsync());
            Assert.Equal(PgResultKind.Empty, reader.Kind);
            Assert.False(await reader.NextResultAsync());
        }
        Assert.Equal("SET", await connection.ExecuteAsync("set x = 1"));
    }

    [Fact]
    public async Task BusyConnectionRefusesASecondCommand()
    {
        await using var server = new ScriptedServer(async peer =>
        {
            await peer.ReadStartupAsync();
            await peer.SendAsync(Backend.TrustStartup());
            await peer.ReadToEndAsync();
        });
        await using PgConnection connection = await PgConnection.OpenAsync(server.Settings);
        await connection.QueryAsync("select 1");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.QueryAsync("select 2"));
        Assert.Equal("the connection is busy with another command; finish or dispose its reader first", e.Message);
    }
}
