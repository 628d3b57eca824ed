using Pgark.Physical;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;

namespace Pgark.Tuning;

/// <summary>
/// Samples a physical backup already in a repository: the same window rule as a live cluster, but only the kept windows
/// are read (extents and chunks overlapping them). WAL (pg_wal/) is left out, as BASE_BACKUP without WAL leaves it out.
/// The earlier backup of the same system, if any, prices repeat backups.
/// </summary>
public static class SnapshotSampler
{
    public static async Task<TuneSample> SampleAsync(Repository.Repository repository, SnapshotInfo snapshot, long budget,
        Action<long, long>? progress = null, CancellationToken cancellationToken = default)
    {
        if (snapshot.Record.Metadata.Kind != SnapshotKind.Physical)
            throw new ArgumentException($"snapshot {snapshot.ShortId} is a logical backup; pgark tune samples physical backups or a live cluster");
        long total = 0;
        await foreach (var file in repository.ReadTreeAsync(snapshot.Record, cancellationToken).ConfigureAwait(false))
        {
            if (Sampled(file))
                total += file.Entry.Size;
        }
        var collector = new SampleCollector(Math.Max(total, budget), budget);
        long read = 0;
        await foreach (var file in repository.ReadTreeAsync(snapshot.Record, cancellationToken).ConfigureAwait(false))
        {
            if (!Sampled(file))
                continue;
            var isRelation = file.Entry.Layout == FileLayout.Paged;
            foreach (var offset in collector.PlanFile(file.Entry.Size, isRelation))
            {
                var length = (int)Math.Min(SampleCollector.WindowSize, file.Entry.Size - offset);
                var data = await ReadRangeAsync(repository, file, offset, length, cancellationToken).ConfigureAwait(false);
                collector.AddWindow(file.Entry.Path, offset, isRelation, data);
                read += length;
                progress?.Invoke(read, collector.SampledBytes);
            }
        }
        var parent = await FindParentAsync(repository, snapshot, cancellationToken).ConfigureAwait(false);
        if (parent is not null)
            await ParentPages.AttachAsync(repository, parent.Record, collector.Windows, cancellationToken).ConfigureAwait(false);
        return new TuneSample($"snapshot {snapshot.ShortId}", collector.Windows, collector.RelationBytesSeen, collector.OtherBytesSeen, read,
            Complete: true, parent?.Id, snapshot.Record.Metadata.SystemIdentifier);
    }

    /// <summary>The newest physical snapshot of the same system that started before <paramref name="snapshot"/>.</summary>
    public static async Task<SnapshotInfo?> FindParentAsync(Repository.Repository repository, SnapshotInfo snapshot, CancellationToken cancellationToken)
    {
        var m = snapshot.Record.Metadata;
        var all = await repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false);
        return all.LastOrDefault(s => s.Id != snapshot.Id && s.Record.Metadata.Kind == SnapshotKind.Physical
            && s.Record.Metadata.SystemIdentifier == m.SystemIdentifier && s.Record.Metadata.StartTime < m.StartTime);
    }

    private static bool Sampled(TreeFile file)
        => file.Entry.Kind == FileKind.Regular && !file.Entry.Path.StartsWith("pg_wal/", StringComparison.Ordinal);

    private static async Task<byte[]> ReadRangeAsync(Repository.Repository repository, TreeFile file, long offset, int length,
        CancellationToken cancellationToken)
    {
        var data = new byte[length];
        if (file.Entry.Layout == FileLayout.Paged)
        {
            var extentSize = file.Entry.ExtentSize;
            for (var e = (int)(offset / extentSize); (long)e * extentSize < offset + length; e++)
                Copy(await repository.ReadExtentAsync(file.Entry, e, file.Extents[e], cancellationToken).ConfigureAwait(false), (long)e * extentSize);
        }
        else
        {
            long at = 0;
            foreach (var chunk in file.Chunks)
            {
                if (at + chunk.PlainLength > offset && at < offset + length)
                    Copy(await repository.ReadChunkAsync(chunk.Id, cancellationToken).ConfigureAwait(false), at);
                at += chunk.PlainLength;
                if (at >= offset + length)
                    break;
            }
        }
        return data;

        void Copy(byte[] piece, long pieceOffset)
        {
            var from = Math.Max(offset, pieceOffset);
            var to = Math.Min(offset + length, pieceOffset + piece.Length);
            if (to > from)
                piece.AsSpan((int)(from - pieceOffset), (int)(to - from)).CopyTo(data.AsSpan((int)(from - offset)));
        }
    }
}
