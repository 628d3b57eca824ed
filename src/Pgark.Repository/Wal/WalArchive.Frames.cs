using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Objects;

namespace Pgark.Repository.Wal;

public sealed partial class WalArchive
{
    /// <summary>
    /// Archives a complete segment from its <see cref="WalSegmentFrames"/> (every frame added): the same Full object
    /// <see cref="ArchiveSegmentAsync"/> writes, built from frames compressed as they arrived. In an unencrypted repository the
    /// object is completed inside the frames' buffer (no copy of the segment); sealed frames go to the object buffer.
    /// </summary>
    public async Task<string> ArchiveSegmentFramesAsync(ulong systemIdentifier, uint timeline, ulong segmentNumber, WalSegmentFrames frames,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.PlainLength != frames.SegmentSize)
            throw new ArgumentException($"a complete segment has {frames.SegmentSize} bytes, the frames hold {frames.PlainLength}", nameof(frames));
        var objectName = $"{SegmentFileName(timeline, segmentNumber, frames.SegmentSize)}.full.";
        var prefix = ClusterDirectory(systemIdentifier) + objectName;
        var contentId = frames.ContentId();
        if (await FindArchivedAsync(systemIdentifier, objectName, contentId, cancellationToken).ConfigureAwait(false) is { } existing)
            return existing;
        var header = new WalObjectHeader(WalKind.Full, timeline, segmentNumber, frames.SegmentSize, frames.SegmentSize, contentId, 0);
        return await PutFramesAsync(prefix, header, frames, 0, frames.Count, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Archives frame <paramref name="frameIndex"/> of a segment in progress as the piece holding exactly that frame (spec §8.1):
    /// how a streamer persists a frame the moment it completes without compressing it twice. <paramref name="contentId"/> is the
    /// frame's chunk id (<see cref="WalSegmentFrames.AddAsync"/> returns it).
    /// </summary>
    public Task<string> ArchiveFramePieceAsync(ulong systemIdentifier, uint timeline, ulong segmentNumber, WalSegmentFrames frames, int frameIndex,
        ChunkId contentId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentOutOfRangeException.ThrowIfNegative(frameIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frameIndex, frames.Count);
        var start = frameIndex * FormatConstants.WalFrameSize;
        var end = start + FormatConstants.WalFrameSize;
        var prefix = $"{ClusterDirectory(systemIdentifier)}{SegmentFileName(timeline, segmentNumber, frames.SegmentSize)}.{PieceKindName(start, end)}.";
        var header = new WalObjectHeader(WalKind.Piece, timeline, segmentNumber, frames.SegmentSize, end - start, contentId, start);
        return PutFramesAsync(prefix, header, frames, frameIndex, 1, cancellationToken);
    }

    private readonly record struct WalObjectHeader(WalKind Kind, uint Timeline, ulong SegmentNumber, int SegmentSize, int ValidLength, ChunkId ContentId,
        int Offset);

    private async Task<string> PutFramesAsync(string prefix, WalObjectHeader header, WalSegmentFrames frames, int first, int count,
        CancellationToken cancellationToken)
    {
        var (file, rented, name) = await WalEncoderThread.RunAsync(() => EncodeFrames(prefix, header, frames, first, count)).ConfigureAwait(false);
        try
        {
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
            if (rented is not null)
                ReturnObjectBuffer(rented);
        }
    }

    /// <summary>
    /// Writes the object from already-compressed frames (sealing them with this object's associated data when the repository is
    /// encrypted) and verifies it before it is published; runs on <see cref="WalEncoderThread"/>.
    /// </summary>
    private (ReadOnlyMemory<byte> File, byte[]? Rented, string Name) EncodeFrames(string prefix, WalObjectHeader header, WalSegmentFrames frames,
        int first, int count)
    {
        var codec = _repository.Codec;
        Memory<byte> file;
        byte[]? rented = null;
        var inPlace = !codec.Encrypted && first == 0 && count == frames.SegmentSize / FormatConstants.WalFrameSize;
        try
        {
            if (inPlace)
            {
                // The frames already sit after room for exactly this object's headers.
                file = frames.ObjectSpace;
                WriteHeaders(file.Span, header, frames, first, count, storedLengths: null);
            }
            else
            {
                var sealedFrames = new byte[]?[count];
                var length = s_envelopeHeader.Length + WalObject.FixedSize + count * WalObject.FrameEntrySize;
                for (var i = 0; i < count; i++)
                {
                    var (payload, _, _) = frames.Frame(first + i);
                    sealedFrames[i] = codec.Encrypted ? codec.Seal(payload.Span, WalObject.Aad(header.ContentId, i)).ToArray() : null;
                    length += sealedFrames[i]?.Length ?? payload.Length;
                }
                rented = TakeObjectBuffer(length);
                file = rented.AsMemory(0, length);
                var at = WriteHeaders(file.Span, header, frames, first, count, sealedFrames);
                for (var i = 0; i < count; i++)
                {
                    ReadOnlySpan<byte> stored = sealedFrames[i] ?? frames.Frame(first + i).Payload.Span;
                    stored.CopyTo(file.Span[at..]);
                    at += stored.Length;
                }
            }
            var name = prefix + ChunkHasher.FileId(file.Span);
            try
            {
                WalObject.VerifyFrames(file.Span[ObjectEnvelope.HeaderSize..], header.Kind, header.ValidLength, header.ContentId, header.Offset, codec,
                    _repository.Hasher);
            }
            catch (InvalidDataException e)
            {
                throw NotPublishable(name, e);
            }
            return (file, rented, name);
        }
        catch
        {
            if (rented is not null)
                ReturnObjectBuffer(rented);
            throw;
        }
    }

    /// <summary>Envelope header, body header and frame table; returns where the stored frames start.</summary>
    private static int WriteHeaders(Span<byte> file, WalObjectHeader header, WalSegmentFrames frames, int first, int count, byte[]?[]? storedLengths)
    {
        s_envelopeHeader.CopyTo(file);
        var body = file[s_envelopeHeader.Length..];
        WalObject.WriteHeader(body, header.Kind, header.Timeline, header.SegmentNumber, header.SegmentSize, header.ValidLength, header.ContentId,
            header.Offset, count);
        for (var i = 0; i < count; i++)
        {
            var (payload, plain, flags) = frames.Frame(first + i);
            var stored = storedLengths?[i]?.Length ?? payload.Length;
            WalObject.WriteFrameEntry(body.Slice(WalObject.FixedSize + i * WalObject.FrameEntrySize), plain, stored, flags);
        }
        return s_envelopeHeader.Length + WalObject.FixedSize + count * WalObject.FrameEntrySize;
    }
}
