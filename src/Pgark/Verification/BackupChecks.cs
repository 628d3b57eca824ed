using Pgark.Physical.Restore;
using Pgark.Recovery;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Wire.Replication;

namespace Pgark.Verification;

/// <summary>
/// The checks of one backup beyond its chunks: the WAL from its start to its end is present (in its own pg_wal/ or in the
/// archive), and a physical backup's files are the ones the server's backup_manifest lists, with its sizes, and, when
/// hashed, its checksums (the rules restore applies, so verify fails exactly where a restore would).
/// </summary>
internal static class BackupChecks
{
    private const string ManifestDocument = "backup_manifest";

    public static async Task<BackupVerification> RunAsync(Repository.Repository repository, SnapshotInfo snapshot, WalArchiveMap map,
        bool hash, IEnumerable<string> structuralProblems, CancellationToken cancellationToken)
    {
        var problems = new List<string>(structuralProblems);
        var m = snapshot.Record.Metadata;
        if (m.Kind != SnapshotKind.Physical)
            return new BackupVerification(snapshot, problems, 0, false, 0);

        // One pass over the tree: the pg_wal/ segments it carries and the files to compare with the manifest.
        BackupManifest? manifest = null;
        if (snapshot.Record.Documents.FirstOrDefault(d => d.Name == ManifestDocument) is { } document)
        {
            try
            {
                manifest = BackupManifest.Parse(await repository.ReadDocumentAsync(document, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception e) when (e is InvalidDataException or RepositoryException or System.Text.Json.JsonException or KeyNotFoundException)
            {
                problems.Add($"backup_manifest is unreadable: {e.Message}");
            }
        }
        var walFiles = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var compared = 0;
        if (problems.Count == 0)
        {
            await foreach (var file in repository.ReadTreeAsync(snapshot.Record, cancellationToken).ConfigureAwait(false))
            {
                if (file.Entry.Kind != FileKind.Regular)
                    continue;
                if (file.Entry.Path.StartsWith("pg_wal/", StringComparison.Ordinal))
                {
                    walFiles.Add(file.Entry.Path["pg_wal/".Length..]);
                    continue;
                }
                if (manifest is null)
                    continue;
                compared++;
                seen.Add(file.Entry.Path);
                if (await CompareAsync(repository, manifest, file, hash, cancellationToken).ConfigureAwait(false) is { } problem)
                    problems.Add(problem);
            }
            if (manifest is not null)
            {
                var missing = manifest.Files.Keys.Where(p => !seen.Contains(p)).Order(StringComparer.Ordinal).ToList();
                if (missing.Count > 0)
                    problems.Add($"backup_manifest lists {missing.Count} file(s) the snapshot lacks: {string.Join(", ", missing.Take(5))}");
            }
        }

        // Its WAL, start to end: the snapshot's own pg_wal/ copy or the archive's.
        var needed = NeededSegments(map, m);
        var lacking = needed.Where(n => !walFiles.Contains(n.Name) && !InArchive(map, n)).Select(n => n.Name).ToList();
        if (lacking.Count > 0)
            problems.Add($"WAL from its start {new Lsn(m.StartLsn)} to its end {new Lsn(m.EndLsn)} is incomplete: {string.Join(", ", lacking.Take(5))}"
                + (lacking.Count > 5 ? $" and {lacking.Count - 5} more" : "") + " neither in the backup's pg_wal/ nor in the archive");
        return new BackupVerification(snapshot, problems, compared, hash && manifest is not null, needed.Count);
    }

    private static async Task<string?> CompareAsync(Repository.Repository repository, BackupManifest manifest, TreeFile file, bool hash,
        CancellationToken cancellationToken)
    {
        var path = file.Entry.Path;
        if (!manifest.Files.TryGetValue(path, out var listed))
            return $"'{path}' is in the snapshot but not in its backup_manifest";
        if (listed.Size != file.Entry.Size)
            return $"'{path}' has {file.Entry.Size} bytes but backup_manifest lists {listed.Size}";
        if (!hash || listed.Checksum is null)
            return null;
        ManifestFileChecksum? checksum;
        try
        {
            checksum = ManifestFileChecksum.For(listed.Algorithm);
        }
        catch (PhysicalRestoreException e)
        {
            return $"'{path}': {e.Message}";
        }
        if (checksum is null)
            return null;
        try
        {
            using var sink = new ChecksumSink(checksum);
            await repository.RestoreFileAsync(file, sink, cancellationToken).ConfigureAwait(false);
            return sink.Length != listed.Size ? $"'{path}' reconstructs to {sink.Length} bytes but backup_manifest lists {listed.Size}"
                : checksum.Matches(listed.Checksum, out var actual) ? null
                : $"'{path}' has {checksum.Name} {actual} but backup_manifest lists {listed.Checksum}";
        }
        catch (RepositoryException e)
        {
            return $"'{path}' cannot be read back: {e.Message}";
        }
    }

    /// <summary>Segments from the one holding the start LSN to the one holding the last byte before the end LSN.</summary>
    internal static List<(ulong Number, string Name, Lsn Needed)> NeededSegments(WalArchiveMap map, SnapshotMetadata m)
    {
        var size = map.SegmentSize == 0 ? 16 << 20 : map.SegmentSize;
        var timeline = new TimelineId(m.Timeline);
        var start = new Lsn(m.StartLsn);
        var end = new Lsn(Math.Max(m.EndLsn, m.StartLsn + 1));
        var list = new List<(ulong, string, Lsn)>();
        for (var n = start.SegmentNumber(size); n <= (end - 1).SegmentNumber(size); n++)
            list.Add((n, Lsn.FromSegment(n, 0, size).WalFileName(timeline, size), Lsn.Min(end, Lsn.FromSegment(n + 1, 0, size))));
        return list;
    }

    private static bool InArchive(WalArchiveMap map, (ulong Number, string Name, Lsn Needed) segment)
        => map.SegmentSize != 0 && WalFileNameTimeline(segment.Name) is { } timeline
            && map.TryFindSegment(timeline, segment.Number, out var stored) && stored.End(map.SegmentSize) >= segment.Needed;

    private static TimelineId? WalFileNameTimeline(string name) => Wal.WalFileName.TimelineOf(name);

    /// <summary>A write-only stream that only checksums: the backup's files are reconstructed to be checked, never written.</summary>
    private sealed class ChecksumSink(ManifestFileChecksum checksum) : Stream
    {
        public override long Length => _length;
        private long _length;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            checksum.Append(buffer);
            _length += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                checksum.Dispose();
            base.Dispose(disposing);
        }
    }
}
