using System.Buffers;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository;

// Restore's reconstruction of an extent stored as a page delta (spec §7.5), in pooled buffers: the base chunk is
// decompressed straight into the buffer the writer gets, the delta's changed pages are copied over it, and every page is
// checked against its hash, as ReadExtentAsync does with fresh arrays (which cost four 256 KiB large-object allocations
// per extent, 410 MiB for a 786 MiB restore, and a gen-2 collection every few dozen extents).
// The chunks read on the way are not hashed against their ids: the page hashes check every byte of the result, which is
// all the restore writes, and hashing the base and the delta as well was a third of a restore's CPU after a pgbench run
// (BLAKE3 over each base extent, then over the result). Only when a page does not match (or a chunk does not decode) is
// the extent read again with every chunk checked against its id, which names the damaged object.
public sealed partial class Repository
{
    /// <summary>An extent whose object is a page delta, reconstructed and verified; the piece is pooled.</summary>
    private async Task<Piece> ReadDeltaExtentAsync(FileEntry file, int index, ExtentRef extent, CancellationToken cancellationToken)
    {
        var expectedLength = file.ExtentLength(index);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, expectedLength));
        var ok = false;
        try
        {
            try
            {
                await ReconstructCheckedAsync(file, index, extent, buffer.AsMemory(0, expectedLength), checkIds: false, cancellationToken).ConfigureAwait(false);
            }
            catch (RepositoryException)
            {
                await ReconstructCheckedAsync(file, index, extent, buffer.AsMemory(0, expectedLength), checkIds: true, cancellationToken).ConfigureAwait(false);
            }
            ok = true;
            return new Piece(buffer, expectedLength, Pooled: true);
        }
        finally
        {
            if (!ok)
                ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task ReconstructCheckedAsync(FileEntry file, int index, ExtentRef extent, Memory<byte> target, bool checkIds,
        CancellationToken cancellationToken)
    {
        var length = await ReconstructIntoAsync(extent.ObjectId, target, 0, checkIds, cancellationToken).ConfigureAwait(false);
        CheckReconstructed(file, index, extent, length, target.Length, target.Span);
    }

    /// <summary>
    /// Fills <paramref name="target"/> with an extent object's bytes (a data chunk, or a delta applied to its base) cut or
    /// zero-extended to the target's length, which is how a base takes its place under the delta built on it. Returns the
    /// object's own length. With <paramref name="checkIds"/> every chunk read is checked against its id.
    /// </summary>
    private async Task<int> ReconstructIntoAsync(ChunkId objectId, Memory<byte> target, int depth, bool checkIds, CancellationToken cancellationToken)
    {
        if (depth > FormatConstants.MaxReaderDeltaDepth)
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "index/", objectId.ToString(),
                $"page delta chain is deeper than {FormatConstants.MaxReaderDeltaDepth} (or a cycle)");
        if (!Index.TryGet(objectId, out var location))
            throw new RepositoryObjectMissingException("index/", objectId.ToString(), "extent object is not in the index");
        if (location.Entry.Kind == ChunkKind.Data)
        {
            if (location.Entry.PlainLength == target.Length)
            {
                await DecodeIntoAsync(location, target, checkIds, cancellationToken).ConfigureAwait(false);
                return target.Length;
            }
            var chunk = await ReadPooledAsync(location, cancellationToken, checkIds).ConfigureAwait(false);
            try
            {
                FitInto(chunk.Buffer.AsSpan(0, chunk.Length), target.Span);
                return chunk.Length;
            }
            finally
            {
                chunk.Return();
            }
        }
        if (location.Entry.Kind != ChunkKind.PageDelta)
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, location.PackFileName, objectId.ToString(),
                $"extent object is a {location.Entry.Kind} chunk");
        var delta = await ReadPooledAsync(location, cancellationToken, checkIds).ConfigureAwait(false);
        try
        {
            var (baseId, extentLength) = ReadDeltaHeader(location, objectId, delta.Buffer.AsSpan(0, delta.Length));
            if (extentLength == target.Length)
            {
                await ReconstructIntoAsync(baseId, target, depth + 1, checkIds, cancellationToken).ConfigureAwait(false);
                Overlay(location, objectId, delta.Buffer.AsSpan(0, delta.Length), target.Span);
                return extentLength;
            }
            var own = ArrayPool<byte>.Shared.Rent(extentLength);
            try
            {
                await ReconstructIntoAsync(baseId, own.AsMemory(0, extentLength), depth + 1, checkIds, cancellationToken).ConfigureAwait(false);
                Overlay(location, objectId, delta.Buffer.AsSpan(0, delta.Length), own.AsSpan(0, extentLength));
                FitInto(own.AsSpan(0, extentLength), target.Span);
                return extentLength;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(own);
            }
        }
        finally
        {
            delta.Return();
        }
    }

    /// <summary>A chunk of exactly the target's length, decoded into it; a failure is read again and reported with its cause.</summary>
    private async Task DecodeIntoAsync(ChunkLocation location, Memory<byte> target, bool checkId, CancellationToken cancellationToken)
    {
        if (await TryDecodeIntoAsync(location, target, cancellationToken, checkId).ConfigureAwait(false))
            return;
        var bytes = await ReadChunkAsync(location, cancellationToken).ConfigureAwait(false); // throws the classified error
        if (bytes.Length != target.Length)
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, location.PackFileName, location.Entry.Id.ToString(),
                $"chunk decodes to {bytes.Length} bytes, its index entry says {target.Length}");
        bytes.CopyTo(target);
    }

    /// <summary>The base's bytes as the first bytes of the extent built on it; what the base lacks is zeros (spec §7.5).</summary>
    private static void FitInto(ReadOnlySpan<byte> source, Span<byte> target)
    {
        var length = Math.Min(source.Length, target.Length);
        source[..length].CopyTo(target);
        target[length..].Clear();
    }

    private static (ChunkId BaseId, int ExtentLength) ReadDeltaHeader(ChunkLocation location, ChunkId objectId, ReadOnlySpan<byte> delta)
    {
        try
        {
            return (PageDelta.ReadBase(delta).BaseId, PageDelta.ExtentLength(delta));
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, location.PackFileName, objectId.ToString(), e.Message, e);
        }
    }

    private static void Overlay(ChunkLocation location, ChunkId objectId, ReadOnlySpan<byte> delta, Span<byte> extent)
    {
        try
        {
            PageDelta.Overlay(delta, extent);
        }
        catch (InvalidDataException e)
        {
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, location.PackFileName, objectId.ToString(), e.Message, e);
        }
    }
}
