using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Pgark.Cluster;

/// <summary>
/// Asks a postmaster whether it accepts connections, the way libpq's PQping does: send a StartupMessage and
/// look at the first reply. An authentication request, or any error other than SQLSTATE 57P03
/// (cannot_connect_now: starting up, shutting down, not yet consistent), means the server is accepting.
/// The probe goes through the cluster's own Unix-domain socket, so it can never mistake another server
/// that won a race for the same TCP port for this one; and postgres binds its TCP sockets before its Unix
/// socket, so an answer there implies the TCP port is bound too.
/// </summary>
internal static class ReadinessProbe
{
    private const int ProtocolVersion3 = 3 << 16;
    private const string CannotConnectNow = "57P03";
    private static readonly TimeSpan s_attemptTimeout = TimeSpan.FromSeconds(5);

    /// <returns>(true, "") when accepting; otherwise (false, why not) for the error message of a timeout.</returns>
    public static async Task<(bool Ready, string Detail)> ProbeAsync(string socketPath, string user,
        CancellationToken cancellationToken)
    {
        if (!File.Exists(socketPath))
        {
            return (false, $"no socket {socketPath} yet");
        }
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attempt.CancelAfter(s_attemptTimeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), attempt.Token).ConfigureAwait(false);
            await socket.SendAsync(StartupMessage(user), SocketFlags.None, attempt.Token).ConfigureAwait(false);
            byte[] reply = new byte[1024];
            int length = await ReceiveMessageAsync(socket, reply, attempt.Token).ConfigureAwait(false);
            // Decide before saying goodbye: after an ErrorResponse the server has already closed its end.
            (bool Ready, string Detail) verdict = Interpret(reply.AsSpan(0, length));
            if (length > 0 && reply[0] == (byte)'R')
            {
                await TerminateAsync(socket, attempt.Token).ConfigureAwait(false);
            }
            return verdict;
        }
        catch (SocketException e)
        {
            return (false, $"{socketPath}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, $"{socketPath}: no reply within {s_attemptTimeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Terminate, so an accepted session ends without an "unexpected EOF" in the server log; best effort.</summary>
    private static async Task TerminateAsync(Socket socket, CancellationToken cancellationToken)
    {
        try
        {
            await socket.SendAsync(new byte[] { (byte)'X', 0, 0, 0, 4 }, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            // The verdict is already made; a server that went away in between is found by the next probe.
        }
    }

    private static (bool, string) Interpret(ReadOnlySpan<byte> message)
    {
        if (message.Length == 0)
        {
            return (false, "the server closed the connection without a reply");
        }
        if (message[0] == (byte)'R')
        {
            return (true, "");
        }
        if (message[0] != (byte)'E')
        {
            return (false, $"unexpected reply message '{(char)message[0]}'");
        }
        string sqlState = Field(message[5..], (byte)'C');
        string text = Field(message[5..], (byte)'M');
        return sqlState == CannotConnectNow ? (false, text) : (true, "");
    }

    /// <summary>One field of an ErrorResponse body: (code byte, NUL-terminated string)*, then a NUL.</summary>
    private static string Field(ReadOnlySpan<byte> fields, byte code)
    {
        while (fields.Length > 1 && fields[0] != 0)
        {
            int end = fields[1..].IndexOf((byte)0);
            if (end < 0)
            {
                break;
            }
            if (fields[0] == code)
            {
                return Encoding.UTF8.GetString(fields.Slice(1, end));
            }
            fields = fields[(end + 2)..];
        }
        return "";
    }

    /// <summary>Reads one backend message (type byte, int32 length, body), truncated to the buffer.</summary>
    private static async Task<int> ReceiveMessageAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        int filled = 0;
        int wanted = 5;
        while (filled < wanted)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(filled, wanted - filled), SocketFlags.None, cancellationToken)
                .ConfigureAwait(false);
            if (read == 0)
            {
                return filled;
            }
            filled += read;
            if (filled == 5)
            {
                wanted = Math.Min(buffer.Length, 1 + BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(1)));
            }
        }
        return filled;
    }

    private static byte[] StartupMessage(string user)
    {
        byte[] parameters = Encoding.UTF8.GetBytes($"user\0{user}\0database\0postgres\0application_name\0pgark readiness probe\0\0");
        byte[] message = new byte[sizeof(int) + sizeof(int) + parameters.Length];
        BinaryPrimitives.WriteInt32BigEndian(message, message.Length);
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), ProtocolVersion3);
        parameters.CopyTo(message, 8);
        return message;
    }
}
