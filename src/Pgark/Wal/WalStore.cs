using System.Buffers.Binary;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>
/// One cluster's WAL archive in a repository as WAL tools see it (spec §8.2: the objects under its system identifier's
/// directory, and the legacy namespace when that is this cluster's): segments by timeline and number, partials with their
/// valid length, history files. Every write is read back and compared before it counts as durable, because the receiver
/// acknowledges to the server exactly what this class reports stored (spec §8, repository-format.md).
/// </summary>
public sealed partial class WalStore
{
    // ValidLength sits in the WAL object body (spec §8 offset 20) after the 8-byte object header; WAL objects carry
    // envelope flags 0, so the body is not transformed and a 64-byte ranged read describes the object.
    private const int EnvelopeHeaderSize = 8;
    private const int ValidLengthOffset = EnvelopeHeaderSize + 20;
    private const int SegmentSizeOffset = EnvelopeHeaderSize + 16;
    private const int SegmentNumberOffset = EnvelopeHeaderSize + 8;
    private const int OffsetOffset = EnvelopeHeaderSize + 60;

    private readonly Repository.Repository _repository;
    private readonly ulong _systemIdentifier;

    /// <summary>The WAL of cluster <paramref name="systemIdentifier"/> (pg_control's, IDENTIFY_SYSTEM's systemid).</summary>
    public WalStore(Repository.Repository repository, ulong systemIdentifier)
    {
        _repository = repository;
        _systemIdentifier = systemIdentifier;
    }

    public Repository.Repository Repository => _repository;

    /// <summary>The cluster whose WAL this store reads and writes.</summary>
    public ulong SystemIdentifier => _systemIdentifier;

    private WalArchive Archive => _repository.Wal;

    /// <summary>
    /// The archive (optionally one timeline) in WAL order as readers use it: full segments, history files, and per segment in
    /// progress one partial assembled from all its partial and piece objects (<see cref="WalSegmentObject.Parts"/>), whose
    /// valid length is the longest contiguous prefix they hold (spec §8.1). Valid lengths come from object headers.
    /// </summary>
    public async Task<List<WalSegmentObject>> ListAsync(TimelineId? timeline = null, CancellationToken cancellationToken = default)
    {
        List<WalSegmentObject> objects = await ListObjectsAsync(timeline, cancellationToken).ConfigureAwait(false);
        var listed = new List<WalSegmentObject>(objects.Count);
        foreach (IGrouping<(TimelineId, string), WalSegmentObject> file in objects.GroupBy(o => (o.Timeline, o.WalFileName)))
        {
            // A segment or history file stored both in the legacy namespace and in the cluster's directory is one file (§8.2).
            listed.AddRange(file.Where(o => o.Kind is WalKind.Full or WalKind.History).GroupBy(o => o.Kind).Select(k => k.First()));
            List<WalSegmentObject> parts = file.Where(o => o.Kind is WalKind.Partial or WalKind.Piece).ToList();
            if (parts.Count > 0)
                listed.Add(AssemblePartial(parts));
        }
        listed.Sort(s_walOrder);
        return listed;
    }

    /// <summary>Every stored WAL object one by one, pieces included (what a writer cleaning up or a checker needs), in WAL order.</summary>
    public async Task<List<WalSegmentObject>> ListObjectsAsync(TimelineId? timeline = null, CancellationToken cancellationToken = default)
    {
        for (int attempt = 1; ; attempt++)
        {
            IReadOnlyList<WalObjectInfo> infos = await Archive.ListClusterAsync(_systemIdentifier, timeline?.Value, cancellationToken).ConfigureAwait(false);
            var objects = new List<WalSegmentObject>(infos.Count);
            try
            {
                foreach (WalObjectInfo info in infos)
                    objects.Add(await DescribeAsync(info, cancellationToken).ConfigureAwait(false));
            }
            catch (RepositoryObjectMissingException) when (attempt < ListAttempts)
            {
                // A live streamer replaced pieces by a merged piece or by the full segment between the listing and the read
                // (it writes the replacement first, then deletes): a fresh listing shows the replacement. Skipping the vanished
                // object instead could miss both and report a gap that never existed.
                continue;
            }
            objects.Sort(s_walOrder);
            return objects;
        }
    }

    /// <summary>Listings retried when an object vanished under them; each race lasts one delete, so a few suffice.</summary>
    private const int ListAttempts = 5;

