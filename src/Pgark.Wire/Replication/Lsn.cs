using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pgark.Wire.Replication;

/// <summary>
/// A WAL location (XLogRecPtr): a 64-bit byte position in the WAL stream, written by PostgreSQL as two
/// upper-case hex halves "X/Y" without padding (<c>16/B374D848</c>). 0 is InvalidXLogRecPtr.
/// </summary>
public readonly struct Lsn : IEquatable<Lsn>, IComparable<Lsn>, ISpanFormattable
{
    public static readonly Lsn Invalid = default;

    public Lsn(ulong value) => Value = value;

    public ulong Value { get; }

    public bool IsValid => Value != 0;

    /// <summary>Parses "X/Y" where X and Y are 1 to 8 hex digits (case-insensitive), as pg_lsn_in accepts.</summary>
    public static Lsn Parse(string text) => TryParse(text, out Lsn lsn)
        ? lsn
        : throw new FormatException($"'{text}' is not a WAL location; expected two hex numbers like 16/B374D848");

    public static bool TryParse([NotNullWhen(true)] string? text, out Lsn lsn) => TryParse(text.AsSpan(), out lsn);

    public static bool TryParse(ReadOnlySpan<char> text, out Lsn lsn)
    {
        lsn = default;
        int slash = text.IndexOf('/');
        if (slash < 1 || slash > 8 || text.Length - slash - 1 is < 1 or > 8)
            return false;
        if (!uint.TryParse(text[..slash], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint high) ||
            !uint.TryParse(text[(slash + 1)..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint low))
            return false;
        lsn = new Lsn(((ulong)high << 32) | low);
        return true;
    }

    public override string ToString() => $"{(uint)(Value >> 32):X}/{(uint)Value:X}";

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite(CultureInfo.InvariantCulture, $"{(uint)(Value >> 32):X}/{(uint)Value:X}", out charsWritten);

    // Segment math: a WAL segment is wal_segment_size bytes (a power of two, 1 MiB..1 GiB, 16 MiB by default).

    /// <summary>XLByteToSeg: the number of the segment holding this location.</summary>
    public ulong SegmentNumber(int segmentSize) => Value / (ulong)CheckSegmentSize(segmentSize);

    /// <summary>XLogSegmentOffset: offset of this location inside its segment.</summary>
    public int SegmentOffset(int segmentSize) => (int)(Value & (ulong)(CheckSegmentSize(segmentSize) - 1));

    /// <summary>Start of the segment holding this location.</summary>
    public Lsn SegmentStart(int segmentSize) => new(Value & ~(ulong)(CheckSegmentSize(segmentSize) - 1));

    /// <summary>XLogSegNoOffsetToRecPtr: the location of byte <paramref name="offset"/> in segment <paramref name="segment"/>.</summary>
    public static Lsn FromSegment(ulong segment, int offset, int segmentSize) =>
        new(segment * (ulong)CheckSegmentSize(segmentSize) + (ulong)offset);

    /// <summary>XLogFileName: "TTTTTTTTXXXXXXXXYYYYYYYY" for the segment holding this location on <paramref name="timeline"/>.</summary>
    public string WalFileName(TimelineId timeline, int segmentSize)
    {
        ulong segmentsPerXLogId = 0x1_0000_0000UL / (ulong)CheckSegmentSize(segmentSize);
        ulong segment = SegmentNumber(segmentSize);
        return $"{timeline.Value:X8}{(uint)(segment / segmentsPerXLogId):X8}{(uint)(segment % segmentsPerXLogId):X8}";
    }

    private static int CheckSegmentSize(int segmentSize)
    {
        if (segmentSize < 1 << 20 || segmentSize > 1 << 30 || (segmentSize & (segmentSize - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(segmentSize), segmentSize, "wal_segment_size must be a power of two from 1 MiB to 1 GiB");
        return segmentSize;
    }

    public bool Equals(Lsn other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is Lsn other && Equals(other);
    public override int GetHashCode() => Value.GetHashCode();
    public int CompareTo(Lsn other) => Value.CompareTo(other.Value);

    public static bool operator ==(Lsn left, Lsn right) => left.Value == right.Value;
    public static bool operator !=(Lsn left, Lsn right) => left.Value != right.Value;
    public static bool operator <(Lsn left, Lsn right) => left.Value < right.Value;
    public static bool operator >(Lsn left, Lsn right) => left.Value > right.Value;
    public static bool operator <=(Lsn left, Lsn right) => left.Value <= right.Value;
    public static bool operator >=(Lsn left, Lsn right) => left.Value >= right.Value;

    /// <summary>Advances by a byte count; overflow past 2^64-1 is a bug and throws.</summary>
    public static Lsn operator +(Lsn lsn, ulong bytes) => new(checked(lsn.Value + bytes));

    public static Lsn operator -(Lsn lsn, ulong bytes) => new(checked(lsn.Value - bytes));

    /// <summary>Distance in bytes between two locations (pg_wal_lsn_diff); negative when <paramref name="left"/> is earlier.</summary>
    public static long operator -(Lsn left, Lsn right) => (long)(left.Value - right.Value);

    public static Lsn Max(Lsn a, Lsn b) => a >= b ? a : b;
    public static Lsn Min(Lsn a, Lsn b) => a <= b ? a : b;
}
