using System.Globalization;
using Pgark.Repository.Codecs;
using Pgark.Repository.Snapshots;
using Pgark.Wire;
using Pgark.Wire.Connection;
using Pgark.Wire.Copy;

namespace Pgark.Logical.Restore;

// Data: per table (largest first, N workers) COPY FROM STDIN of its chunks, verified as sent, its post-data builds, its read-back.
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

    /// <summary>What the data step did: rows and COPY bytes loaded, post-data builds run, tables read back.</summary>
    private readonly record struct LoadOutcome(long Rows, long Bytes, int Builds, int ReadBack, TableLoadedInParts? InParts);

    /// <summary>
    /// The data step on the restore's workers (--jobs), largest table first: load a table's rows (verified as they are sent,
    /// <see cref="LoadTableAsync"/>), then run its key constraints (ALTER TABLE, one after the other: each locks the table
    /// exclusively), then its other indexes and, when asked, its read-back, which share the table's lock and run on whichever
    /// workers are free. So index builds and COPYs of different tables overlap, as in pg_restore -j, and a read-back finds
    /// the pages still cached. The largest table, when loaded whole it would outlast the other workers' share of the data, is
    /// loaded in parts on several workers at once (<see cref="TableParts"/>).
    /// </summary>
    private static async Task<LoadOutcome> LoadTablesAsync(Repository.Repository repository, SnapshotInfo snapshot,
        Dictionary<string, TreeFile> files, WorkerConnections connections, List<TableData> tables, PostDataPlan? plan, LogicalRestoreOptions options,
        int sourceVersion, CancellationToken cancellationToken)
    {
        var work = tables.Select(t => (Table: t, File: files.GetValueOrDefault(t.Path)
            ?? throw new LogicalException($"snapshot {snapshot.ShortId} has no data object {t.Path} for table {t.Schema}.{t.Name}; hint: run pgark check",
                $"table {t.Schema}.{t.Name}"))).OrderByDescending(w => w.Table.Bytes).ToList();
        long rows = 0, bytes = 0, totalBytes = work.Sum(w => w.Table.Bytes);
        int loaded = 0, builds = 0, readBack = 0;
        var progressLock = new Lock(); // reports in order, never a figure going back
        var progress = options.Progress;
        progress?.Report(new LogicalRestoreProgress(0, work.Count, 0, totalBytes));
        // Only a table this restore created may be truncated (which COPY FREEZE needs).
        bool freeze = !options.DataOnly;
        var queue = new WorkerQueue();
        var weights = work.ToDictionary(w => w.Table.QualifiedName, w => w.Table.Bytes, StringComparer.Ordinal);
        var foreignKeys = new ForeignKeySchedule(queue, plan, weights, async (connection, key) =>
            Interlocked.Add(ref builds, await ApplyAsync(connection, [key], cancellationToken, sourceVersion).ConfigureAwait(false)));
        // Only the largest table may be loaded in parts: its parts are queued first, so each starts on a worker of its own
        // at once (a part waits for the others before it commits).
        var parts = work.Count == 0 ? null : TableParts.Plan(work[0].Table, work[0].File,
            TableParts.CountFor(work[0].Table.Bytes, totalBytes, options.Jobs, options.MinTablePartBytes));
        foreach (var (table, file) in work)
        {
            // Once the table's rows are in: its keys (on this worker, one after the other: each locks the table exclusively),
            // then its other indexes and read-back on any free worker.
            async Task LoadedAsync(PgConnection connection)
            {
                lock (progressLock)
                {
                    rows += table.Rows;
                    bytes += table.Bytes;
                    loaded++;
                    progress?.Report(new LogicalRestoreProgress(loaded, work.Count, bytes, totalBytes));
                }
                var tableBuilds = plan?.TableBuilds.GetValueOrDefault(table.QualifiedName) ?? [];
                var keys = tableBuilds.Where(b => b.Kind != "index").ToList();
                Interlocked.Add(ref builds, await ApplyAsync(connection, keys, cancellationToken, sourceVersion).ConfigureAwait(false));
                foreach (var index in tableBuilds.Where(b => b.Kind == "index"))
                {
                    queue.Add(table.Bytes, async other =>
                    {
                        Interlocked.Add(ref builds, await ApplyAsync(other, [index], cancellationToken, sourceVersion).ConfigureAwait(false));
                        foreignKeys.Built(table.QualifiedName);
                    });
                }
                foreignKeys.Built(table.QualifiedName);
                if (options.ReadBack)
                {
                    queue.Add(table.Bytes, async other =>
                    {
                        await ReadBackTableAsync(other, table, cancellationToken).ConfigureAwait(false);
                        Interlocked.Increment(ref readBack);
                    });
                }
            }

            if (parts is not null && ReferenceEquals(table, work[0].Table))
            {
                for (int i = 0; i < parts.Count; i++)
                {
                    int part = i;
                    queue.Add(table.Bytes, async connection =>
                    {
                        if (await parts.LoadAsync(repository, connection, part, ReadAhead, queue.Stopping).ConfigureAwait(false))
                            await LoadedAsync(connection).ConfigureAwait(false);
                    });
                }
                continue;
            }
            queue.Add(table.Bytes, async connection =>
            {
                await LoadTableAsync(repository, connection, table, file, freeze, cancellationToken).ConfigureAwait(false);
                await LoadedAsync(connection).ConfigureAwait(false);
            });
        }
        await queue.RunAsync(options.Jobs, connections.TakeAsync, cancellationToken).ConfigureAwait(false);
        return new LoadOutcome(rows, bytes, builds, readBack, parts is null ? null : new TableLoadedInParts(work[0].Table.QualifiedName, parts.Count));
    }

    /// <summary>Pieces of a table's COPY text read and decoded ahead of the COPY, per worker (each at most the chunker's maximum).</summary>
    private const int ReadAhead = 4;

    /// <summary>
    /// Loads one table in one transaction, verified on the way: the COPY text pgark sends must have the row count and
    /// BLAKE3 the backup recorded (else CopyFail), and the server must report loading exactly that many rows ("COPY n"),
    /// all before COMMIT, so a table that does not match is never committed and the restore fails naming it.
    /// </summary>
    private static async Task LoadTableAsync(Repository.Repository repository, PgConnection connection, TableData table, TreeFile file,
        bool freeze, CancellationToken cancellationToken)
    {
        string name = $"table {table.Schema}.{table.Name}";
        try
        {
            // COPY FREEZE writes the rows frozen and their pages all-visible: the index builds, a read-back and the first
            // vacuum then find nothing to set (without it the first scan after the load dirties every page for hint bits,
            // and the pages are written again). It needs the table truncated in the same transaction; it is empty.
            await connection.ExecuteAsync(freeze ? $"BEGIN; TRUNCATE ONLY {table.QualifiedName}" : "BEGIN", cancellationToken).ConfigureAwait(false);
            string copy = $"COPY {table.QualifiedName} FROM STDIN" + (freeze ? " WITH (FREEZE)" : "");
            string? tag;
            await using (PgCopyInWriter writer = await connection.CopyInAsync(copy, cancellationToken).ConfigureAwait(false))
            {
                var hasher = new Blake3Hasher();
                long rows = 0;
                await foreach (ReadOnlyMemory<byte> piece in repository.ReadFileAsync(file, ReadAhead, cancellationToken).ConfigureAwait(false))
                {
                    hasher.Update(piece.Span);
                    rows += piece.Span.Count((byte)'\n');
                    await writer.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
                }
                if (StoredDataMismatch(table, rows, Hex(hasher)) is { } mismatch)
                {
                    await writer.FailAsync("pgark: stored data does not match its recorded checksum", cancellationToken).ConfigureAwait(false);
                    throw new LogicalException($"{name}: {mismatch}", name);
                }
                tag = await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
            if (tag != "COPY " + table.Rows.ToString(CultureInfo.InvariantCulture))
            {
                await connection.ExecuteAsync("ROLLBACK", cancellationToken).ConfigureAwait(false);
                throw new LogicalException($"{name}: the server reported \"{tag}\" but the backup holds {table.Rows} rows; nothing of it was " +
                    "committed; " + FilteringRowsHint, name);
            }
            await connection.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
        }
        catch (PgServerException e)
        {
            throw new LogicalException($"loading {name} failed: {e.Message}", name, e);
        }
    }

    /// <summary>
    /// Why the COPY text a restore read for <paramref name="table"/> (its newlines and BLAKE3, whole or combined from parts) is
    /// not what the backup recorded, or null when it is.
    /// </summary>
    internal static string? StoredDataMismatch(TableData table, long rows, string checksum) =>
        checksum == table.Blake3 && rows == table.Rows ? null
            : $"the stored COPY data has {rows} rows and BLAKE3 {checksum}, but the backup recorded {table.Rows} rows and {table.Blake3}; " +
              "hint: run pgark check --read-data";

    /// <summary>The hint when the server loaded fewer or more rows than were sent.</summary>
    internal const string FilteringRowsHint = "hint: a trigger, rule or policy on the target table may be filtering rows";

    /// <summary>Reads a loaded table back and compares its row count and row-set digest with the backup's (--read-back).</summary>
    private static async Task ReadBackTableAsync(PgConnection connection, TableData table, CancellationToken cancellationToken)
    {
        var rowSet = new RowSetDigest();
        await using (PgQueryReader reader = await connection.CopyOutAsync($"COPY {table.QualifiedName} TO STDOUT", cancellationToken)
            .ConfigureAwait(false))
        {
            while (await reader.ReadCopyDataAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (var segment in reader.CopyData)
                    rowSet.Update(segment.Span);
            }
        }
        // Rows, not bytes: COPY FROM may place rows in another physical order than the source had.
        string digest = rowSet.ToHex();
        if (rowSet.Rows != table.Rows || digest != table.RowSet)
        {
            throw new LogicalException($"table {table.Schema}.{table.Name} reads back {rowSet.Rows} rows with row-set digest {digest}, but the " +
                $"backup recorded {table.Rows} rows with {table.RowSet}; hint: something changed the table during the restore (a trigger, rule " +
                "or concurrent session), or the target server formats a data type differently", $"table {table.Schema}.{table.Name}");
        }
    }

    /// <summary>Runs <paramref name="work"/> over <paramref name="items"/>, in order, on up to <paramref name="jobs"/> connections of its own.</summary>
    private static Task ForEachParallelAsync<T>(ConnectionSettings target, IReadOnlyList<T> items, int jobs,
        Func<PgConnection, T, Task> work, CancellationToken cancellationToken)
    {
        var queue = new WorkerQueue();
        foreach (T item in items)
            queue.Add(0, connection => work(connection, item));
        return queue.RunAsync(Math.Min(jobs, items.Count), token => OpenWriterAsync(target, token), cancellationToken);
    }

    private static string Hex(Blake3Hasher hasher)
    {
        Span<byte> digest = stackalloc byte[Blake3.OutputSize];
        hasher.Finalize(digest);
        return Convert.ToHexStringLower(digest);
    }
}
