using System.Buffers;
using System.IO.Pipelines;
using Pgark.Wire.Messages.Frontend;
using Pgark.Wire.Replication;

namespace Pgark.Wire.Tests.Messages;

public class FrontendMessageTests
{
    private static async Task<byte[]> Written(Action<PipeWriter> write)
    {
        // No pause threshold: the whole message is flushed before anything reads it.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        write(pipe.Writer);
        await pipe.Writer.FlushAsync();
        await pipe.Writer.CompleteAsync();
        ReadResult result = await pipe.Reader.ReadAsync();
        return result.Buffer.ToArray();
    }

    [Fact]
    public async Task StartupMessageLayout()
    {
        byte[] bytes = await Written(w => StartupMessage.Write(w, [new("user", "u"), new("database", "d")]));
        byte[] expected = [0, 0, 0, 27, 0, 3, 0, 0, .. "user\0u\0database\0d\0\0"u8];
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public async Task QueryLayout()
    {
        Assert.Equal([(byte)'Q', 0, 0, 0, 13, .. "select 1\0"u8], await Written(w => Query.Write(w, "select 1")));
    }

    [Fact]
    public async Task CopyDataHeaderCountsThePayload()
    {
        byte[] payload = new byte[70_000];
        payload[^1] = 9;
        byte[] bytes = await Written(w => CopyMessages.WriteCopyData(w, payload));
        Assert.Equal([(byte)'d', 0, 1, 0x11, 0x74], bytes[..5]);
        Assert.Equal(5 + payload.Length, bytes.Length);
        Assert.Equal(9, bytes[^1]);
    }

    [Fact]
    public async Task SaslInitialResponseLayout()
    {
        byte[] bytes = await Written(w => PasswordMessage.WriteSaslInitialResponse(w, "SCRAM-SHA-256", "n,,n=,r=abc"u8));
        Assert.Equal([(byte)'p', 0, 0, 0, 33, .. "SCRAM-SHA-256\0"u8, 0, 0, 0, 11, .. "n,,n=,r=abc"u8], bytes);
    }

    [Fact]
    public async Task DeclaredLengthMustMatchWrittenBytes()
    {
        var pipe = new Pipe();
        var e = Assert.Throws<InvalidOperationException>(() =>
        {
            var message = FrontendMessageWriter.Start(pipe.Writer, (byte)'Q', 10);
            message.WriteCString("short");
            message.Complete();
        });
        Assert.Equal("frontend message declared 15 bytes but 11 were written", e.Message);
        var overflow = Assert.Throws<InvalidOperationException>(() =>
        {
            var message = FrontendMessageWriter.Start(pipe.Writer, (byte)'Q', 2);
            message.WriteInt32(1);
        });
        Assert.Equal("frontend message overflows its declared 7 bytes", overflow.Message);
        await pipe.Writer.CompleteAsync();
    }

    [Fact]
    public void NulInsideAProtocolStringIsRefused() =>
        Assert.Throws<ArgumentException>(() => FrontendMessageWriter.CStringLength("a\0b"));

    [Fact]
    public void FixedStartupPhaseMessages()
    {
        Assert.Equal([0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F], SslRequest.Create());
        Assert.Equal([0, 0, 0, 16, 0x04, 0xD2, 0x16, 0x2E, 0, 0, 0x10, 0x92, 0xFF, 0xFF, 0xFF, 0xFE], CancelRequest.Create(4242, -2));
    }

    [Fact]
    public void StandbyStatusUpdateLayout()
    {
        var bytes = new byte[StandbyStatusUpdate.Length];
        StandbyStatusUpdate.Write(bytes, new Lsn(0x1_0000_0002), new Lsn(3), new Lsn(0), 5, replyRequested: true);
        Assert.Equal([(byte)'r', 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1], bytes);
    }
}
