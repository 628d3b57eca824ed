using Pgark.Repository.Codecs;

namespace Pgark.Logical;

/// <summary>
/// What a logical backup reads from the server (a COPY stream, a large object) as a forward-only stream for the
/// chunker: the derived class fetches, and records each fetched piece with <see cref="Passed"/>, which hashes it
/// (BLAKE3, the checksum the manifest records) and counts its bytes. Reads are asynchronous only: every source is a
/// network round trip.
/// </summary>
internal abstract class HashingSourceStream : Stream
{
    private readonly Blake3Hasher _hasher = new();

    /// <summary>Bytes fetched so far.</summary>
    public long Bytes { get; private set; }

    public string ChecksumHex()
    {
        Span<byte> digest = stackalloc byte[Blake3.OutputSize];
        _hasher.Finalize(digest);
        return Convert.ToHexStringLower(digest);
    }

    protected void Passed(ReadOnlySpan<byte> piece)
    {
        _hasher.Update(piece);
        Bytes += piece.Length;
    }

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException($"{GetType().Name} is asynchronous only");
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Bytes; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
