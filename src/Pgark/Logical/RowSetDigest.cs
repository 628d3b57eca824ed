using System.Buffers;
using System.Buffers.Binary;
using Pgark.Repository.Codecs;

namespace Pgark.Logical;

/// <summary>
/// An order-independent digest of a COPY text's rows: each row (its bytes up to and without the newline) is hashed
/// with BLAKE3 and the first 16 bytes of the hashes, read as two little-endian 64-bit lanes, are summed modulo 2^64
/// per lane. A table restored with COPY FROM need not come back in the same physical order (the server may place rows
/// in any page with room), so the read-back after a restore is compared with this, not with the stream's BLAKE3.
/// </summary>
internal sealed class RowSetDigest
{
    private readonly ArrayBufferWriter<byte> _partial = new();
    private ulong _lane0;
    private ulong _lane1;

    /// <summary>Rows completed so far (newlines seen).</summary>
    public long Rows { get; private set; }

    public void Update(ReadOnlySpan<byte> data)
    {
        while (true)
        {
            int newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _partial.Write(data);
                return;
            }
            if (_partial.WrittenCount == 0)
            {
                AddRow(data[..newline]);
            }
            else
            {
                _partial.Write(data[..newline]);
                AddRow(_partial.WrittenSpan);
                _partial.Clear();
            }
            data = data[(newline + 1)..];
        }
    }

    private void AddRow(ReadOnlySpan<byte> row)
    {
        Rows++;
        Span<byte> hash = stackalloc byte[Blake3.OutputSize];
        Blake3.Hash(row, hash);
        _lane0 += BinaryPrimitives.ReadUInt64LittleEndian(hash);
        _lane1 += BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]);
    }

    /// <summary>32 lowercase hex digits: lane 0 then lane 1, each as 16 big-endian hex digits.</summary>
    public string ToHex() => _lane0.ToString("x16", System.Globalization.CultureInfo.InvariantCulture) +
        _lane1.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}
