using System.Diagnostics;
using System.Globalization;
using Pgark.Physical.RowCounts;
using Pgark.Repository;
using Pgark.Repository.Chunking;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Wire;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Physical;

/// <summary>
/// A physical backup over the replication protocol: BASE_BACKUP for the files, a concurrent START_REPLICATION for the
/// WAL that makes them consistent, both into one repository session whose snapshot is committed last. If anything
/// fails before the commit, the repository holds only unreferenced packs (spec §14) and no snapshot.
/// </summary>
public sealed partial class PhysicalBackup
{
    private readonly Repository.Repository _repository;
    private readonly ConnectionSettings _settings;
    private readonly PhysicalBackupOptions _options;
    private readonly BackupTree _tree = new();
    private readonly FastCdc _chunker;
    private ParentSnapshot _parent = ParentSnapshot.None;
    private long _receivedBytes;

    public PhysicalBackup(Repository.Repository repository, ConnectionSettings settings, PhysicalBackupOptions? options = null)
    {
        _repository = repository;
        _settings = settings.Replication == ReplicationMode.Physical ? settings : settings with { Replication = ReplicationMode.Physical };
        _options = options ?? new PhysicalBackupOptions();
        _chunker = new FastCdc(repository.Settings.Chunking);
    }

    public async Task<PhysicalBackupResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        StartPhases();
        DateTimeOffset startTime = DateTimeOffset.UtcNow;

        // Identify the system: which cluster, which version, how big its WAL segments are.
        await using PgConnection connection = await PgConnection.OpenAsync(_settings, cancellationToken).ConfigureAwait(false);
        IdentifySystemResult system = await connection.IdentifySystemAsync(cancellationToken).ConfigureAwait(false);
        int segmentSize = ParseSegmentSize(await connection.ShowAsync("wal_segment_size", cancellationToken).ConfigureAwait(false));
        EndPhase("connect and identify");

        // Take the repository's shared lock and find the parent snapshot for page deltas.
        await using BackupSession session = await _repository.BeginBackupAsync("physical backup", cancellationToken).ConfigureAwait(false);
        if (_options.UseParent)
            _parent = await ParentSnapshot.LoadAsync(_repository, system.SystemId, cancellationToken).ConfigureAwait(false);
        EndPhase("lock and parent snapshot");

        // Reserve WAL with a temporary slot on a second connection, before the backup's checkpoint.
        string spool = Path.Combine(_options.SpoolDirectory, "pgark-wal-" + Guid.NewGuid().ToString("N"));
        await using WalReceiver wal = await WalReceiver.ReserveAsync(_settings, spool, segmentSize, cancellationToken).ConfigureAwait(false);
        EndPhase("WAL slot");

        // Start the backup, then stream its WAL from the start position concurrently.
        await using BaseBackupStream backup = await BaseBackupStream.StartAsync(connection, ToWire(_options), cancellationToken).ConfigureAwait(false);
        EndPhase("BASE_BACKUP start (checkpoint)");
        await wal.StartAsync(backup.StartLsn, backup.StartTimeline, cancellationToken).ConfigureAwait(false);
        EndPhase("WAL streaming start");

        // Stream the archives into the repository: relation files as extents, everything else through FastCDC.
        byte[] manifest = await ReceiveArchivesAsync(backup, session, cancellationToken).ConfigureAwait(false);
        EndPhase("stream archives");

        // Take a logical slot's snapshot for exact row counts (wal_level=logical); its WAL must then reach past the slot.
        (RowCounter? counter, string? rowCountsSkipped) = _options.CountRows
            ? await RowCounter.TryStartAsync(_settings, cancellationToken).ConfigureAwait(false)
            : (null, "turned off (--no-row-counts)");
        await using var holdsSlot = counter;
        EndPhase("row-count slot and marker");

        // Count every table's rows under the slot's snapshot (what a restore drill compares against) on the server while
        // the WAL is waited for and stored here: the counts are a server-side scan, the WAL is pgark's work.
        Task<RowCountDocument>? counting = counter?.CountAsync(cancellationToken);
        long walBytes;
        try
        {
            // Wait for the WAL up to the end position, then store it as pg_wal/ files of the snapshot.
            await wal.StopAtAsync(Lsn.Max(backup.EndLsn, counter?.StreamUntil ?? backup.EndLsn), cancellationToken).ConfigureAwait(false);
            EndPhase("wait for WAL end");
            walBytes = await StoreWalAsync(session, wal.Segments, cancellationToken).ConfigureAwait(false);
            EndPhase("store WAL");
        }
        catch when (counting is not null)
        {
            // The backup fails; the count must still end before its snapshot's slot goes away, and its own error is moot.
            await ((Task)counting).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }

