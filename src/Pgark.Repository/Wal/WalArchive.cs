using System.Buffers.Binary;
using System.Globalization;
using Pgark.Repository.Format;
using Pgark.Repository.Objects;

namespace Pgark.Repository.Wal;

/// <summary>A WAL object as its name describes it (no read needed to list an archive).</summary>
public sealed record WalObjectInfo(string FileName, WalKind Kind, uint Timeline, string WalFileName, long Length)
{
    /// <summary>A piece's first byte within its segment, from its name (0 for the other kinds).</summary>
    public int PieceStart { get; init; }

    /// <summary>Just past a piece's last byte within its segment, from its name (0 for the other kinds).</summary>
    public int PieceEnd { get; init; }

    /// <summary>
    /// The cluster whose directory, <c>wal/&lt;SYSID16&gt;/</c>, holds the object; null for the legacy namespace directly under
    /// <c>wal/</c>, which belongs to the cluster <see cref="WalArchive.LegacySystemIdentifierAsync"/> names (spec §8.2).
    /// </summary>
    public ulong? SystemIdentifier { get; init; }
}

/// <summary>
/// Continuous WAL archive (spec §8): each completed or partial segment and each timeline history file is one
/// self-contained object under <c>wal/&lt;SYSID16&gt;/</c>, the directory of its cluster (§8.2), named by PostgreSQL's WAL
/// file name, so archiving never touches the index and listing never reads snapshots. Objects directly under <c>wal/</c>
/// (the legacy namespace, written before clusters had directories) are read as the WAL of the one cluster their first
/// segment names. Callers archiving continuously hold a shared lock (<c>archive-wal</c>).
/// </summary>
public sealed partial class WalArchive
{
    public const string Directory = "wal/";
    private static readonly byte[] s_envelopeHeader = ObjectEnvelope.Encode(ObjectType.Wal, [], compress: false, box: null);
    private static readonly System.Buffers.SearchValues<char> s_upperHex = System.Buffers.SearchValues.Create("0123456789ABCDEF");
    private readonly Repository _repository;

    internal WalArchive(Repository repository) => _repository = repository;

    /// <summary>A cluster's WAL directory, <c>wal/&lt;SYSID16&gt;/</c>: its system identifier in 16 upper-case hex digits.</summary>
    public static string ClusterDirectory(ulong systemIdentifier) => string.Create(CultureInfo.InvariantCulture, $"{Directory}{systemIdentifier:X16}/");

    /// <summary>PostgreSQL's file name of a segment: TLI, then log and segment numbers, 8 upper-case hex digits each.</summary>
    public static string SegmentFileName(uint timeline, ulong segmentNumber, int segmentSize)
    {
        if (segmentSize <= 0 || !int.IsPow2(segmentSize) || segmentSize > 1 << 30 || segmentSize < 1 << 20)
            throw new ArgumentOutOfRangeException(nameof(segmentSize), "wal_segment_size is a power of two between 1 MiB and 1 GiB");
        var segmentsPerLog = 0x1_0000_0000UL / (ulong)segmentSize;
        return $"{timeline:X8}{segmentNumber / segmentsPerLog:X8}{segmentNumber % segmentsPerLog:X8}";
    }

