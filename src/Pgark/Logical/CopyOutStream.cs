using System.Buffers;
using Pgark.Wire.Connection;

namespace Pgark.Logical;

/// <summary>
/// The text of one <c>COPY ... TO STDOUT</c> as a read-only stream for the chunker, hashing (BLAKE3) and counting rows
/// as it passes: in COPY text format every row ends with exactly one newline byte (newlines inside values are escaped
/// as \n), so the row count is the count of 0x0A bytes. Also keeps the rows' order-independent digest. Holds one CopyData
/// message at a time.
/// </summary>
internal sealed class CopyOutStream(PgQueryReader reader) : HashingSourceStream
{
    private readonly RowSetDigest _rowSet = new();
    private ReadOnlySequence<byte> _pending;
    private bool _ended;

    public long Rows { get; private set; }

    /// <summary>The order-independent digest of the rows (<see cref="RowSetDigest"/>).</summary>
    public string RowSetHex() => _rowSet.ToHex();

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
                Passed(segment.Span);
                _rowSet.Update(segment.Span);
                Rows += segment.Span.Count((byte)'\n');
            }
        }
        int take = (int)Math.Min(buffer.Length, _pending.Length);
        _pending.Slice(0, take).CopyTo(buffer.Span);
        _pending = _pending.Slice(take);
        return take;
    }
}
