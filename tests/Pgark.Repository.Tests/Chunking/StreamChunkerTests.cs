using Pgark.Repository.Chunking;

namespace Pgark.Repository.Tests.Chunking;

public sealed class StreamChunkerTests
{
    private static readonly FastCdc s_chunker = new(new FastCdcOptions(2 << 10, 8 << 10, 32 << 10));

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(50_000)]
    [InlineData(0)] // random sizes
    public async Task Any_read_size_gives_the_same_chunks_as_a_whole_buffer(int readSize)
    {
        byte[] data = ChunkingTestData.SplitMix64Bytes(600_003, seed: 31);
        List<int> expected = ChunkingTestData.CutOffsets(s_chunker, data);
        using var chunker = new StreamChunker(new TrickleStream(data, readSize), s_chunker);

        var offsets = new List<int>();
        var joined = new MemoryStream();
        ReadOnlyMemory<byte> chunk;
        while (!(chunk = await chunker.ReadChunkAsync()).IsEmpty)
        {
            joined.Write(chunk.Span);
            offsets.Add((int)chunker.Position);
        }

        Assert.Equal(expected, offsets);
        Assert.Equal(data, joined.ToArray());
    }

    [Fact]
    public async Task Empty_stream_has_no_chunks()
    {
        using var chunker = new StreamChunker(new MemoryStream(), s_chunker);

        Assert.True((await chunker.ReadChunkAsync()).IsEmpty);
        Assert.True((await chunker.ReadChunkAsync()).IsEmpty);
    }

    [Fact]
    public async Task Disposed_chunker_throws()
    {
        var chunker = new StreamChunker(new MemoryStream(new byte[10]), s_chunker);
        chunker.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await chunker.ReadChunkAsync());
    }

    /// <summary>Returns at most <c>readSize</c> bytes per read (random 1..70000 when 0), like a socket or pipe.</summary>
    private sealed class TrickleStream(byte[] data, int readSize) : Stream
    {
        private readonly Random _random = new(readSize);
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int size = readSize == 0 ? _random.Next(1, 70_000) : readSize;
            int n = Math.Min(Math.Min(size, buffer.Length), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush() => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
