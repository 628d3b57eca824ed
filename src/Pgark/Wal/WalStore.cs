using System.Buffers.Binary;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>
/// The WAL archive of a repository as WAL tools see it: segments by timeline and number, partials with their valid
/// length, history files. Every write is read back and compared before it counts as durable, because the receiver
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

    private readonly Repository.Repository _repository;

    public WalStore(Repository.Repository repository) => _repository = repository;

    public Repository.Repository Repository => _repository;

    private WalArchive Archive => _repository.Wal;

    /// <summary>Every WAL object (optionally of one timeline), in WAL order, with valid lengths read from object headers.</summary>
    public async Task<List<WalSegmentObject>> ListAsync(TimelineId? timeline = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<WalObjectInfo> infos = await Archive.ListAsync(timeline?.Value, cancellationToken).ConfigureAwait(false);
        var objects = new List<WalSegmentObject>(infos.Count);
        foreach (WalObjectInfo info in infos)
            objects.Add(await DescribeAsync(info, cancellationToken).ConfigureAwait(false));
        objects.Sort(static (a, b) => a.Timeline != b.Timeline ? a.Timeline.CompareTo(b.Timeline)
            : a.SegmentNumber != b.SegmentNumber ? a.SegmentNumber.CompareTo(b.SegmentNumber)
            : a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : a.ValidLength.CompareTo(b.ValidLength));
        return objects;
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
        return new WalSegmentObject(info.FileName, info.WalFileName, info.Kind, timeline, segmentNumber, validLength, info.Length);
    }

    /// <summary>The segment size recorded in a WAL object's header.</summary>
    public async Task<int> ReadSegmentSizeAsync(WalSegmentObject segment, CancellationToken cancellationToken = default)
    {
        byte[] header = new byte[EnvelopeHeaderSize + 24];
        await _repository.Store.ReadAsync(segment.ObjectName, 0, header, cancellationToken).ConfigureAwait(false);
        return (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(SegmentSizeOffset));
    }

    /// <summary>Reads an object's WAL bytes, verified against its file id and content id.</summary>
    public Task<byte[]> ReadAsync(WalSegmentObject segment, CancellationToken cancellationToken = default)
        => Archive.ReadAsync(new WalObjectInfo(segment.ObjectName, segment.Kind, segment.Timeline.Value, segment.WalFileName, segment.StoredLength),
            cancellationToken);
}
