using Pgark.Wire.Connection;

namespace Pgark.Logical;

/// <summary>
/// One large object's bytes as a read-only stream for the chunker, read in pieces with <c>lo_get(oid, offset, length)</c>
/// inside the backup's snapshot (large object reads see the transaction's snapshot), hashing (BLAKE3) as it passes.
/// Holds one piece at a time, so memory does not depend on the object's size.
/// </summary>
internal sealed class LargeObjectStream(PgConnection connection, long oid, int pieceSize = LargeObjectStream.DefaultPieceSize) : HashingSourceStream
{
    /// <summary>Bytes per lo_get (and per lo_put at restore): 256 KiB, 512 KiB of hex text on the wire.</summary>
    public const int DefaultPieceSize = 256 << 10;

    private byte[] _piece = [];
    private int _taken;
    private bool _ended;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_taken == _piece.Length)
        {
            if (_ended)
                return 0;
            string? hex = (await connection.QueryTextAsync(FormattableString.Invariant(
                $"SELECT pg_catalog.lo_get({oid}, {Bytes}, {pieceSize})"), cancellationToken).ConfigureAwait(false)).Scalar;
            // bytea output is "\x" and two hex digits per byte (bytea_output = hex is the default since 9.0).
            if (hex is null || !hex.StartsWith("\\x", StringComparison.Ordinal))
                throw new LogicalException($"large object {oid}: lo_get returned no hex bytea; hint: set bytea_output = hex", $"large object {oid}");
            _piece = Convert.FromHexString(hex.AsSpan(2));
            _taken = 0;
            _ended = _piece.Length < pieceSize;
            Passed(_piece);
            if (_piece.Length == 0)
                return 0;
        }
        int take = Math.Min(buffer.Length, _piece.Length - _taken);
        _piece.AsSpan(_taken, take).CopyTo(buffer.Span);
        _taken += take;
        return take;
    }
}
