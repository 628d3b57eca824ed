using System.Text;

namespace Pgark.Physical.Tar;

/// <summary>What <see cref="TarStreamParser.Read"/> produced.</summary>
internal enum TarEventKind
{
    /// <summary>All input was consumed without completing an event; feed more.</summary>
    NeedMoreData,
    /// <summary>A member begins: <see cref="TarStreamParser.Entry"/>.</summary>
    EntryStarted,
    /// <summary>Bytes of the current member (a slice of the input).</summary>
    Data,
    /// <summary>The current member's data is complete.</summary>
    EntryEnded,
    /// <summary>The end-of-archive marker (a zero block) was read; only zero bytes may follow.</summary>
    EndOfArchive,
}

/// <summary>
/// A push parser for the tar streams of BASE_BACKUP: ustar headers, pax extended headers ('x': path, linkpath,
/// size; 'g' ignored), GNU long names ('L', 'K'), regular files, directories and symlinks. Input arrives in pieces of
/// any size (headers may be split across them); memory is one header block plus at most
/// <see cref="MaxExtendedHeader"/> bytes of extended header. Member data is never copied: it is returned as slices
/// of the input.
/// </summary>
internal sealed class TarStreamParser
{
    /// <summary>Largest pax or GNU long-name payload accepted (PostgreSQL paths are at most MAXPGPATH = 1024).</summary>
    public const int MaxExtendedHeader = 64 * 1024;

    private enum State { Header, Extended, Data, EntryEnd, Padding, Trailer }

    private readonly byte[] _block = new byte[TarHeader.BlockSize];
    private int _blockFill;
    private byte[] _extended = [];
    private int _extendedFill;
    private byte _extendedType;
    private State _state;
    private long _remaining;
    private int _padding;
    private long _offset;
    private long _headerOffset;
    // Overrides for the next member, from pax 'x' records or GNU 'L'/'K' members.
    private string? _nextPath;
    private string? _nextLinkPath;
    private long? _nextSize;

    /// <summary>The member being read (after EntryStarted).</summary>
    public TarEntry? Entry { get; private set; }

    /// <summary>Bytes of the archive consumed so far.</summary>
    public long Offset => _offset;

    /// <summary>
    /// Parses from <paramref name="input"/> until one event completes. <paramref name="consumed"/> says how much of
    /// the input was used; call again with the rest. <paramref name="data"/> is set for <see cref="TarEventKind.Data"/>.
    /// </summary>
    public TarEventKind Read(ReadOnlyMemory<byte> input, out int consumed, out ReadOnlyMemory<byte> data)
    {
        consumed = 0;
        data = default;
        while (true)
        {
            ReadOnlySpan<byte> rest = input.Span[consumed..];
            switch (_state)
            {
                case State.Header:
                    consumed += Fill(rest, _block, ref _blockFill);
                    if (_blockFill < TarHeader.BlockSize)
                        return TarEventKind.NeedMoreData;
                    _blockFill = 0;
                    _headerOffset = _offset - TarHeader.BlockSize;
                    if (OnHeader() is { } started)
                        return started;
                    break;
                case State.Extended:
                    consumed += Fill(rest, _extended, ref _extendedFill);
                    if (_extendedFill < _extended.Length)
                        return TarEventKind.NeedMoreData;
                    ApplyExtended();
                    _state = State.Padding;
                    break;
                case State.Data:
                    if (rest.IsEmpty)
                        return TarEventKind.NeedMoreData;
                    int take = (int)Math.Min(_remaining, rest.Length);
                    data = input.Slice(consumed, take);
                    consumed += take;
                    _offset += take;
                    _remaining -= take;
                    if (_remaining == 0)
                        _state = State.EntryEnd;
                    return TarEventKind.Data;
                case State.EntryEnd:
                    _state = State.Padding;
                    return TarEventKind.EntryEnded;
                case State.Padding:
                    int skip = Math.Min(_padding, rest.Length);
                    consumed += skip;
                    _offset += skip;
                    _padding -= skip;
                    if (_padding > 0)
                        return TarEventKind.NeedMoreData;
                    _state = State.Header;
                    break;
                case State.Trailer:
                    if (rest.ContainsAnyExcept((byte)0))
                        throw new TarFormatException($"non-zero bytes at archive offset {_offset + rest.IndexOfAnyExcept((byte)0)} after the end-of-archive marker");
                    consumed += rest.Length;
                    _offset += rest.Length;
                    return TarEventKind.NeedMoreData;
            }
        }
    }

