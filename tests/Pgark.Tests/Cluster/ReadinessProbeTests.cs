using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Pgark.Cluster;

namespace Pgark.Tests.Cluster;

/// <summary>The probe's verdicts against a scripted peer on a Unix socket (PQping's rules).</summary>
public sealed class ReadinessProbeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgark-probe-").FullName;
    private string SocketPath => Path.Combine(_directory, ".s.PGSQL.5432");

    [Fact]
    public async Task An_authentication_request_means_ready()
    {
        (bool ready, _) = await ProbeAgainstAsync([(byte)'R', 0, 0, 0, 12, 0, 0, 0, 10, 0, 0, 0, 0]);

        Assert.True(ready);
    }

    [Fact]
    public async Task Cannot_connect_now_means_not_ready_with_the_servers_words()
    {
        (bool ready, string detail) = await ProbeAgainstAsync(ErrorResponse("57P03", "the database system is starting up"));

        Assert.False(ready);
        Assert.Equal("the database system is starting up", detail);
    }

    [Fact]
    public async Task Any_other_error_means_the_server_is_up()
    {
        (bool ready, _) = await ProbeAgainstAsync(ErrorResponse("28000", "no pg_hba.conf entry"));

        Assert.True(ready);
    }

    [Fact]
    public async Task A_peer_that_closes_without_replying_is_not_ready()
    {
        (bool ready, string detail) = await ProbeAgainstAsync([]);

        Assert.False(ready);
        Assert.Contains("closed the connection", detail);
    }

    [Fact]
    public async Task No_socket_file_is_not_ready()
    {
        (bool ready, string detail) = await ReadinessProbe.ProbeAsync(SocketPath, "postgres", CancellationToken.None);

        Assert.False(ready);
        Assert.Contains("no socket", detail);
    }

    /// <summary>Serves one connection: reads the StartupMessage, checks it, sends <paramref name="reply"/>, closes.</summary>
    private async Task<(bool, string)> ProbeAgainstAsync(byte[] reply)
    {
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen();
        Task<string> peer = ServeAsync(listener, reply);

        (bool, string) verdict = await ReadinessProbe.ProbeAsync(SocketPath, "alice", CancellationToken.None);

        Assert.Contains("user\0alice\0", await peer);
        return verdict;
    }

    private static async Task<string> ServeAsync(Socket listener, byte[] reply)
    {
        using Socket client = await listener.AcceptAsync();
        byte[] header = new byte[8];
        await client.ReceiveAsync(header, SocketFlags.None);
        Assert.Equal(3 << 16, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4)));
        byte[] body = new byte[BinaryPrimitives.ReadInt32BigEndian(header) - 8];
        for (int read = 0; read < body.Length;)
        {
            read += await client.ReceiveAsync(body.AsMemory(read), SocketFlags.None);
        }
        await client.SendAsync(reply, SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        return Encoding.UTF8.GetString(body);
    }

    private static byte[] ErrorResponse(string sqlState, string message)
    {
        byte[] fields = Encoding.UTF8.GetBytes($"SFATAL\0C{sqlState}\0M{message}\0\0");
        byte[] response = new byte[1 + 4 + fields.Length];
        response[0] = (byte)'E';
        BinaryPrimitives.WriteInt32BigEndian(response.AsSpan(1), 4 + fields.Length);
        fields.CopyTo(response, 5);
        return response;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
