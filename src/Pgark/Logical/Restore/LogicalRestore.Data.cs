using System.Collections.Concurrent;
using System.Globalization;
using Pgark.Repository.Codecs;
using Pgark.Repository.Snapshots;
using Pgark.Wire;
using Pgark.Wire.Connection;
using Pgark.Wire.Copy;

namespace Pgark.Logical.Restore;

// Data: COPY FROM STDIN of each table's chunks (largest first, N workers), then the read-back verification.
public static partial class LogicalRestore
{
    private static async Task<Dictionary<string, TreeFile>> ReadTreeAsync(Repository.Repository repository, SnapshotInfo snapshot,
        CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, TreeFile>(StringComparer.Ordinal);
        await foreach (var file in repository.ReadTreeAsync(snapshot.Record, cancellationToken).ConfigureAwait(false))
            files[file.Entry.Path] = file;
        return files;
    }

    private static async Task<(long Rows, long Bytes)> LoadTablesAsync(Repository.Repository repository, SnapshotInfo snapshot,
        Dictionary<string, TreeFile> files, ConnectionSettings target, List<TableData> tables, int jobs, IProgress<LogicalRestoreProgress>? progress,
        CancellationToken cancellationToken)
    {
        var work = tables.Select(t => (Table: t, File: files.GetValueOrDefault(t.Path)
            ?? throw new LogicalException($"snapshot {snapshot.ShortId} has no data object {t.Path} for table {t.Schema}.{t.Name}; hint: run pgark check",
                $"table {t.Schema}.{t.Name}"))).OrderByDescending(w => w.Table.Bytes).ToList();
        long rows = 0, bytes = 0, totalBytes = work.Sum(w => w.Table.Bytes);
        int loaded = 0;
        var progressLock = new Lock(); // reports in order, never a figure going back
        progress?.Report(new LogicalRestoreProgress(0, work.Count, 0, totalBytes));
        await ForEachParallelAsync(target, work, jobs, async (connection, item) =>
        {
            await LoadTableAsync(repository, connection, item.Table, item.File, cancellationToken).ConfigureAwait(false);
            lock (progressLock)
            {
                rows += item.Table.Rows;
                bytes += item.Table.Bytes;
                loaded++;
                progress?.Report(new LogicalRestoreProgress(loaded, work.Count, bytes, totalBytes));
            }
        }, cancellationToken).ConfigureAwait(false);
        return (rows, bytes);
    }

    private static async Task LoadTableAsync(Repository.Repository repository, PgConnection connection, TableData table, TreeFile file,
        CancellationToken cancellationToken)
    {
        var hasher = new Blake3Hasher();
        long rows = 0;
        string? tag;
        try
        {
            await using PgCopyInWriter writer = await connection.CopyInAsync($"COPY {table.QualifiedName} FROM STDIN", cancellationToken)
                .ConfigureAwait(false);
            foreach (var chunk in file.Chunks)
            {
                byte[] data = await repository.ReadChunkAsync(chunk.Id, cancellationToken).ConfigureAwait(false);
                hasher.Update(data);
                rows += data.AsSpan().Count((byte)'\n');
                await writer.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            }
            // The stored stream must be exactly what was backed up before the server may commit it.
            string checksum = Hex(hasher);
            if (checksum != table.Blake3 || rows != table.Rows)
            {
                await writer.FailAsync("pgark: stored data does not match its recorded checksum", cancellationToken).ConfigureAwait(false);
                throw new LogicalException($"table {table.Schema}.{table.Name}: the stored COPY data has {rows} rows and BLAKE3 {checksum}, " +
                    $"but the backup recorded {table.Rows} rows and {table.Blake3}; hint: run pgark check --read-data", $"table {table.Schema}.{table.Name}");
            }
            tag = await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PgServerException e)
        {
            throw new LogicalException($"loading table {table.Schema}.{table.Name} failed: {e.Message}", $"table {table.Schema}.{table.Name}", e);
        }
        if (tag != "COPY " + table.Rows.ToString(CultureInfo.InvariantCulture))
        {
            throw new LogicalException($"table {table.Schema}.{table.Name}: the server reported \"{tag}\" but the backup holds {table.Rows} rows",
                $"table {table.Schema}.{table.Name}");
        }
    }

    private static async Task<int> VerifyTablesAsync(ConnectionSettings target, List<TableData> tables, int jobs, CancellationToken cancellationToken)
    {
        int verified = 0;
        await ForEachParallelAsync(target, tables, jobs, async (connection, table) =>
        {
            await using PgQueryReader reader = await connection.CopyOutAsync($"COPY {table.QualifiedName} TO STDOUT", cancellationToken)
                .ConfigureAwait(false);
            await using var stream = new CopyOutStream(reader);
            byte[] sink = new byte[64 << 10];
            while (await stream.ReadAsync(sink, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
            // Rows, not bytes: COPY FROM may place rows in another physical order than the source had.
            string rowSet = stream.RowSetHex();
            if (stream.Rows != table.Rows || rowSet != table.RowSet)
            {
                throw new LogicalException($"table {table.Schema}.{table.Name} reads back {stream.Rows} rows with row-set digest {rowSet}, but the " +
                    $"backup recorded {table.Rows} rows with {table.RowSet}; hint: something changed the table during the restore (a trigger, rule " +
                    "or concurrent session), or the target server formats a data type differently", $"table {table.Schema}.{table.Name}");
            }
            Interlocked.Increment(ref verified);
        }, cancellationToken).ConfigureAwait(false);
        return verified;
    }

    /// <summary>Runs <paramref name="work"/> over <paramref name="items"/> on up to <paramref name="jobs"/> connections of its own.</summary>
    private static async Task ForEachParallelAsync<T>(ConnectionSettings target, IReadOnlyList<T> items, int jobs,
        Func<PgConnection, T, Task> work, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
            return;
        var queue = new ConcurrentQueue<T>(items);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Enumerable.Range(0, Math.Min(jobs, items.Count)).Select(_ => Task.Run(async () =>
        {
            await using PgConnection connection = await OpenWriterAsync(target, failed.Token).ConfigureAwait(false);
            try
            {
                while (!failed.IsCancellationRequested && queue.TryDequeue(out T? item))
                    await work(connection, item).ConfigureAwait(false);
            }
            catch
            {
                // Exit on the first error: the other workers stop after their current table.
                await failed.CancelAsync().ConfigureAwait(false);
                throw;
            }
        }, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch
        {
            // Surface the first real failure, not a sibling's cancellation.
            var first = workers.Where(w => w.IsFaulted).Select(w => w.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            throw;
        }
    }

    private static string Hex(Blake3Hasher hasher)
    {
        Span<byte> digest = stackalloc byte[Blake3.OutputSize];
        hasher.Finalize(digest);
        return Convert.ToHexStringLower(digest);
    }
}
