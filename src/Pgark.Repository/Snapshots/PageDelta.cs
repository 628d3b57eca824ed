using System.Buffers.Binary;
using System.Numerics;
using Pgark.Repository.Ids;

namespace Pgark.Repository.Snapshots;

/// <summary>
/// The plaintext of a PageDelta chunk (spec §7.5): 0 BaseObjectId (32) | 32 ExtentLength u32 | 36 PageSize u32 |
/// 40 ChangedPageCount u16 | 42 Depth u16 (1 when the base is a Data chunk) | 44 ChangedBitmap | changed pages ascending.
/// </summary>
public static class PageDelta
{
    public const int FixedSize = 44;

    public static int PageCount(int extentLength, int pageSize) => (extentLength + pageSize - 1) / pageSize;

    /// <summary>Encodes the pages of <paramref name="extent"/> whose bit is set in <paramref name="changed"/>.</summary>
    public static byte[] Encode(ChunkId baseId, int depth, ReadOnlySpan<byte> extent, int pageSize, ReadOnlySpan<bool> changed)
    {
        var pages = PageCount(extent.Length, pageSize);
        if (changed.Length != pages)
            throw new ArgumentException($"{changed.Length} change flags for {pages} pages");
        var bitmapLength = (pages + 7) / 8;
        var changedBytes = 0;
        var changedCount = 0;
        for (var p = 0; p < pages; p++)
        {
            if (changed[p])
            {
                changedCount++;
                changedBytes += Math.Min(pageSize, extent.Length - p * pageSize);
            }
        }
        var bytes = new byte[FixedSize + bitmapLength + changedBytes];
        baseId.WriteTo(bytes);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(32), (uint)extent.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(36), (uint)pageSize);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(40), (ushort)changedCount);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(42), (ushort)depth);
        var at = FixedSize + bitmapLength;
        for (var p = 0; p < pages; p++)
        {
            if (!changed[p])
                continue;
            bytes[FixedSize + p / 8] |= (byte)(1 << (p % 8));
            var page = extent.Slice(p * pageSize, Math.Min(pageSize, extent.Length - p * pageSize));
            page.CopyTo(bytes.AsSpan(at));
            at += page.Length;
        }
        return bytes;
    }

    /// <summary>The base object id and depth recorded in a delta.</summary>
    public static (ChunkId BaseId, int Depth) ReadBase(ReadOnlySpan<byte> delta)
    {
        if (delta.Length < FixedSize)
            throw new InvalidDataException($"page delta of {delta.Length} bytes is shorter than its {FixedSize}-byte header");
        return (new ChunkId(delta[..32]), BinaryPrimitives.ReadUInt16LittleEndian(delta[42..]));
    }

    /// <summary>Reconstructs the extent from its base's bytes (spec §7.5).</summary>
    public static byte[] Apply(ReadOnlySpan<byte> delta, ReadOnlySpan<byte> baseExtent)
    {
        var result = new byte[ExtentLength(delta)];
        baseExtent[..Math.Min(baseExtent.Length, result.Length)].CopyTo(result);
        Overlay(delta, result);
        return result;
    }

    /// <summary>The length of the extent a delta reconstructs, after checking its header (spec §7.5).</summary>
    internal static int ExtentLength(ReadOnlySpan<byte> delta)
    {
        var (_, depth) = ReadBase(delta);
        var extentLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(delta[32..]);
        var pageSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(delta[36..]);
        if (depth == 0 || pageSize < 512 || pageSize > 65536 || !int.IsPow2(pageSize) || extentLength is <= 0 or > 4 << 20)
            throw new InvalidDataException($"page delta header is invalid (depth {depth}, page size {pageSize}, extent length {extentLength})");
        return extentLength;
    }

    /// <summary>
    /// Writes the delta's changed pages over <paramref name="extent"/>, which holds the base's bytes cut or zero-extended
    /// to <see cref="ExtentLength"/> (what <see cref="Apply"/> builds; restore builds it in a pooled buffer).
    /// </summary>
    internal static void Overlay(ReadOnlySpan<byte> delta, Span<byte> extent)
    {
        var extentLength = ExtentLength(delta);
        if (extent.Length != extentLength)
            throw new ArgumentException($"the extent is {extent.Length} bytes, the delta rebuilds {extentLength}", nameof(extent));
        var pageSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(delta[36..]);
        var changedCount = BinaryPrimitives.ReadUInt16LittleEndian(delta[40..]);
        var pages = PageCount(extentLength, pageSize);
        var bitmapLength = (pages + 7) / 8;
        if (delta.Length < FixedSize + bitmapLength)
            throw new InvalidDataException("page delta is shorter than its bitmap");
        var bitmap = delta.Slice(FixedSize, bitmapLength);
        var popcount = 0;
        foreach (var b in bitmap)
            popcount += BitOperations.PopCount(b);
        if (popcount != changedCount)
            throw new InvalidDataException($"bitmap marks {popcount} pages, ChangedPageCount says {changedCount}");

        var at = FixedSize + bitmapLength;
        for (var p = 0; p < pages; p++)
        {
            if ((bitmap[p / 8] & (1 << (p % 8))) == 0)
                continue;
            var length = Math.Min(pageSize, extentLength - p * pageSize);
            if (at + length > delta.Length)
                throw new InvalidDataException($"page delta ends inside changed page {p}");
            delta.Slice(at, length).CopyTo(extent[(p * pageSize)..]);
            at += length;
        }
        if (at != delta.Length)
            throw new InvalidDataException($"{delta.Length - at} bytes after the last changed page");
    }
}
