using System.Runtime.CompilerServices;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository;

// Restore's read side on both cores: the pieces of a file are read, decompressed and verified on the thread pool ahead of
// the writer, which consumes them strictly in order.
public sealed partial class Repository
{
    /// <summary>
    /// A regular file's content in order, one piece (extent or chunk) at a time, each verified as
    /// <see cref="ReadExtentAsync"/> and <see cref="ReadChunkAsync(Ids.ChunkId, CancellationToken)"/> verify it. Up to
    /// <paramref name="readAhead"/> pieces are read and decoded in parallel; memory is at most that many pieces (each ≤ the
    /// 16 MiB chunk limit, in practice one extent or one FastCDC chunk). Work still running when the caller stops early
    /// finishes in the background and is dropped.
    /// </summary>
    public async IAsyncEnumerable<byte[]> ReadFileAsync(TreeFile file, int readAhead = 4,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(readAhead, 1);
        var count = file.Entry.Layout == FileLayout.Paged ? file.Extents.Count : file.Chunks.Count;
        var pending = new Queue<Task<byte[]>>(Math.Min(readAhead, count));
        var next = 0;
        try
        {
            while (next < count || pending.Count > 0)
            {
                while (next < count && pending.Count < readAhead)
                {
                    var index = next++;
                    pending.Enqueue(Task.Run(() => ReadPieceAsync(file, index, cancellationToken), cancellationToken));
                }
                yield return await pending.Dequeue().ConfigureAwait(false);
            }
        }
        finally
        {
            // Observe what an early exit leaves running, so a later failure there is not an unobserved task exception.
            foreach (var task in pending)
                _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted,
                    TaskScheduler.Default);
        }
    }

    private async Task<byte[]> ReadPieceAsync(TreeFile file, int index, CancellationToken cancellationToken)
        => file.Entry.Layout == FileLayout.Paged
            ? await ReadExtentAsync(file.Entry, index, file.Extents[index], cancellationToken).ConfigureAwait(false)
            : await ReadChunkAsync(file.Chunks[index].Id, cancellationToken).ConfigureAwait(false);
}