        RowCountDocument? counts = null;
        if (counting is not null)
        {
            try
            {
                counts = await counting.ConfigureAwait(false);
                await session.AddDocumentAsync(RowCountDocument.DocumentName, counts.Encode(), cancellationToken).ConfigureAwait(false);
            }
            catch (PgServerException e)
            {
                rowCountsSkipped = $"counting failed: {e.MessageText}";
            }
        }
        EndPhase("count rows");

        // Attach backup_manifest and the tablespace list, write the tree, and publish the snapshot last.
        if (manifest.Length > 0)
            await session.AddDocumentAsync("backup_manifest", manifest, cancellationToken).ConfigureAwait(false);
        await session.AddDocumentAsync("tablespaces", TablespaceDocument.Encode(backup.Tablespaces), cancellationToken).ConfigureAwait(false);
        await _tree.WriteAsync(session).ConfigureAwait(false);
        EndPhase("documents and tree");
        var metadata = new SnapshotMetadata(SnapshotKind.Physical, system.SystemId, connection.ServerVersionNumber,
            backup.StartTimeline.Value, backup.StartLsn.Value, backup.EndLsn.Value, startTime, DateTimeOffset.UtcNow,
            _options.Label, _repository.Options.Hostname, _parent.Id);
        SnapshotInfo snapshot = await session.CommitAsync(metadata, cancellationToken).ConfigureAwait(false);
        EndPhase("commit");
        return new PhysicalBackupResult(snapshot, _tree.Count, _receivedBytes, walBytes, session.StoredBytes, session.StoredChunks,
            session.DeduplicatedChunks, clock.Elapsed)
        {
            RowCounts = counts,
            RowCountsSkipped = rowCountsSkipped,
            Phases = _phases,
            ServerWait = ServerWait,
        };
    }

    private static BaseBackupOptions ToWire(PhysicalBackupOptions options) => new()
    {
        Label = options.Label,
        Checkpoint = options.Checkpoint,
        MaxRateKilobytesPerSecond = options.MaxRateKilobytesPerSecond,
        VerifyChecksums = options.VerifyChecksums,
        TablespaceMap = true,
        Manifest = true,
        ManifestChecksum = ManifestChecksum.Crc32C, // what restore and verify check files against; see Restore/ManifestFileChecksum.cs
    };

    /// <summary>Adds the spooled segments as pg_wal/&lt;segment&gt; so a restore is startable without an archive.</summary>
    private async Task<long> StoreWalAsync(BackupSession session, IReadOnlyList<string> segments, CancellationToken cancellationToken)
    {
        long total = 0;
        foreach (string segment in segments)
        {
            string path = "pg_wal/" + Path.GetFileName(segment);
            await using var file = new FileStream(segment, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            using var chunker = new StreamChunker(file, _chunker);
            var chunks = new List<ChunkRef>();
            for (ReadOnlyMemory<byte> chunk; !(chunk = await chunker.ReadChunkAsync(cancellationToken).ConfigureAwait(false)).IsEmpty;)
                await session.QueueChunkAsync(chunk, chunks, cancellationToken: cancellationToken).ConfigureAwait(false);
            _tree.Add(FileEntry.Regular(path, file.Length, File.GetLastWriteTimeUtc(segment), 0x8180), chunks, []);
            total += file.Length;
        }
        return total;
    }

    /// <summary>"16MB" → 16777216 (SHOW prints wal_segment_size with a unit).</summary>
    internal static int ParseSegmentSize(string text)
    {
        int unitAt = text.IndexOfAny(['k', 'M', 'G']);
        if (unitAt <= 0 || !int.TryParse(text.AsSpan(0, unitAt), NumberStyles.None, CultureInfo.InvariantCulture, out int number))
            throw new FormatException($"wal_segment_size '{text}' is not a size like 16MB");
        return text[unitAt..] switch
        {
            "kB" => number << 10,
            "MB" => number << 20,
            "GB" => number << 30,
            _ => throw new FormatException($"wal_segment_size '{text}' has an unknown unit"),
        };
    }
}