    /// <summary>
    /// Declares the end of input. Valid between members (PostgreSQL 13/14 send no end-of-archive marker) or after the
    /// marker; anything else means the archive was cut short.
    /// </summary>
    public void Complete()
    {
        bool between = _state == State.Header && _blockFill == 0 && _nextPath is null && _nextSize is null && _nextLinkPath is null;
        if (between || _state == State.Trailer)
            return;
        string where = Entry is { } entry && _state is State.Data or State.EntryEnd or State.Padding ? $" inside member '{entry.Name}'" : "";
        throw new TarFormatException($"the archive ends at offset {_offset}{where}, in the middle of a {(_state is State.Data ? "member's data" : "header")}; it was cut short");
    }

    private int Fill(ReadOnlySpan<byte> source, byte[] target, ref int fill)
    {
        int take = Math.Min(target.Length - fill, source.Length);
        source[..take].CopyTo(target.AsSpan(fill));
        fill += take;
        _offset += take;
        return take;
    }

    private TarEventKind? OnHeader()
    {
        ReadOnlySpan<byte> block = _block;
        if (TarHeader.IsZero(block))
        {
            if (_nextPath is not null || _nextSize is not null || _nextLinkPath is not null)
                throw new TarFormatException($"end-of-archive marker at offset {_headerOffset} right after an extended header that names no member");
            _state = State.Trailer;
            return TarEventKind.EndOfArchive;
        }
        TarHeader.Validate(block, _headerOffset);
        byte type = TarHeader.TypeFlag(block);
        long size = TarHeader.Size(block, _headerOffset);
        switch (type)
        {
            case (byte)'x' or (byte)'g' or (byte)'L' or (byte)'K':
                if (size > MaxExtendedHeader)
                    throw new TarFormatException($"extended header at offset {_headerOffset} is {size} bytes; at most {MaxExtendedHeader} are accepted");
                _extendedType = type;
                _extended = new byte[size];
                _extendedFill = 0;
                _padding = Pad(size);
                _state = State.Extended;
                return null;
            case (byte)'0' or 0 or (byte)'5' or (byte)'2':
                return StartEntry(block, type, size);
            default:
                throw new TarFormatException(
                    $"tar member '{TarHeader.Name(block)}' at offset {_headerOffset} has type '{(char)type}', which a PostgreSQL base backup never contains (only files, directories and symlinks)");
        }
    }

    private TarEventKind StartEntry(ReadOnlySpan<byte> block, byte type, long headerSize)
    {
        TarEntryType entryType = type switch { (byte)'5' => TarEntryType.Directory, (byte)'2' => TarEntryType.Symlink, _ => TarEntryType.Regular };
        string name = Normalize(_nextPath ?? TarHeader.Name(block));
        long size = entryType == TarEntryType.Regular ? _nextSize ?? headerSize : 0;
        if (name.Length == 0)
            throw new TarFormatException($"tar member at offset {_headerOffset} has an empty name");
        Entry = new TarEntry(name, entryType, size, TarHeader.Mode(block, _headerOffset),
            DateTimeOffset.FromUnixTimeSeconds(TarHeader.Mtime(block, _headerOffset)),
            entryType == TarEntryType.Symlink ? _nextLinkPath ?? TarHeader.LinkName(block) : "");
        _nextPath = _nextLinkPath = null;
        _nextSize = null;
        _remaining = size;
        _padding = Pad(size);
        _state = size > 0 ? State.Data : State.EntryEnd;
        return TarEventKind.EntryStarted;
    }

    /// <summary>PostgreSQL writes some names as "./pg_wal/…" and directories may end in '/': strip both.</summary>
    private static string Normalize(string name)
    {
        name = name.TrimEnd('/');
        while (name.StartsWith("./", StringComparison.Ordinal))
            name = name[2..];
        return name;
    }

    private static int Pad(long size) => (int)((TarHeader.BlockSize - size % TarHeader.BlockSize) % TarHeader.BlockSize);

    private void ApplyExtended()
    {
        switch (_extendedType)
        {
            case (byte)'L':
                _nextPath = CString(_extended);
                break;
            case (byte)'K':
                _nextLinkPath = CString(_extended);
                break;
            case (byte)'x':
                PaxRecords.Apply(_extended, _headerOffset, ref _nextPath, ref _nextLinkPath, ref _nextSize);
                break;
            // 'g' (global pax header) carries nothing a base backup depends on.
        }
        _extended = [];
    }

    private static string CString(byte[] bytes)
    {
        int end = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }
}
