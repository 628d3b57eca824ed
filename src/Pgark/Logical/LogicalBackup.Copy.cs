using System.Collections.Concurrent;
using Pgark.Repository;
using Pgark.Repository.Chunking;
using Pgark.Repository.Snapshots;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Logical;

// The data step: N workers, each on its own connection in the shared snapshot, take the largest remaining table.
public static partial class LogicalBackup
{
    private static async Task<List<(TableData Table, List<ChunkRef> Chunks)>> CopyTablesAsync(ConsistentSnapshot snapshot,
        LogicalBackupOptions options, BackupSession session, List<TableToCopy> tables,
        CancellationToken cancellationToken)
    {
        int jobs = Math.Max(1, Math.Min(options.Jobs, tables.Count));
        var workers = new List<PgConnection>(jobs);
        try
        {
            // Every worker imports the snapshot before any copy starts, while the exporting session is still idle.
            for (int i = 0; i < jobs; i++)
                workers.Add(await snapshot.OpenReaderAsync(options.Source, cancellationToken).ConfigureAwait(false));
            var queue = new ConcurrentQueue<TableToCopy>(tables);
            var results = new ConcurrentBag<(TableData, List<ChunkRef>)>();
            // BackupSession is single-threaded: workers hand it chunks one at a time under this gate. It only queues them (a copy
            // into a pooled buffer); hashing, compression and verification run on the thread pool, within the session's ingest
            // window, so the gate is never held for a chunk's encoding (it was: every chunk of every worker compressed on one
            // thread, into a new array each).
            using var gate = new SemaphoreSlim(1, 1);
            var chunker = new FastCdc(options.Chunking ?? session.Settings.Chunking);
            var progress = new CopyProgress(options.Progress, tables.Count, tables.Sum(t => t.Size));
            await Task.WhenAll(workers.Select(worker => Task.Run(async () =>
            {
                while (queue.TryDequeue(out var table))
                {
                    var copied = await CopyTableAsync(worker, table, chunker, session, gate, cancellationToken).ConfigureAwait(false);
                    results.Add(copied);
                    progress.Copied(copied.Item1.Bytes);
                }
            }, cancellationToken))).ConfigureAwait(false);
            return [.. results];
        }
        finally
        {
            foreach (var worker in workers)
                await worker.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Per-table progress from the parallel workers, reported one at a time so the figures only grow.</summary>
    private sealed class CopyProgress
    {
        private readonly IProgress<LogicalBackupProgress>? _progress;
        private readonly Lock _lock = new();
        private readonly int _total;
        private readonly long _estimatedBytes;
        private int _copied;
        private long _bytes;

        public CopyProgress(IProgress<LogicalBackupProgress>? progress, int total, long estimatedBytes)
        {
            (_progress, _total, _estimatedBytes) = (progress, total, estimatedBytes);
            _progress?.Report(new LogicalBackupProgress(0, total, 0, estimatedBytes));
        }

        public void Copied(long bytes)
        {
            if (_progress is null)
                return;
            lock (_lock)
            {
                _copied++;
                _bytes += bytes;
                _progress.Report(new LogicalBackupProgress(_copied, _total, _bytes, _estimatedBytes));
            }
        }
    }

    private static async Task<(TableData, List<ChunkRef>)> CopyTableAsync(PgConnection connection, TableToCopy table, FastCdc chunker,
        BackupSession session, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        (string schema, string name, string qualified) = (table.Schema, table.Name, table.QualifiedName);
        var chunks = new List<ChunkRef>();
        try
        {
            await using PgQueryReader reader = await connection.CopyOutAsync($"COPY {qualified} TO STDOUT", cancellationToken).ConfigureAwait(false);
            await using var stream = new CopyOutStream(reader);
            using var cutter = new StreamChunker(stream, chunker);
            while (true)
            {
                ReadOnlyMemory<byte> chunk = await cutter.ReadChunkAsync(cancellationToken).ConfigureAwait(false);
                if (chunk.IsEmpty)
                    break;
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    // The session appends the chunk's reference to this table's list, in order, as it retires the chunk (under
                    // the gate, whichever worker holds it then).
                    await session.QueueChunkAsync(chunk, chunks, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await session.DrainAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
            var data = new TableData(schema, name, qualified, SqlText.DataPath(schema, name), stream.Rows, stream.Bytes, stream.ChecksumHex(), stream.RowSetHex());
            return (data, chunks);
        }
        catch (PgServerException e)
        {
            throw new LogicalException($"COPY of table {schema}.{name} failed: {e.Message}", $"table {schema}.{name}", e);
        }
    }
}
