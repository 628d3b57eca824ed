using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Pgark.Wire.Connection;

namespace Pgark.Wire.Tests.Infrastructure;

/// <summary>
/// A byte-level scripted PostgreSQL peer on a loopback socket, for unit tests of protocol edge cases. It
/// accepts one connection; the script reads frontend messages and writes raw backend bytes.
/// </summary>
internal sealed class ScriptedServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _run;
    private readonly int _port;

    public ScriptedServer(Func<ScriptedServer.Peer, Task> script)
    {
        _listener.Start();
        _port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _run = RunAsync(script);
    }

    public ConnectionSettings Settings => new()
    {
        Host = "127.0.0.1",
        Port = _port,
        User = "tester",
        Password = "secret",
        Database = "db",
        SslMode = SslMode.Disable,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Completes when the script finished; rethrows its assertion failures.</summary>
    public Task Completion => _run;

    private async Task RunAsync(Func<Peer, Task> script)
    {
        using Socket socket = await _listener.AcceptSocketAsync();
        _listener.Stop();
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        await script(new Peer(stream));
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public sealed class Peer(NetworkStream stream)
    {
        public Task SendAsync(params byte[][] parts) => stream.WriteAsync(Backend.Concat(parts)).AsTask();

        /// <summary>Reads the untyped startup packet and returns its body (after the length).</summary>
        public async Task<byte[]> ReadStartupAsync()
        {
            byte[] length = await ReadExactAsync(4);
            return await ReadExactAsync(BinaryPrimitives.ReadInt32BigEndian(length) - 4);
        }

        /// <summary>Reads one typed frontend message.</summary>
        public async Task<(char Code, byte[] Body)> ReadMessageAsync()
        {
            byte[] header = await ReadExactAsync(5);
            byte[] body = await ReadExactAsync(BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1)) - 4);
            return ((char)header[0], body);
        }

        public async Task<byte[]> ReadExactAsync(int count)
        {
            var buffer = new byte[count];
            await stream.ReadExactlyAsync(buffer);
            return buffer;
        }

        /// <summary>Waits until the client closes (read returns 0), so tests can assert an orderly goodbye.</summary>
        public async Task<byte[]> ReadToEndAsync()
        {
            var all = new MemoryStream();
            await stream.CopyToAsync(all);
            return all.ToArray();
        }

        public void Close() => stream.Socket.Shutdown(SocketShutdown.Both);
    }
}
