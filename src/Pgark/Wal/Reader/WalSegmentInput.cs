namespace Pgark.Wal.Reader;

/// <summary>
/// One WAL segment handed to <see cref="WalReader"/>: a name for error messages and a stream positioned at the segment's
/// first byte. The stream may end early (a partial segment); zeros after the last written page mean end of WAL.
/// The reader disposes the stream once it has moved past the segment, or when the reader is disposed.
/// </summary>
/// <param name="FileName">
/// Segment file name, e.g. <c>000000010000000A000000FE</c> (a <c>.partial</c> suffix is allowed). When it is a WAL file
/// name the reader checks that the pages inside belong to that segment.
/// </param>
/// <param name="Content">The segment's bytes.</param>
public sealed record WalSegmentInput(string FileName, Stream Content)
{
    /// <summary>A segment already in memory.</summary>
    public static WalSegmentInput FromMemory(string fileName, ReadOnlyMemory<byte> bytes) =>
        new(fileName, new ReadOnlyMemoryStream(bytes));

    /// <summary>Opens a segment file for sequential reading.</summary>
    public static WalSegmentInput FromFile(string path) =>
        new(Path.GetFileName(path), new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan));

    /// <summary>Tries to read timeline and segment number from a WAL file name (24 hex digits, optional .partial).</summary>
    internal static bool TryParseName(string fileName, int segmentSize, out uint timeline, out ulong segmentNumber)
    {
        timeline = 0;
        segmentNumber = 0;
        ReadOnlySpan<char> name = fileName.AsSpan();
        if (name.EndsWith(".partial", StringComparison.Ordinal))
        {
            name = name[..^".partial".Length];
        }

        if (name.Length != 24 || name.ContainsAnyExcept("0123456789ABCDEF"))
        {
            return false;
        }

        timeline = Convert.ToUInt32(name[..8].ToString(), 16);
        uint log = Convert.ToUInt32(name[8..16].ToString(), 16);
        uint seg = Convert.ToUInt32(name[16..].ToString(), 16);
        ulong segmentsPerId = 0x1_0000_0000UL / (ulong)segmentSize;
        segmentNumber = log * segmentsPerId + seg;
        return true;
    }

    /// <summary>A read-only stream over memory that does not copy it.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, bytes.Length - _position);
            bytes.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
