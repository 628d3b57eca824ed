using System.Globalization;
using Pgark.Repository.Codecs;
using Pgark.Repository.Snapshots;
using Pgark.Wire;
using Pgark.Wire.Connection;
using Pgark.Wire.Copy;

namespace Pgark.Logical.Restore;

/// <summary>
/// One table loaded over several worker connections at once. A restore's critical path is its largest table: one COPY on
/// one server backend, while the other workers run out of tables and wait (measured: the largest of seven tables took 4.3
/// of a 5.3 s restore, the other worker idle for 2 s). Its COPY text is cut into parts near equal byte offsets, each
/// loaded by a <c>COPY ... FROM STDIN</c> of its own, in a transaction of its own, at the same time.
/// <para>
/// Verification is the same as for a table loaded whole (logical-format.md §6 step 4): part <c>i</c> hashes exactly the
/// bytes [H(i), H(i+1)) of the stream (H at multiples of the 1 KiB BLAKE3 chunk), and the parts' subtree chaining values
/// combine into the BLAKE3 of the whole text, which must equal the backup's; the rows sent and the servers' <c>COPY n</c>
/// tags must each add up to the backup's row count. Only when every part has loaded and all of that holds does any part
/// commit; otherwise every part rolls back. The parts send whole rows: part <c>i</c> starts after the first newline at or
/// beyond H(i) and ends with the first newline at or beyond H(i+1) (in COPY text a newline byte always ends a row: a newline
/// in a value is written as <c>\n</c>), so a part reads a little beyond what it hashes, or hashes a little before what it sends.
/// </para>
/// <para>
/// What is given up against a whole-table load: no <c>FREEZE</c> (it needs the table truncated in the loading transaction,
/// whose exclusive lock would serialize the parts), and the commits are one per part: if a part's COMMIT fails after
/// another's succeeded, the table holds some of its rows and the restore fails naming it.
/// </para>
/// </summary>
internal sealed class TableParts
{
    /// <summary>Smallest part worth a connection of its own: below it the start-up of a COPY is not worth the split.</summary>
    internal const long MinPartBytes = 32L << 20;

    /// <summary>BLAKE3's chunk length: a range of the text hashed on its own must start at a multiple of it.</summary>
    private const int HashChunkLength = 1024;

    private readonly TableData _table;
    private readonly TreeFile _file;
    private readonly long[] _hashBounds;
    private readonly long[] _pieceStarts;
    private readonly Part?[] _parts;
    private readonly TaskCompletionSource<Verdict> _verdict = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private int _reported;
    private int _committed;

    private readonly record struct Part(Blake3Range Hashed, long RowsSent, long SentStart, long SentEnd, long RowsLoaded, string? Tag);

    private TableParts(TableData table, TreeFile file, int count, long[] pieceStarts)
    {
        _table = table;
        _file = file;
        _pieceStarts = pieceStarts;
        _hashBounds = HashBounds(_pieceStarts[^1], count);
        _parts = new Part?[count];
    }

    /// <summary>Where each part's hashed range starts (and the last ends): near equal shares, at BLAKE3 chunk boundaries.</summary>
    internal static long[] HashBounds(long total, int count)
    {
        var bounds = new long[count + 1];
        for (int i = 1; i < count; i++)
            bounds[i] = total * i / count / HashChunkLength * HashChunkLength;
        bounds[count] = total;
        return bounds;
    }

    /// <summary>How many parts the table is loaded in: 1 (whole) unless, loaded whole, it would outlast the other workers'
    /// share of the data; then just enough parts that none is larger than that share, at most one per worker, none smaller
    /// than <paramref name="minPartBytes"/>.</summary>
    public static int CountFor(long tableBytes, long totalBytes, int jobs, long minPartBytes = MinPartBytes)
    {
        if (jobs < 2 || tableBytes < 2 * minPartBytes)
            return 1;
        long share = Math.Max(totalBytes / jobs, minPartBytes);
        long parts = (tableBytes + share - 1) / share;
        return (int)Math.Clamp(parts, 1, Math.Min(jobs, tableBytes / minPartBytes));
    }

