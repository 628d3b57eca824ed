using System.Buffers;
using System.Runtime.CompilerServices;
using Pgark.Repository.Codecs;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository;

// Restore's read side on both cores: the pieces of a file are read, decompressed and verified on the thread pool ahead of
// the writer, which consumes them strictly in order, in pooled buffers.
public sealed partial class Repository
{
    /// <summary>
    /// A regular file's content in order, one piece (extent or chunk) at a time, each verified as
    /// <see cref="ReadExtentAsync"/> and <see cref="ReadChunkAsync(ChunkId, CancellationToken)"/> verify it. Up to
    /// <paramref name="readAhead"/> pieces are read and decoded in parallel; memory is at most that many pieces (each ≤ the
    /// 16 MiB chunk limit, in practice one extent or one FastCDC chunk). A yielded piece lives in a pooled buffer that is
    /// valid until the next iteration. Work still running when the caller stops early finishes in the background.
    /// </summary>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> ReadFileAsync(TreeFile file, int readAhead = 4, CancellationToken cancellationToken = default) =>
        ReadFileAsync(file, firstPiece: 0, readAhead, cancellationToken);

    /// <summary>
    /// As <see cref="ReadFileAsync(TreeFile, int, CancellationToken)"/>, from piece <paramref name="firstPiece"/> (an index into
    /// the file's extents or chunks) to the end: a reader of one part of a file starts where its part does.
    /// </summary>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadFileAsync(TreeFile file, int firstPiece, int readAhead,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(readAhead, 1);
        var count = file.Entry.Layout == FileLayout.Paged ? file.Extents.Count : file.Chunks.Count;
        ArgumentOutOfRangeException.ThrowIfNegative(firstPiece);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstPiece, count);
        var pending = new Queue<Task<Piece>>(Math.Min(readAhead, count - firstPiece));
        var next = firstPiece;
        try
        {
            while (next < count || pending.Count > 0)
            {
                while (next < count && pending.Count < readAhead)
                {
                    var index = next++;
                    pending.Enqueue(Task.Run(() => ReadPieceAsync(file, index, cancellationToken), cancellationToken));
                }
                var piece = await pending.Dequeue().ConfigureAwait(false);
                try
                {
                    yield return piece.Buffer.AsMemory(0, piece.Length);
                }
                finally
                {
                    piece.Return();
                }
            }
        }
        finally
        {
            // What an early exit leaves running returns its buffer when done, and a failure there is observed.
            foreach (var task in pending)
                _ = task.ContinueWith(static t =>
                {
                    if (t.IsCompletedSuccessfully)
                        t.Result.Return();
                    _ = t.Exception;
                }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    /// <summary>A decoded piece; <see cref="Pooled"/> buffers go back to <see cref="ArrayPool{T}.Shared"/>.</summary>
    private readonly record struct Piece(byte[] Buffer, int Length, bool Pooled)
    {
        public void Return()
        {
            if (Pooled)
                ArrayPool<byte>.Shared.Return(Buffer);
        }
    }

    private async Task<Piece> ReadPieceAsync(TreeFile file, int index, CancellationToken cancellationToken)
    {
        if (file.Entry.Layout != FileLayout.Paged)
        {
            var id = file.Chunks[index].Id;
            return Index.TryGet(id, out var chunk) && !Codec.Encrypted
                ? await ReadPooledAsync(chunk, cancellationToken).ConfigureAwait(false)
                : Unpooled(await ReadChunkAsync(id, cancellationToken).ConfigureAwait(false));
        }
        var extent = file.Extents[index];
        if (Codec.Encrypted || !Index.TryGet(extent.ObjectId, out var location))
            return Unpooled(await ReadExtentAsync(file.Entry, index, extent, cancellationToken).ConfigureAwait(false));
        if (location.Entry.Kind != ChunkKind.Data)
            return await ReadDeltaExtentAsync(file.Entry, index, extent, cancellationToken).ConfigureAwait(false);
        // A whole extent stored as one chunk: its verified id already proves every byte, so the page hashes are checked
        // only when it must be reconstructed from a page delta (ReadDeltaExtentAsync).
        var piece = await ReadPooledAsync(location, cancellationToken).ConfigureAwait(false);
        var expectedLength = file.Entry.ExtentLength(index);
        if (piece.Length != expectedLength)
        {
            piece.Return();
            throw new RepositoryCorruptionException(CorruptionCause.WriterBug, "tree", extent.ObjectId.ToString(),
                $"extent {index} of '{file.Entry.Path}' is {piece.Length} bytes, expected {expectedLength}");
        }
        return piece;
    }

    private static Piece Unpooled(byte[] bytes) => new(bytes, bytes.Length, Pooled: false);

    /// <summary>
    /// An unencrypted chunk read and decompressed into a pooled buffer and checked against its id. Any failure is handed to
    /// <see cref="ReadChunkAsync(ChunkLocation, CancellationToken)"/>, which reads it again and reports it with its cause.
    /// </summary>
    private async Task<Piece> ReadPooledAsync(ChunkLocation location, CancellationToken cancellationToken, bool checkId = true)
    {
        var entry = location.Entry;
        if (entry.PlainLength > FormatConstants.MaxChunkSize)
            return Unpooled(await ReadChunkAsync(location, cancellationToken).ConfigureAwait(false)); // throws the classified error
        var plain = ArrayPool<byte>.Shared.Rent(Math.Max(1, (int)entry.PlainLength));
        if (await TryDecodeIntoAsync(location, plain.AsMemory(0, (int)entry.PlainLength), cancellationToken, checkId).ConfigureAwait(false))
            return new Piece(plain, (int)entry.PlainLength, Pooled: true);
        ArrayPool<byte>.Shared.Return(plain);
        return Unpooled(await ReadChunkAsync(location, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Reads an unencrypted chunk of exactly <paramref name="plain"/>'s length, decompresses it straight into
    /// <paramref name="plain"/> (the compressed bytes in a pooled buffer; an uncompressed chunk is read in place) and checks
    /// it against its id (unless <paramref name="checkId"/> is false: the caller checks every byte it uses another way). False
    /// on any failure, for the caller to read it again the slow way and report why.
    /// </summary>
    private async Task<bool> TryDecodeIntoAsync(ChunkLocation location, Memory<byte> plain, CancellationToken cancellationToken, bool checkId = true)
    {
        var entry = location.Entry;
        var compressed = (entry.Flags & ChunkFlags.Compressed) != 0;
        if ((entry.Flags & ~ChunkFlags.Compressed) != 0 || entry.PlainLength != plain.Length || (!compressed && entry.StoredLength != entry.PlainLength))
            return false;
        var stored = compressed ? ArrayPool<byte>.Shared.Rent((int)entry.StoredLength) : null;
        try
        {
            var destination = stored is null ? plain : stored.AsMemory(0, (int)entry.StoredLength);
            var read = await Store.ReadAsync(location.PackFileName, entry.Offset, destination, cancellationToken).ConfigureAwait(false);
            if (read != entry.StoredLength)
                return false;
            if (stored is not null)
                Zstd.DecompressExact(destination.Span, plain.Span);
            return !checkId || Hasher.Compute(plain.Span) == entry.Id;
        }
        catch (ZstdException)
        {
            return false;
        }
        finally
        {
            if (stored is not null)
                ArrayPool<byte>.Shared.Return(stored);
        }
    }
}
