using System.Buffers.Binary;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;

namespace Pgark.Repository.Index;

/// <summary>
/// Reads an index delta body (spec §10.1) one entry at a time, checking what <see cref="IndexDelta.DecodeBody"/> checks,
/// without building the entry list: the loader and prune stream a delta's entries straight into slots or batches, so a
/// delta costs its body and nothing per entry beside it (a decoded entry is 56 bytes of large-object heap per chunk).
/// Not a ref struct, so an async loop can hold it across awaits.
/// </summary>
internal struct IndexDeltaReader
{
    private const int HeaderSize = 16;
    private readonly ReadOnlyMemory<byte> _body;
    private readonly int _entriesStart;
    private int _next;
    private ChunkId _previous;

    public IndexDeltaReader(ReadOnlyMemory<byte> memory)
    {
        var body = memory.Span;
        if (body.Length < HeaderSize)
            throw new InvalidDataException($"truncated: index delta header needs {HeaderSize} bytes at offset 0, {body.Length} left");
        PackCount = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(body), int.MaxValue);
        EntryCount = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(body[4..]), int.MaxValue);
        SupersedesCount = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(body[8..]), int.MaxValue);
        if (BinaryPrimitives.ReadUInt32LittleEndian(body[12..]) != 0)
            throw new InvalidDataException("reserved field index header reserved is not zero");
        if ((ulong)PackCount * 32 + (ulong)SupersedesCount * 32 + (ulong)EntryCount * IndexDelta.EntrySize != (ulong)(body.Length - HeaderSize))
            throw new InvalidDataException($"counts (packs {PackCount}, entries {EntryCount}, supersedes {SupersedesCount}) do not match a body of {body.Length} bytes");
        _body = memory;
        _entriesStart = HeaderSize + (PackCount + SupersedesCount) * 32;
        _next = 0;
        _previous = default;
    }

    public int PackCount { get; }
    public int EntryCount { get; }
    public int SupersedesCount { get; }

    public readonly ChunkId Pack(int ordinal) => new(_body.Span.Slice(HeaderSize + ordinal * 32, 32));

    public readonly ChunkId Superseded(int i) => new(_body.Span.Slice(HeaderSize + (PackCount + i) * 32, 32));

    /// <summary>The next entry in order, checked (pack ordinal in range, sorted, known kind and flags); false at the end.</summary>
    public bool Next(out int packOrdinal, out PackEntry entry)
    {
        if (_next == EntryCount)
        {
            packOrdinal = 0;
            entry = default;
            return false;
        }
        var at = _body.Span.Slice(_entriesStart + _next * IndexDelta.EntrySize, IndexDelta.EntrySize);
        var id = new ChunkId(at[..32]);
        var ordinal = BinaryPrimitives.ReadUInt32LittleEndian(at[32..]);
        entry = new PackEntry(id, BinaryPrimitives.ReadUInt32LittleEndian(at[36..]), BinaryPrimitives.ReadUInt32LittleEndian(at[40..]),
            BinaryPrimitives.ReadUInt32LittleEndian(at[44..]), (Format.ChunkFlags)at[48], (Format.ChunkKind)at[49]);
        if (at[50] != 0 || at[51] != 0)
            throw new InvalidDataException("reserved field entry reserved is not zero");
        if (ordinal >= (uint)PackCount)
            throw new InvalidDataException($"entry {id.ToShortString()} names pack ordinal {ordinal} of {PackCount}");
        if (_next > 0 && _previous.CompareTo(id) > 0)
            throw new InvalidDataException($"entries are not sorted at {id.ToShortString()}");
        if (entry.Kind is < Format.ChunkKind.Data or > Format.ChunkKind.PageDelta || (entry.Flags & ~Format.ChunkFlags.Compressed) != 0)
            throw new InvalidDataException($"entry {id.ToShortString()} has unknown kind or flags");
        _previous = id;
        _next++;
        packOrdinal = (int)ordinal;
        return true;
    }
}