    private static readonly Comparison<WalSegmentObject> s_walOrder = static (a, b) => a.Timeline != b.Timeline ? a.Timeline.CompareTo(b.Timeline)
        : a.SegmentNumber != b.SegmentNumber ? a.SegmentNumber.CompareTo(b.SegmentNumber)
        : a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind)
        : a.Offset != b.Offset ? a.Offset.CompareTo(b.Offset) : a.ValidLength.CompareTo(b.ValidLength);

    /// <summary>One partial segment from its partial and piece objects (one segment's, at least one).</summary>
    internal static WalSegmentObject AssemblePartial(List<WalSegmentObject> parts)
    {
        parts.Sort(s_walOrder);
        (int end, List<int> chain) = WalPrefix.Assemble(parts.Select(p => (p.Offset, p.Offset + (int)p.ValidLength)).ToList());
        WalSegmentObject newest = chain.Count > 0 ? parts[chain[^1]] : parts[^1];
        return new WalSegmentObject(newest.ObjectName, newest.WalFileName, WalKind.Partial, newest.Timeline, newest.SegmentNumber, end,
            parts.Sum(p => p.StoredLength)) { Parts = parts };
    }

    internal async Task<WalSegmentObject> DescribeAsync(WalObjectInfo info, CancellationToken cancellationToken)
    {
        var timeline = new TimelineId(info.Timeline);
        if (info.Kind == WalKind.History)
            return new WalSegmentObject(info.FileName, info.WalFileName, info.Kind, timeline, 0, -1, info.Length);
        byte[] header = new byte[EnvelopeHeaderSize + 64];
        int read = await _repository.Store.ReadAsync(info.FileName, 0, header, cancellationToken).ConfigureAwait(false);
        if (read < header.Length || header[4] != (byte)ObjectType.Wal)
        {
            throw new RepositoryCorruptionException(CorruptionCause.Unknown, info.FileName, null,
                "the WAL object is too short or not a WAL object");
        }
        ulong segmentNumber = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(SegmentNumberOffset));
        uint validLength = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(ValidLengthOffset));
        uint offset = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(OffsetOffset));
        if (info.Kind == WalKind.Piece && (offset != info.PieceStart || offset + validLength != info.PieceEnd))
        {
            throw new RepositoryCorruptionException(CorruptionCause.Unknown, info.FileName, null,
                $"the piece's header says bytes {offset}..{offset + validLength} of its segment, its name {info.PieceStart}..{info.PieceEnd}");
        }
        return new WalSegmentObject(info.FileName, info.WalFileName, info.Kind, timeline, segmentNumber, validLength, info.Length) { Offset = (int)offset };
    }

    /// <summary>The segment size recorded in a WAL object's header.</summary>
    public async Task<int> ReadSegmentSizeAsync(WalSegmentObject segment, CancellationToken cancellationToken = default)
    {
        if (segment.Kind != WalKind.Partial)
            return await ReadSegmentSizeAsync(segment.ObjectName, cancellationToken).ConfigureAwait(false);
        // A partial's pieces may be merged or replaced by the full segment under a live streamer: any of them will do, and
        // when all are gone, whatever a fresh listing shows for that segment.
        foreach (string name in segment.Parts.Select(p => p.ObjectName).Reverse().Prepend(segment.ObjectName).Distinct())
        {
            try
            {
                return await ReadSegmentSizeAsync(name, cancellationToken).ConfigureAwait(false);
            }
            catch (RepositoryObjectMissingException)
            {
            }
        }
        return await ReadRelistingAsync(segment, listed: null, current => ReadSegmentSizeAsync(current.ObjectName, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> ReadSegmentSizeAsync(string objectName, CancellationToken cancellationToken)
    {
        byte[] header = new byte[EnvelopeHeaderSize + 24];
        await _repository.Store.ReadAsync(objectName, 0, header, cancellationToken).ConfigureAwait(false);
        return (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(SegmentSizeOffset));
    }

    /// <summary>
    /// Reads a WAL file's bytes, each object verified against its file id and content id. A partial segment is read as its
    /// longest prefix (assembled from <see cref="WalSegmentObject.Parts"/>, or from a fresh listing when the caller built the
    /// description itself): at least <see cref="WalSegmentObject.ValidLength"/> bytes, more if the streamer stored more since.
    /// </summary>
    public async Task<byte[]> ReadAsync(WalSegmentObject segment, CancellationToken cancellationToken = default)
    {
        if (segment.Kind != WalKind.Partial || segment.Parts.Count == 0 && segment.ValidLength == 0)
            return await ReadObjectAsync(segment, cancellationToken).ConfigureAwait(false);
        // The streamer replaces pieces by merged ones and by the full segment while readers read (the replacement first, then
        // the delete): a part gone under the read means a fresh listing shows its replacement. Under a fast streamer that can
        // happen again between the relisting and the read (a clean-clone suite's `status` failed on the second read), so it
        // is retried as ListObjectsAsync retries, not once.
        return await ReadRelistingAsync(segment, segment.Parts.Count > 0 ? segment : null,
            current => ReadCurrentAsync(segment, current, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="read"/> on the segment as <paramref name="listed"/> (null: as a fresh listing shows it), and on a
    /// fresh listing again each time an object vanished under the read, up to <see cref="ListAttempts"/> reads.
    /// </summary>
    private async Task<T> ReadRelistingAsync<T>(WalSegmentObject segment, WalSegmentObject? listed, Func<WalSegmentObject, Task<T>> read,
        CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                WalSegmentObject current = listed ?? await RelistAsync(segment, cancellationToken).ConfigureAwait(false);
                return await read(current).ConfigureAwait(false);
            }
            catch (RepositoryObjectMissingException) when (attempt < ListAttempts)
            {
                listed = null; // replaced between the listing and the read: list again
            }
        }
    }

    private async Task<byte[]> ReadCurrentAsync(WalSegmentObject asked, WalSegmentObject current, CancellationToken cancellationToken)
    {
        byte[] content = current.Kind == WalKind.Full ? await ReadObjectAsync(current, cancellationToken).ConfigureAwait(false)
            : await AssembleAsync(current, cancellationToken).ConfigureAwait(false);
        if (content.Length < asked.ValidLength)
        {
            throw new RepositoryCorruptionException(CorruptionCause.Unknown, asked.ObjectName, null,
                $"WAL {asked.WalFileName} was listed with {asked.ValidLength} bytes, but its stored parts now hold only {content.Length}");
        }
        return content;
    }

    private async Task<WalSegmentObject> RelistAsync(WalSegmentObject segment, CancellationToken cancellationToken)
    {
        List<WalSegmentObject> now = (await ListAsync(segment.Timeline, cancellationToken).ConfigureAwait(false))
            .Where(o => o.WalFileName == segment.WalFileName && o.IsSegment).ToList();
        return now.FirstOrDefault(o => o.Kind == WalKind.Full) ?? now.FirstOrDefault() ?? throw new RepositoryObjectMissingException(segment.ObjectName);
    }

    /// <summary>The prefix of a partial segment: its chain of parts read in order; bytes two parts both hold must agree.</summary>
    private async Task<byte[]> AssembleAsync(WalSegmentObject segment, CancellationToken cancellationToken)
    {
        IReadOnlyList<WalSegmentObject> parts = segment.Parts;
        (int end, List<int> chain) = WalPrefix.Assemble(parts.Select(p => (p.Offset, p.Offset + (int)p.ValidLength)).ToList());
        byte[] content = new byte[end];
        int filled = 0;
        foreach (int index in chain)
        {
            WalSegmentObject part = parts[index];
            byte[] bytes = await ReadObjectAsync(part, cancellationToken).ConfigureAwait(false);
            int overlap = filled - part.Offset;
            if (bytes.Length != part.ValidLength || !bytes.AsSpan(0, overlap).SequenceEqual(content.AsSpan(part.Offset, overlap)))
            {
                throw new RepositoryCorruptionException(CorruptionCause.Unknown, part.ObjectName, null,
                    $"WAL {segment.WalFileName}: bytes {part.Offset}..{filled} differ between this object and the one before it");
            }
            bytes.AsSpan(overlap).CopyTo(content.AsSpan(filled));
            filled = part.Offset + bytes.Length;
        }
        return content;
    }

    /// <summary>One object's bytes (a piece: its range only), verified.</summary>
    internal Task<byte[]> ReadObjectAsync(WalSegmentObject stored, CancellationToken cancellationToken)
        => Archive.ReadAsync(new WalObjectInfo(stored.ObjectName, stored.Kind, stored.Timeline.Value, stored.WalFileName, stored.StoredLength)
        {
            PieceStart = stored.Offset,
            PieceEnd = stored.Kind == WalKind.Piece ? stored.Offset + (int)stored.ValidLength : 0,
        }, cancellationToken);
}