    /// <summary>Archives a completed (or, with <paramref name="partial"/>, an incomplete) segment; returns its object name.</summary>
    public async Task<string> ArchiveSegmentAsync(ulong systemIdentifier, uint timeline, ulong segmentNumber, int segmentSize, ReadOnlyMemory<byte> content,
        bool partial, CancellationToken cancellationToken = default)
    {
        if (!partial && content.Length != segmentSize)
            throw new ArgumentException($"a complete segment has {segmentSize} bytes, got {content.Length}", nameof(content));
        if (content.Length > segmentSize)
            throw new ArgumentException($"{content.Length} bytes exceed the segment size {segmentSize}", nameof(content));
        var kind = partial ? WalKind.Partial : WalKind.Full;
        var objectName = $"{SegmentFileName(timeline, segmentNumber, segmentSize)}.{(partial ? "partial" : "full")}.";
        var prefix = ClusterDirectory(systemIdentifier) + objectName;
        if (!partial && await FindArchivedAsync(systemIdentifier, objectName, _repository.Hasher.Compute(content.Span), cancellationToken)
                .ConfigureAwait(false) is { } existing)
            return existing;
        return await PutAsync(prefix, kind, timeline, segmentNumber, segmentSize, content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A complete segment already archived for this cluster with <paramref name="contentId"/> (re-archiving it is a no-op), in
    /// its directory or in the legacy namespace when that is this cluster's (spec §8.2); another content under the name fails.
    /// </summary>
    private async Task<string?> FindArchivedAsync(ulong systemIdentifier, string objectName, Ids.ChunkId contentId, CancellationToken cancellationToken)
    {
        if (await FindExistingAsync(ClusterDirectory(systemIdentifier) + objectName, contentId, cancellationToken).ConfigureAwait(false) is { } existing)
            return existing;
        return await LegacySystemIdentifierAsync(cancellationToken).ConfigureAwait(false) == systemIdentifier
            ? await FindExistingAsync(Directory + objectName, contentId, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>
    /// Archives bytes [<paramref name="offset"/>, offset + length) of a segment in progress as a piece (spec §8.1), so a
    /// streamer persists only what is new; readers assemble pieces and partials into the segment's longest prefix.
    /// </summary>
    public Task<string> ArchivePieceAsync(ulong systemIdentifier, uint timeline, ulong segmentNumber, int segmentSize, int offset,
        ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        if (content.IsEmpty || offset < 0 || (long)offset + content.Length > segmentSize)
            throw new ArgumentException($"a piece of {content.Length} bytes at {offset} does not fit a segment of {segmentSize}", nameof(content));
        var prefix = $"{ClusterDirectory(systemIdentifier)}{SegmentFileName(timeline, segmentNumber, segmentSize)}.{PieceKindName(offset, offset + content.Length)}.";
        return PutAsync(prefix, WalKind.Piece, timeline, segmentNumber, segmentSize, content, cancellationToken, offset);
    }

    /// <summary>The middle part of a piece's name: <c>piece-SSSSSSSS-EEEEEEEE</c>, its byte range in 8 upper-case hex digits each.</summary>
    public static string PieceKindName(int start, int end) => $"piece-{start:X8}-{end:X8}";

    /// <summary>
    /// Archiving a complete segment twice is a no-op when the content is the same (sealed objects differ byte-wise, so the
    /// ContentId in the plaintext object header decides), and a conflict when it is not: archive_command must then fail.
    /// </summary>
    private async Task<string?> FindExistingAsync(string prefix, Ids.ChunkId contentId, CancellationToken cancellationToken)
    {
        await foreach (var info in _repository.Store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var header = new byte[ObjectEnvelope.HeaderSize + WalObject.FixedSize];
            var read = await _repository.Store.ReadAsync(info.Name, 0, header, cancellationToken).ConfigureAwait(false);
            if (read == header.Length && new Ids.ChunkId(header.AsSpan(ObjectEnvelope.HeaderSize + 24, 32)) == contentId)
                return info.Name;
            throw new WalSegmentConflictException(info.Name);
        }
        return null;
    }

    /// <summary>Archives a timeline history file (e.g. 00000002.history).</summary>
    public Task<string> ArchiveHistoryAsync(ulong systemIdentifier, uint timeline, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
        => PutAsync($"{ClusterDirectory(systemIdentifier)}{timeline:X8}.history.", WalKind.History, timeline, 0, 0, content, cancellationToken);

    /// <summary>
    /// Lists the whole archive, every cluster's directory and the legacy namespace (optionally one timeline), from names alone:
    /// what check and verify need. Readers of WAL use <see cref="ListClusterAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<WalObjectInfo>> ListAsync(uint? timeline = null, CancellationToken cancellationToken = default)
    {
        var objects = new List<WalObjectInfo>();
        await foreach (var info in _repository.Store.ListAsync(Directory, cancellationToken).ConfigureAwait(false))
        {
            if (TryParseName(info.Name, info.Length) is { } parsed && (timeline is null || parsed.Timeline == timeline))
                objects.Add(parsed);
        }
        return objects;
    }

    /// <summary>
    /// One cluster's WAL (optionally one timeline) from names alone: its directory, plus the legacy namespace when that is this
    /// cluster's (spec §8.2). Objects of a segment may come from both; readers assemble them as one (§8.1).
    /// </summary>
    public async Task<IReadOnlyList<WalObjectInfo>> ListClusterAsync(ulong systemIdentifier, uint? timeline = null, CancellationToken cancellationToken = default)
    {
        var all = await ListAsync(timeline, cancellationToken).ConfigureAwait(false);
        var includeLegacy = all.Any(o => o.SystemIdentifier is null)
            && await LegacySystemIdentifierAsync(cancellationToken).ConfigureAwait(false) == systemIdentifier;
        return all.Where(o => o.SystemIdentifier == systemIdentifier || (includeLegacy && o.SystemIdentifier is null)).ToList();
    }

    /// <summary>The clusters the archive holds WAL of, ascending: the <c>wal/&lt;SYSID16&gt;/</c> directories with objects and the legacy namespace's.</summary>
    public async Task<IReadOnlyList<ulong>> ListClustersAsync(CancellationToken cancellationToken = default)
    {
        var all = await ListAsync(null, cancellationToken).ConfigureAwait(false);
        var clusters = new SortedSet<ulong>(all.Where(o => o.SystemIdentifier is not null).Select(o => o.SystemIdentifier!.Value));
        if (all.Any(o => o.SystemIdentifier is null) && await LegacySystemIdentifierAsync(cancellationToken).ConfigureAwait(false) is { } legacy)
            clusters.Add(legacy);
        return [.. clusters];
    }

    /// <summary>
    /// The cluster the legacy namespace (objects directly under <c>wal/</c>) belongs to: <c>xlp_sysid</c> in the long page header
    /// of its first segment object in WAL order (spec §8.2); null when it has none, or that object's first page is no long header.
    /// Remembered once found: no writer adds to the legacy namespace, and all of it is one cluster's.
    /// </summary>
    public async Task<ulong?> LegacySystemIdentifierAsync(CancellationToken cancellationToken = default)
    {
        if (_legacySystemIdentifier is { } known)
            return known;
        var first = InAttributionOrder((await ListAsync(null, cancellationToken).ConfigureAwait(false))
            .Where(o => o.SystemIdentifier is null && IsSegmentStart(o))).FirstOrDefault();
        if (first is null)
            return null;
        var content = await ReadAsync(first, cancellationToken).ConfigureAwait(false);
        if (content.Length < LongHeaderSize || (BinaryPrimitives.ReadUInt16LittleEndian(content.AsSpan(XlpInfoOffset)) & XlpLongHeader) == 0)
            return null;
        _legacySystemIdentifier = BinaryPrimitives.ReadUInt64LittleEndian(content.AsSpan(XlpSysidOffset));
        return _legacySystemIdentifier;
    }

    private ulong? _legacySystemIdentifier;

    /// <summary>
    /// <paramref name="names"/> less the one object a writer must keep (spec §8.2): the legacy namespace's cluster is known only
    /// from its segment objects, so the last of them stays while legacy history files remain, or those would belong to no
    /// cluster and a restore across their timeline switch would find no history. Costs a listing only when a legacy object is
    /// among the names.
    /// </summary>
    public async Task<IReadOnlyList<string>> WithoutLegacyAnchorAsync(IReadOnlyList<string> names, CancellationToken cancellationToken = default)
    {
        if (!names.Any(IsLegacyName))
            return names;
        var deleting = names.ToHashSet(StringComparer.Ordinal);
        var legacy = (await ListAsync(null, cancellationToken).ConfigureAwait(false)).Where(o => o.SystemIdentifier is null).ToList();
        if (!legacy.Any(o => o.Kind == WalKind.History) || legacy.Any(o => IsSegmentStart(o) && !deleting.Contains(o.FileName)))
            return names;
        var keep = InAttributionOrder(legacy.Where(o => IsSegmentStart(o) && deleting.Contains(o.FileName))).FirstOrDefault();
        return keep is null ? names : names.Where(n => n != keep.FileName).ToList();
    }

    /// <summary>An object whose bytes begin at its segment's first byte, so its first page is the long header naming the system.</summary>
    private static bool IsSegmentStart(WalObjectInfo o) => o.Kind != WalKind.History && o.PieceStart == 0;

    /// <summary>Spec §8.2's order for picking the legacy namespace's first segment object: timeline, segment, kind, file id.</summary>
    private static IEnumerable<WalObjectInfo> InAttributionOrder(IEnumerable<WalObjectInfo> objects) =>
        objects.OrderBy(o => o.Timeline).ThenBy(o => o.WalFileName, StringComparer.Ordinal).ThenBy(o => o.Kind)
            .ThenBy(o => o.FileName[^64..], StringComparer.Ordinal);

    private static bool IsLegacyName(string name) =>
        name.StartsWith(Directory, StringComparison.Ordinal) && name.IndexOf('/', Directory.Length) < 0;

    // PostgreSQL's XLogLongPageHeaderData at a segment's first byte: xlp_info u16 at 2 (XLP_LONG_HEADER = 0x0002), xlp_sysid u64
    // at 24, 40 bytes in all. The repository layer reads only the system identifier, to attribute the legacy namespace (§8.2).
    private const int XlpInfoOffset = 2;
    private const int XlpSysidOffset = 24;
    private const int LongHeaderSize = 40;
    private const ushort XlpLongHeader = 0x0002;

    /// <summary>The system identifier in a segment's first page, or null when it does not start with a long page header.</summary>
    public static ulong? SystemIdentifierOf(ReadOnlySpan<byte> segmentStart)
        => segmentStart.Length >= LongHeaderSize && (BinaryPrimitives.ReadUInt16LittleEndian(segmentStart[XlpInfoOffset..]) & XlpLongHeader) != 0
            ? BinaryPrimitives.ReadUInt64LittleEndian(segmentStart[XlpSysidOffset..]) : null;

    /// <summary>Reads a WAL object back, verified (file id, frames, content id; for a piece, the range its name gives).</summary>
    public async Task<byte[]> ReadAsync(WalObjectInfo walObject, CancellationToken cancellationToken = default)
    {
        var body = await _repository.LoadObjectAsync(walObject.FileName, ObjectType.Wal, cancellationToken).ConfigureAwait(false);
        return Repository.Decode(walObject.FileName, body, b =>
        {
            var decoded = WalObject.DecodeBody(b, _repository.Codec, _repository.Hasher);
            // The name is what listing trusts (a piece's range is never read from its header), so it must agree with the body.
            if (walObject.Kind == WalKind.Piece && (decoded.Kind != WalKind.Piece || decoded.Offset != walObject.PieceStart
                || decoded.Offset + decoded.Content.Length != walObject.PieceEnd))
            {
                throw new InvalidDataException($"the piece holds bytes {decoded.Offset}..{decoded.Offset + decoded.Content.Length} of its segment, "
                    + $"its name says {walObject.PieceStart}..{walObject.PieceEnd}");
            }
            return decoded.Content;
        });
    }

    internal static WalObjectInfo? TryParseName(string name, long length)
    {
        // wal/<SYSID16>/<object> for a cluster's directory, wal/<object> for the legacy namespace (spec §8.2).
        var local = name.AsSpan(Directory.Length);
        ulong? systemIdentifier = null;
        var slash = local.IndexOf('/');
        if (slash >= 0)
        {
            if (slash != 16 || local[..16].ContainsAnyExcept(s_upperHex)
                || !ulong.TryParse(local[..16], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var parsedId))
                return null;
            systemIdentifier = parsedId;
            local = local[17..];
        }
        if (local.Contains('/'))
            return null;
        return TryParseObjectName(name, local.ToString(), length) is { } info ? info with { SystemIdentifier = systemIdentifier } : null;
    }

    private static WalObjectInfo? TryParseObjectName(string name, string local, long length)
    {
        var parts = local.Split('.');
        if (parts.Length != 3 || parts[2].Length != 64)
            return null;
        var kind = parts[1] switch
        {
            "full" => WalKind.Full,
            "partial" => WalKind.Partial,
            "history" => WalKind.History,
            _ when parts[1].StartsWith("piece-", StringComparison.Ordinal) => WalKind.Piece,
            _ => (WalKind)0,
        };
        var expectedLength = kind == WalKind.History ? 8 : 24;
        if (kind == 0 || parts[0].Length != expectedLength
            || !uint.TryParse(parts[0][..8], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var timeline))
            return null;
        var info = new WalObjectInfo(name, kind, timeline, kind == WalKind.History ? parts[0] + ".history" : parts[0], length);
        if (kind != WalKind.Piece)
            return info;
        // piece-SSSSSSSS-EEEEEEEE: a non-empty range within a segment (at most 1 GiB).
        var range = parts[1];
        if (range.Length != 23 || range[14] != '-' || !TryParseHex8(range.AsSpan(6, 8), out var start) || !TryParseHex8(range.AsSpan(15, 8), out var end)
            || start >= end || end > 1 << 30)
            return null;
        return info with { PieceStart = start, PieceEnd = end };
    }

    private static bool TryParseHex8(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        if (text.ContainsAnyExcept(s_upperHex) || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var parsed) || parsed > int.MaxValue)
            return false;
        value = (int)parsed;
        return true;
    }

    private async Task<string> PutAsync(string prefix, WalKind kind, uint timeline, ulong segmentNumber, int segmentSize,
        ReadOnlyMemory<byte> content, CancellationToken cancellationToken, int offset = 0)
    {
        var (contentId, rented, length, name) = await WalEncoderThread.RunAsync(() => Encode(prefix, kind, timeline, segmentNumber, segmentSize, content.Span, offset))
            .ConfigureAwait(false);
        try
        {
            var file = rented.AsMemory(0, length);
            try
            {
                await _repository.Store.PutAsync(name, file, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobAlreadyExistsException)
            {
                // Content-addressed: the same name holds the same bytes unless it was damaged, which check reports.
            }
            return name;
        }
        finally
        {
            // The store has the bytes (or failed): nothing keeps the buffer past this point.
            ReturnObjectBuffer(rented);
        }
    }

    /// <summary>Hashes, encodes and verifies (verify before publish) one object; runs on <see cref="WalEncoderThread"/>.</summary>
    private (Ids.ChunkId ContentId, byte[] Buffer, int Length, string Name) Encode(string prefix, WalKind kind, uint timeline, ulong segmentNumber, int segmentSize,
        ReadOnlySpan<byte> content, int offset)
    {
        if (!_repository.Codec.Encrypted)
            return EncodeUnsealed(prefix, kind, timeline, segmentNumber, segmentSize, content, offset);
        var contentId = _repository.Hasher.Compute(content);
        var (frames, length) = WalObject.EncodeFrames(s_envelopeHeader.Length, content, contentId, _repository.Codec);
        var buffer = TakeObjectBuffer(length);
        try
        {
            WalObject.Write(buffer.AsSpan(0, length), s_envelopeHeader, kind, timeline, segmentNumber, segmentSize, content.Length, contentId, offset, frames);
            var file = buffer.AsSpan(0, length);
            var name = prefix + Ids.ChunkHasher.FileId(file);
            VerifyBeforePublish(name, file, kind, content, contentId, offset);
            return (contentId, buffer, length, name);
        }
        catch
        {
            ReturnObjectBuffer(buffer);
            throw;
        }
    }

    /// <summary>
    /// <see cref="Encode"/> for an unencrypted repository: frames are compressed straight into the object buffer behind room for
    /// the headers (their count is known from the length), so a streamer's flush allocates no frame arrays.
    /// </summary>
    private (Ids.ChunkId ContentId, byte[] Buffer, int Length, string Name) EncodeUnsealed(string prefix, WalKind kind, uint timeline,
        ulong segmentNumber, int segmentSize, ReadOnlySpan<byte> content, int offset)
    {
        var codec = _repository.Codec;
        var frameCount = (content.Length + FormatConstants.WalFrameSize - 1) / FormatConstants.WalFrameSize;
        var head = s_envelopeHeader.Length + WalObject.FixedSize + frameCount * WalObject.FrameEntrySize;
        var capacity = (long)head;
        for (var at = 0; at < content.Length; at += FormatConstants.WalFrameSize)
            capacity += Packs.StoredChunkCodec.CompressBound(Math.Min(FormatConstants.WalFrameSize, content.Length - at));
        var contentId = _repository.Hasher.Compute(content);
        var buffer = TakeObjectBuffer(checked((int)capacity));
        try
        {
            var end = head;
            var body = buffer.AsSpan(s_envelopeHeader.Length);
            for (var i = 0; i < frameCount; i++)
            {
                var plain = content.Slice(i * FormatConstants.WalFrameSize, Math.Min(FormatConstants.WalFrameSize, content.Length - i * FormatConstants.WalFrameSize));
                var stored = codec.Compress(plain, buffer.AsSpan(end), out var flags);
                WalObject.WriteFrameEntry(body.Slice(WalObject.FixedSize + i * WalObject.FrameEntrySize), plain.Length, stored, flags);
                end += stored;
            }
            s_envelopeHeader.CopyTo(buffer);
            WalObject.WriteHeader(body, kind, timeline, segmentNumber, segmentSize, content.Length, contentId, offset, frameCount);
            var file = buffer.AsSpan(0, end);
            var name = prefix + Ids.ChunkHasher.FileId(file);
            VerifyBeforePublish(name, file, kind, content, contentId, offset);
            return (contentId, buffer, end, name);
        }
        catch
        {
            ReturnObjectBuffer(buffer);
            throw;
        }
    }

    /// <summary>
    /// Verify before publish, as for packs: the object must decode back to the same bytes. The envelope header is the constant
    /// one of an unencrypted, uncompressed object (WAL frames carry their own compression and sealing).
    /// </summary>
    private void VerifyBeforePublish(string name, ReadOnlySpan<byte> file, WalKind kind, ReadOnlySpan<byte> content, Ids.ChunkId contentId, int offset)
    {
        try
        {
            WalObject.Verify(file[ObjectEnvelope.HeaderSize..], kind, content, contentId, offset, _repository.Codec);
        }
        catch (InvalidDataException e)
        {
            throw NotPublishable(name, e);
        }
    }

    private static RepositoryCorruptionException NotPublishable(string name, InvalidDataException e) =>
        new(CorruptionCause.WriterBug, name, null, $"WAL object did not survive verify-before-publish: {e.Message}", e);

    // One object buffer kept for the next object (a streamer stores one at a time), sized up in whole MiB so that a run of
    // slightly larger objects does not allocate each time: resident memory then holds the largest object, not one per object.
    // Pinned (never compacted), so the pages of its room for the worst case that no object used stay out of resident memory.
    private byte[]? _objectBuffer;

    private byte[] TakeObjectBuffer(int length)
    {
        var buffer = Interlocked.Exchange(ref _objectBuffer, null);
        return buffer is not null && buffer.Length >= length ? buffer : GC.AllocateUninitializedArray<byte>((length + (1 << 20) - 1) & ~((1 << 20) - 1), pinned: true);
    }

    private void ReturnObjectBuffer(byte[] buffer)
    {
        // Two concurrent writers (not the streamer, which waits for each object) may both return one: keep the larger.
        var kept = Volatile.Read(ref _objectBuffer);
        if (kept is null || kept.Length < buffer.Length)
            Volatile.Write(ref _objectBuffer, buffer);
    }
}
