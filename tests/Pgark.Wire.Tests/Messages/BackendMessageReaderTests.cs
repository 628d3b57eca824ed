using System.Buffers;
using System.IO.Pipelines;
using Pgark.Wire.Messages;
using Pgark.Wire.Tests.Infrastructure;

namespace Pgark.Wire.Tests.Messages;

public class BackendMessageReaderTests
{
    [Fact]
    public async Task ReadsMessagesDeliveredOneByteAtATime()
    {
        var pipe = new Pipe();
        var reader = new BackendMessageReader(pipe.Reader);
        byte[] bytes = Backend.Concat(Backend.RowDescription("a"), Backend.DataRow("1"), Backend.CommandComplete("SELECT 1"), Backend.Ready());
        Task writer = Task.Run(async () =>
        {
            foreach (byte b in bytes)
            {
                await pipe.Writer.WriteAsync(new[] { b });
            }
            await pipe.Writer.CompleteAsync();
        });
        var codes = new List<char>();
        for (int i = 0; i < 4; i++)
            codes.Add((char)await reader.ReadAsync());
        Assert.Equal("TDCZ", new string(codes.ToArray()));
        Assert.Equal("I"u8.ToArray(), reader.Payload.ToArray());
        await writer;
    }

    [Fact]
    public async Task StreamEndingMidMessageIsLost()
    {
        var pipe = new Pipe();
        byte[] row = Backend.DataRow("abcdef");
        await pipe.Writer.WriteAsync(row.AsMemory(0, row.Length - 2));
        await pipe.Writer.CompleteAsync();
        var reader = new BackendMessageReader(pipe.Reader);
        var e = await Assert.ThrowsAsync<PgConnectionException>(async () => await reader.ReadAsync());
        Assert.Equal(PgConnectionFailure.Lost, e.Failure);
        Assert.Contains($"in the middle of a message ({row.Length - 2} bytes of it received)", e.Message);
    }

    [Fact]
    public async Task CleanEndOfStreamIsLost()
    {
        var pipe = new Pipe();
        await pipe.Writer.CompleteAsync();
        var e = await Assert.ThrowsAsync<PgConnectionException>(async () => await new BackendMessageReader(pipe.Reader).ReadAsync());
        Assert.Equal(PgConnectionFailure.Lost, e.Failure);
        Assert.StartsWith("the server closed the connection unexpectedly", e.Message);
    }

    [Fact]
    public async Task UnknownCodeAfterValidMessagesIsAProtocolError()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Backend.Concat(Backend.Ready(), [(byte)'?', 0, 0, 0, 4]));
        var reader = new BackendMessageReader(pipe.Reader);
        Assert.Equal((byte)'Z', await reader.ReadAsync());
        var e = await Assert.ThrowsAsync<PgProtocolException>(async () => await reader.ReadAsync());
        Assert.Equal("unknown backend message code '?' (unknown) (connection desynchronized; closing it)", e.Message);
    }

    [Fact]
    public async Task HugeLengthFailsBeforeTheBodyArrives()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(new byte[] { (byte)'T', 0x7F, 0xFF, 0xFF, 0xFF });
        var e = await Assert.ThrowsAsync<PgProtocolException>(async () => await new BackendMessageReader(pipe.Reader).ReadAsync());
        Assert.Contains("has length 2147483647", e.Message);
    }

    [Fact]
    public async Task CancelledWaitLeavesTheStreamIntact()
    {
        var pipe = new Pipe();
        var reader = new BackendMessageReader(pipe.Reader);
        byte[] ready = Backend.Ready();
        await pipe.Writer.WriteAsync(ready.AsMemory(0, 3));
        using var cts = new CancellationTokenSource();
        ValueTask<byte> pending = reader.ReadAsync(cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        await pipe.Writer.WriteAsync(ready.AsMemory(3));
        Assert.Equal((byte)'Z', await reader.ReadAsync());
    }
}