    /// <summary>A plan to load <paramref name="table"/> in <paramref name="count"/> parts, or null when its data object is not
    /// a chunk list a part can start in the middle of (a paged file) or is too small to split.</summary>
    public static TableParts? Plan(TableData table, TreeFile file, int count)
    {
        if (count < 2 || file.Entry.Layout == Repository.Format.FileLayout.Paged || file.Chunks.Count == 0)
            return null;
        // Where each chunk starts in the text, and (last) the text's length.
        var pieceStarts = new long[file.Chunks.Count + 1];
        for (int i = 0; i < file.Chunks.Count; i++)
            pieceStarts[i + 1] = pieceStarts[i] + file.Chunks[i].PlainLength;
        long total = pieceStarts[^1];
        return total == table.Bytes && total >= count * (long)HashChunkLength ? new TableParts(table, file, count, pieceStarts) : null;
    }

    public int Count => _parts.Length;

    /// <summary>
    /// Loads part <paramref name="index"/> on <paramref name="connection"/> and commits it once every part is loaded and the
    /// whole table verified. Every part must be running at the same time (each waits for the others before it commits):
    /// queue them first, one per worker. True for the part that committed last, whose worker goes on with the table's keys
    /// and indexes.
    /// </summary>
    public async Task<bool> LoadAsync(Repository.Repository repository, PgConnection connection, int index, int readAhead,
        CancellationToken stopping)
    {
        string name = $"table {_table.Schema}.{_table.Name}";
        Verdict verdict;
        // The restore stopping (another worker failed, or cancellation) is a verdict too, reached by every part alike: a part
        // never leaves without committing while another commits on the same verdict.
        using (stopping.Register(() => _verdict.TrySetResult(Verdict.Stopped)))
        {
            try
            {
                await connection.ExecuteAsync("BEGIN", stopping).ConfigureAwait(false);
                Part part;
                string? tag;
                await using (PgCopyInWriter writer = await connection.CopyInAsync($"COPY {_table.QualifiedName} FROM STDIN", stopping)
                    .ConfigureAwait(false))
                {
                    part = await SendAsync(repository, writer, index, readAhead, stopping).ConfigureAwait(false);
                    tag = await writer.CompleteAsync(stopping).ConfigureAwait(false);
                }
                long loaded = tag is not null && tag.StartsWith("COPY ", StringComparison.Ordinal)
                    && long.TryParse(tag.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : -1;
                verdict = await ReportAsync(index, part with { RowsLoaded = loaded, Tag = tag }).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // The other parts must not wait for this one: they roll back, and this part's failure is the restore's.
                _verdict.TrySetResult(Verdict.PartFailed);
                if (e is PgServerException server)
                    throw new LogicalException($"loading {name} (part {index + 1} of {Count}) failed: {server.Message}", name, e);
                throw;
            }
        }
        if (verdict.Kind != VerdictKind.Commit)
        {
            try
            {
                await connection.ExecuteAsync("ROLLBACK", CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PgWireException or IOException or System.Net.Sockets.SocketException)
            {
                // A connection that is gone has rolled back: the server aborts an open transaction when its client leaves.
            }
            // Another part's failure (or the restore stopping) is reported by whoever failed; this part only steps aside.
            if (verdict.Kind != VerdictKind.Mismatch)
                throw new OperationCanceledException($"{name}: part {index + 1} of {Count} rolled back because the restore stopped");
            throw new LogicalException($"{name}: {verdict.Failure}; nothing of it was committed", name);
        }
        try
        {
            // Not cancellable: every part was verified, and a commit given up half way would leave the table partly loaded.
            await connection.ExecuteAsync("COMMIT", CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new LogicalException($"{name}: part {index + 1} of {Count} could not commit ({e.Message}) after the whole table " +
                "was verified; the table may hold the other parts' rows; hint: drop the target database and restore again", name, e);
        }
        return Interlocked.Increment(ref _committed) == Count;
    }

    private enum VerdictKind { Commit, Mismatch, PartFailed, Stopped }

    /// <summary>What every part does: commit, roll back naming why (<see cref="VerdictKind.Mismatch"/>), or roll back because a
    /// part failed or the restore stopped (that failure is reported where it happened).</summary>
    private readonly record struct Verdict(VerdictKind Kind, string? Failure = null)
    {
        public static Verdict PartFailed => new(VerdictKind.PartFailed);
        public static Verdict Stopped => new(VerdictKind.Stopped);
    }

    /// <summary>Streams part <paramref name="index"/>'s rows into the COPY, hashing its byte range and counting its rows.</summary>
    private async Task<Part> SendAsync(Repository.Repository repository, PgCopyInWriter writer, int index, int readAhead,
        CancellationToken cancellationToken)
    {
        long hashStart = _hashBounds[index];
        // The piece holding the first byte to hash (part 0: the first piece).
        int first = Array.BinarySearch(_pieceStarts, 0, _file.Chunks.Count, hashStart);
        first = first >= 0 ? first : ~first - 1;
        var cursor = new TablePartCursor(hashStart, _hashBounds[index + 1], _pieceStarts[^1], _pieceStarts[first], index == 0, index == Count - 1);
        var hasher = new Blake3RangeHasher((ulong)hashStart);
        long rows = 0;
        await foreach (ReadOnlyMemory<byte> piece in repository.ReadFileAsync(_file, first, readAhead, cancellationToken).ConfigureAwait(false))
        {
            var (hash, send) = cursor.Next(piece.Span);
            hasher.Update(piece.Span[hash]);
            ReadOnlyMemory<byte> rowsPiece = piece[send];
            if (!rowsPiece.IsEmpty)
            {
                rows += rowsPiece.Span.Count((byte)'\n');
                await writer.WriteAsync(rowsPiece, cancellationToken).ConfigureAwait(false);
            }
            if (cursor.Done)
                break;
        }
        // A text without a newline after a boundary (not COPY text) sends nothing more; the verification names it.
        return new Part(hasher.Complete(), rows, cursor.SentStart, cursor.SentEnd, 0, null);
    }

    /// <summary>Records a loaded part; the last to report decides for all.</summary>
    private Task<Verdict> ReportAsync(int index, Part part)
    {
        lock (_lock)
        {
            _parts[index] = part;
            if (++_reported < Count || _verdict.Task.IsCompleted)
                return _verdict.Task;
        }
        _verdict.TrySetResult(Decide());
        return _verdict.Task;
    }

    private Verdict Decide()
    {
        var parts = _parts.Select(p => p!.Value).ToArray();
        // The parts must have sent the whole text once, end to end: a cursor that sent a row twice and dropped another would
        // still match the hash, which covers what was read, not what was sent.
        for (int i = 0; i < parts.Length; i++)
        {
            long expectedStart = i == 0 ? 0 : parts[i - 1].SentEnd;
            if (parts[i].SentStart != expectedStart || (i == parts.Length - 1 && parts[i].SentEnd != _pieceStarts[^1]))
                return new Verdict(VerdictKind.Mismatch, $"part {i + 1} of {Count} sent bytes {parts[i].SentStart}-{parts[i].SentEnd}, " +
                    $"not from {expectedStart}: the parts do not cover the COPY text once; hint: restore with --jobs 1 and report this");
        }
        var ranges = parts.Select(p => p.Hashed).ToArray();
        Span<byte> digest = stackalloc byte[Blake3.OutputSize];
        Blake3Range.Root(ranges, digest);
        if (LogicalRestore.StoredDataMismatch(_table, parts.Sum(p => p.RowsSent), Convert.ToHexStringLower(digest)) is { } mismatch)
            return new Verdict(VerdictKind.Mismatch, mismatch);
        foreach (Part part in parts)
        {
            if (part.RowsLoaded < 0)
                return new Verdict(VerdictKind.Mismatch, $"the server answered a part's COPY with \"{part.Tag}\", not a row count");
        }
        long loaded = parts.Sum(p => p.RowsLoaded);
        if (loaded != _table.Rows)
        {
            return new Verdict(VerdictKind.Mismatch, $"the server reported loading {loaded} rows in {Count} parts but the backup holds " +
                $"{_table.Rows}; {LogicalRestore.FilteringRowsHint}");
        }
        return new Verdict(VerdictKind.Commit);
    }
}
