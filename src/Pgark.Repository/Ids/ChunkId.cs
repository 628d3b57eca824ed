using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Pgark.Repository.Ids;

/// <summary>
/// A 32-byte id: a chunk id (BLAKE3-256, keyed in encrypted repositories) or a file id (unkeyed BLAKE3-256 of a file).
/// Held as four big-endian words so ordering equals byte-wise ordering of the id, which is the order index deltas use.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly struct ChunkId : IEquatable<ChunkId>, IComparable<ChunkId>
{
    public const int Size = 32;

    private readonly ulong _w0, _w1, _w2, _w3;

    public ChunkId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
            throw new ArgumentException($"an id is {Size} bytes, got {bytes.Length}", nameof(bytes));
        _w0 = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _w1 = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _w2 = BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]);
        _w3 = BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]);
    }

    public static ChunkId Zero => default;

    public bool IsZero => (_w0 | _w1 | _w2 | _w3) == 0;

    /// <summary>The first 128 bits, the key of the resident index (spec §10.2).</summary>
    public UInt128 Prefix128 => new(_w0, _w1);

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    public static ChunkId Parse(string hex)
    {
        if (!TryParse(hex, out var id))
            throw new FormatException($"'{hex}' is not a 64-digit hex id");
        return id;
    }

    public static bool TryParse(string? hex, out ChunkId id)
    {
        id = default;
        if (hex is null || hex.Length != Size * 2)
            return false;
        Span<byte> bytes = stackalloc byte[Size];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Size)
            return false;
        id = new ChunkId(bytes);
        return true;
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>The first 12 hex digits, for messages.</summary>
    public string ToShortString() => ToString()[..12];

    public bool Equals(ChunkId other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;
    public override bool Equals(object? obj) => obj is ChunkId other && Equals(other);
    public override int GetHashCode() => (int)_w1 ^ (int)(_w1 >> 32);

    public int CompareTo(ChunkId other)
    {
        var c = _w0.CompareTo(other._w0);
        if (c != 0)
            return c;
        c = _w1.CompareTo(other._w1);
        if (c != 0)
            return c;
        c = _w2.CompareTo(other._w2);
        return c != 0 ? c : _w3.CompareTo(other._w3);
    }

    public static bool operator ==(ChunkId left, ChunkId right) => left.Equals(right);
    public static bool operator !=(ChunkId left, ChunkId right) => !left.Equals(right);
}
