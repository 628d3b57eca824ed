using System.Buffers;
using Pgark.Repository.Codecs;
using Pgark.Wire.Connection;

namespace Pgark.Logical;

/// <summary>
/// The text of one <c>COPY ... TO STDOUT</c> as a read-only stream for the chunker, hashing (BLAKE3) and counting rows
/// as it passes: in COPY text format every row ends with exactly one newline byte (newlines inside values are escaped
/// as \n), so the row count is the count of 0x0A bytes. Also keeps the rows' order-independent digest. Holds one CopyData
/// message at a time.
/// </summary>
internal sealed class CopyOutStream(PgQueryReader reader) : Stream
{
    private readonly Blake3Hasher _hasher = new();
    private readonly RowSetDigest _rowSet = new();
    private ReadOnlySequence<byte> _pending;
    private bool _ended;

    public long Rows { get; private set; }
    public long Bytes { get; private set; }

    /// <summary>The order-independent digest of the rows (<see cref="RowSetDigest"/>).</summary>
    public string RowSetHex() => _rowSet.ToHex();

    public string ChecksumHex()
    {
        Span<byte> digest = stackalloc byte[Blake3.OutputSize];
        _hasher.Finalize(digest);
        return Convert.ToHexStringLower(digest);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_pending.IsEmpty)
        {
            if (_ended || !await reader.ReadCopyDataAsync(cancellationToken).ConfigureAwait(false))
            {
                _ended = true;
                return 0;
            }
            _pending = reader.CopyData;
            foreach (var segment in _pending)
            {
                _hasher.Update(segment.Span);
                _rowSet.Update(segment.Span);
                Rows += segment.Span.Count((byte)'\n');
            }
            Bytes += _pending.Length;
        }
        int take = (int)Math.Min(buffer.Length, _pending.Length);
        _pending.Slice(0, take).CopyTo(buffer.Span);
        _pending = _pending.Slice(take);
        return take;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("CopyOutStream is asynchronous only");
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
