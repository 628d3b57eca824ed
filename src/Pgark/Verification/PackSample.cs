using System.Buffers.Binary;
using Pgark.Repository.Ids;

namespace Pgark.Verification;

/// <summary>
/// The rotating sample of <c>verify --read-data PERCENT</c> (spec §17): a pack's position on a ring of 2^64 is the first 8
/// bytes of its id; a run reads the packs in [cursor, cursor + width) and moves the cursor on by width, so the choice is
/// repeatable for a given state and 100/PERCENT runs cover every pack.
/// </summary>
public readonly record struct PackSample(ulong Cursor, ulong Width)
{
    public static PackSample For(ulong cursor, int percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        // ⌈percent · 2^64 / 100⌉; 100% is the whole ring, written as width 0 meaning "everything".
        var width = percent == 100 ? 0UL : (ulong)((UInt128.One << 64) * (uint)percent / 100 + 1);
        return new PackSample(cursor, width);
    }

    public bool Everything => Width == 0;

    public ulong NextCursor => unchecked(Cursor + Width);

    public static ulong Position(ChunkId id)
    {
        Span<byte> bytes = stackalloc byte[ChunkId.Size];
        id.WriteTo(bytes);
        return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
    }

    public bool Contains(ChunkId id) => Everything || unchecked(Position(id) - Cursor) < Width;
}
