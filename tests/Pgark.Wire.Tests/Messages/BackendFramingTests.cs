using System.Buffers;
using Pgark.Wire.Messages;
using Pgark.Wire.Tests.Infrastructure;

namespace Pgark.Wire.Tests.Messages;

public class BackendFramingTests
{
    private static FrameStatus Frame(ReadOnlySequence<byte> buffer, out byte code, out ReadOnlySequence<byte> payload, out string? error,
        MessageLimits? limits = null) =>
        BackendFraming.TryRead(buffer, limits ?? MessageLimits.Default, out code, out payload, out error);

    [Fact]
    public void WholeMessageIsDoneWithPayloadSlice()
    {
        byte[] bytes = Backend.Concat(Backend.CommandComplete("SELECT 1"), Backend.Ready());
        Assert.Equal(FrameStatus.Done, Frame(new ReadOnlySequence<byte>(bytes), out byte code, out var payload, out _));
        Assert.Equal((byte)'C', code);
        Assert.Equal("SELECT 1\0"u8.ToArray(), payload.ToArray());
        Assert.Equal(5 + 9, bytes.AsSpan().Length - new ReadOnlySequence<byte>(bytes).Slice(payload.End).Length);
    }

    [Fact]
    public void EveryTruncationNeedsMoreData()
    {
        byte[] bytes = Backend.DataRow("a", null, "ccc");
        for (int length = 0; length < bytes.Length; length++)
            Assert.Equal(FrameStatus.NeedMoreData, Frame(new ReadOnlySequence<byte>(bytes, 0, length), out _, out _, out _));
    }

    [Fact]
    public void EverySegmentSplitGivesTheSamePayload()
    {
        byte[] bytes = Backend.DataRow("hello", null, "world");
        for (int a = 1; a < bytes.Length; a++)
        {
            for (int b = a; b < bytes.Length; b += 3)
            {
                Assert.Equal(FrameStatus.Done, Frame(Segment.Split(bytes, a, b), out byte code, out var payload, out _));
                Assert.Equal((byte)'D', code);
                Assert.Equal(bytes[5..], payload.ToArray());
            }
        }
    }

    [Theory]
    [InlineData((byte)'Q')]  // a frontend code
    [InlineData((byte)0)]
    [InlineData((byte)'x')]
    public void UnknownCodeIsInvalid(byte code)
    {
        byte[] bytes = [code, 0, 0, 0, 4];
        Assert.Equal(FrameStatus.Invalid, Frame(new ReadOnlySequence<byte>(bytes), out _, out _, out string? error));
        Assert.Contains("unknown backend message code", error);
    }

    [Theory]
    [InlineData((byte)'E', 0x7FFFFFFF)]   // huge error: must not be buffered
    [InlineData((byte)'E', 3)]            // shorter than its own length field
    [InlineData((byte)'E', -1)]
    [InlineData((byte)'Z', 6)]            // fixed-size message with a wrong length
    [InlineData((byte)'K', 16)]
    [InlineData((byte)'c', 5)]
    public void ImpossibleLengthIsInvalidFromTheHeaderAlone(byte code, int length)
    {
        byte[] header = [code, .. Backend.I32(length)];
        Assert.Equal(FrameStatus.Invalid, Frame(new ReadOnlySequence<byte>(header), out _, out _, out string? error));
        Assert.Contains($"has length {length}", error);
    }

    [Fact]
    public void DataMessagesObeyTheirOwnConfigurableLimit()
    {
        var limits = new MessageLimits { MaxDataMessageLength = 100 };
        byte[] ok = [(byte)'d', .. Backend.I32(104)];
        byte[] tooBig = [(byte)'d', .. Backend.I32(105)];
        Assert.Equal(FrameStatus.NeedMoreData, Frame(new ReadOnlySequence<byte>(ok), out _, out _, out _, limits));
        Assert.Equal(FrameStatus.Invalid, Frame(new ReadOnlySequence<byte>(tooBig), out _, out _, out _, limits));
        // The default allows a 1 GiB row, but control messages stay at 1 MiB.
        byte[] bigRow = [(byte)'D', .. Backend.I32((1 << 30) + 4)];
        byte[] bigError = [(byte)'E', .. Backend.I32((1 << 20) + 5)];
        Assert.Equal(FrameStatus.NeedMoreData, Frame(new ReadOnlySequence<byte>(bigRow), out _, out _, out _));
        Assert.Equal(FrameStatus.Invalid, Frame(new ReadOnlySequence<byte>(bigError), out _, out _, out _));
    }

    [Theory]
    [MemberData(nameof(Fixtures.All), MemberType = typeof(Fixtures))]
    public void CapturedSessionsFrameExactlyToTheEnd(string fixture)
    {
        var buffer = new ReadOnlySequence<byte>(Fixtures.Read(fixture));
        int messages = 0;
        while (buffer.Length > 0)
        {
            Assert.Equal(FrameStatus.Done, Frame(buffer, out _, out var payload, out _));
            buffer = buffer.Slice(payload.End);
            messages++;
        }
        Assert.True(messages >= 8, $"{fixture}: only {messages} messages");
    }
}
