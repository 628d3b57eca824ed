using System.Diagnostics;
using System.Globalization;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;

namespace Pgark.Physical.Restore;

/// <summary>
/// Writes a physical snapshot out as a data directory PostgreSQL can start: directories 0700, files 0600, pg_tblspc
/// symlinks to the (possibly remapped) tablespace locations, the backup's WAL in pg_wal, everything fsynced. Every
/// chunk is checked against its id, and every page of an extent rebuilt from a page delta against its hash, while reading; every file is then checked
/// against backup_manifest (size and SHA-256), and the manifest against its own checksum.
/// </summary>
public sealed partial class PhysicalRestore
{
    /// <summary>Files written and waiting for their fsync at most (each holds a descriptor open until then).</summary>
    private const int FsyncQueueCapacity = 128;

    private readonly Repository.Repository _repository;
    private readonly PhysicalRestoreOptions _options;
    private readonly string _target;
    private readonly Dictionary<string, string> _tablespaces = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directoriesToSync = new(StringComparer.Ordinal);
    private readonly HashSet<string> _restoredPaths = new(StringComparer.Ordinal);
    private long _filesKept;
    private DeferredFsync? _fsync;

    public PhysicalRestore(Repository.Repository repository, PhysicalRestoreOptions options)
    {
        _repository = repository;
        _options = options;
        _target = Path.GetFullPath(options.TargetDirectory);
    }

    public async Task<PhysicalRestoreResult> RunAsync(SnapshotInfo snapshot, CancellationToken cancellationToken = default)
    {
        if (_fsync is not null)
            throw new InvalidOperationException("a PhysicalRestore runs once; create another for the next restore");
        _fsync = new DeferredFsync(FsyncQueueCapacity);
        try
        {
            return await RestoreAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _fsync.Abandon();
            throw;
        }
    }

    private async Task<PhysicalRestoreResult> RestoreAsync(SnapshotInfo snapshot, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        if (snapshot.Record.Metadata.Kind != SnapshotKind.Physical)
            throw new PhysicalRestoreException($"snapshot {snapshot.ShortId} is a {snapshot.Record.Metadata.Kind} backup, not a physical one",
                "choose a physical snapshot", isVerificationFailure: false);

        // Check the target, then load the manifest and the tablespace list the backup recorded.
        PrepareTarget();
        BackupManifest? manifest = null;
        byte[]? manifestBytes = null;
        if (snapshot.Record.Documents.FirstOrDefault(d => d.Name == "backup_manifest") is { } manifestDocument)
        {
            manifestBytes = await _repository.ReadDocumentAsync(manifestDocument, cancellationToken).ConfigureAwait(false);
            manifest = ParseManifest(manifestBytes);
        }
        if (snapshot.Record.Documents.FirstOrDefault(d => d.Name == "tablespaces") is { } tablespaces)
            MapTablespaces(TablespaceDocument.Decode(await _repository.ReadDocumentAsync(tablespaces, cancellationToken).ConfigureAwait(false)));

        // Write every file in path order (directories before what they hold), regular files a few at a time in parallel,
        // checking each against the manifest as it is written.
        var verifier = new ManifestVerifier(manifest);
        var writer = new ParallelFileWriter(_options.ParallelFiles);
        long files = 0;
        int walSegments = 0;
        // The largest files start first (their directories made ahead of the tree), so the many small files restore beside
        // them instead of before them, leaving a large file to finish alone at the end.
        IReadOnlyList<TreeFile> largest = await SurveyTreeAsync(snapshot, cancellationToken).ConfigureAwait(false);
        var startedEarly = new HashSet<string>(StringComparer.Ordinal);
        foreach (TreeFile file in largest)
        {
            CreateParentsAhead(file.Entry.Path);
            startedEarly.Add(file.Entry.Path);
            await writer.StartAsync(async token => Restored(await WriteAsync(file, verifier, token).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
            files++;
        }
        var signalsLeftOut = new List<string>();
        await foreach (TreeFile file in _repository.ReadTreeAsync(snapshot.Record, cancellationToken).ConfigureAwait(false))
        {
            if (startedEarly.Contains(file.Entry.Path))
                continue;
            if (file.Entry.Kind == FileKind.Regular && RecoverySignals.IsSignal(file.Entry.Path))
            {
                verifier.Skip(file.Entry.Path); // listed in the manifest, deliberately not restored
                signalsLeftOut.Add(file.Entry.Path);
                continue;
            }
            if (file.Entry.Kind == FileKind.Regular)
                await writer.StartAsync(async token => Restored(await WriteAsync(file, verifier, token).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
            else
                Restored(await WriteAsync(file, verifier, cancellationToken).ConfigureAwait(false));
            files++;
            if (IsWalSegment(file))
                walSegments++;
        }
        walSegments += largest.Count(IsWalSegment);
        long bytes = await writer.CompleteAsync().ConfigureAwait(false);
        ReportFinalProgress();
        long removed = _options.Delta ? RemoveWhatTheBackupLacks() : 0;

        // Every file the manifest lists must have been restored; keep the manifest beside the data as pg_basebackup does.
        verifier.CheckAllSeen();
        if (manifestBytes is not null)
            await WriteManifestAsync(manifestBytes, cancellationToken).ConfigureAwait(false);
        await RewriteTablespaceMapAsync(cancellationToken).ConfigureAwait(false);

        // Every file on disk, then the directories that name them.
        await _fsync!.CompleteAsync().ConfigureAwait(false);
        foreach (string directory in _directoriesToSync)
            DirectoryFsync.Run(directory);
        return new PhysicalRestoreResult(files, bytes, verifier.Verified, walSegments, clock.Elapsed, _filesKept, removed) { Damaged = _damaged, SignalFilesLeftOut = signalsLeftOut };
    }

    private static bool IsWalSegment(TreeFile file)
        => file.Entry.Kind == FileKind.Regular && file.Entry.Path.StartsWith("pg_wal/", StringComparison.Ordinal);

    /// <summary>Creates the directories above a file started before the tree reaches them (0700, as the tree's own entries will be).</summary>
    private void CreateParentsAhead(string path)
    {
        for (int slash = path.IndexOf('/'); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            string local = LocalPath(path[..slash]);
            PrivateModes.CreateDirectory(local);
            lock (_directoriesToSync)
                _directoriesToSync.Add(local);
        }
    }

    private void PrepareTarget()
    {
        if (_options.Delta && Directory.Exists(_target) && Directory.EnumerateFileSystemEntries(_target).Any())
        {
            CheckDeltaTarget();
        }
        else if (Directory.Exists(_target) && Directory.EnumerateFileSystemEntries(_target).Any())
        {
            if (!_options.Force)
                throw new PhysicalRestoreException($"the target directory {_target} is not empty",
                    "restore into a new or empty directory, or pass --force to delete what it holds", isVerificationFailure: false);
            foreach (string entry in Directory.EnumerateFileSystemEntries(_target))
            {
                if (Directory.Exists(entry) && !new FileInfo(entry).Attributes.HasFlag(FileAttributes.ReparsePoint))
                    Directory.Delete(entry, recursive: true);
                else
                    File.Delete(entry);
            }
        }
        PrivateModes.CreateDirectory(_target);
        _directoriesToSync.Add(_target);
    }

    private static BackupManifest ParseManifest(byte[] bytes)
    {
        try
        {
            return BackupManifest.Parse(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or KeyNotFoundException or FormatException)
        {
            throw new PhysicalRestoreException($"the backup's manifest is unusable: {e.Message}",
                "run pgark check --read-data on the repository; the snapshot may be damaged");
        }
    }

    private void MapTablespaces(IReadOnlyList<(uint Oid, string Location)> tablespaces)
    {
        foreach (var (oid, location) in tablespaces)
        {
            string target = _options.TablespaceMapping.GetValueOrDefault(location, location);
            if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !_options.Force && !_options.Delta)
                throw new PhysicalRestoreException($"tablespace {oid}'s directory {target} is not empty",
                    $"map it elsewhere (PhysicalRestoreOptions.TablespaceMapping), or pass --force", isVerificationFailure: false);
            _tablespaces["pg_tblspc/" + oid.ToString(CultureInfo.InvariantCulture)] = target;
        }
    }

    /// <summary>Where a snapshot path goes: under the target, or under a tablespace's location.</summary>
    private string LocalPath(string path)
    {
        if (path.Split('/').Any(segment => segment is "" or "." or ".."))
            throw new PhysicalRestoreException($"the snapshot names an unsafe path '{path}'", "the snapshot is damaged; run pgark check");
        if (path.StartsWith("pg_tblspc/", StringComparison.Ordinal))
        {
            int second = path.IndexOf('/', "pg_tblspc/".Length);
            string link = second < 0 ? path : path[..second];
            if (second > 0 && _tablespaces.TryGetValue(link, out string? location))
                return Path.Combine(location, path[(second + 1)..]);
        }
        return Path.Combine(_target, path);
    }

    private async Task<long> WriteAsync(TreeFile file, ManifestVerifier verifier, CancellationToken cancellationToken)
    {
        FileEntry entry = file.Entry;
        string local = LocalPath(entry.Path);
        string parent = Path.GetDirectoryName(local)!;
        lock (_directoriesToSync)
        {
            _directoriesToSync.Add(parent);
            _restoredPaths.Add(local);
        }
        switch (entry.Kind)
        {
            case FileKind.Directory when _tablespaces.TryGetValue(entry.Path, out string? location):
                // pg_tblspc/<oid>: the tablespace lives at its location; the data directory holds a symlink to it.
                PrivateModes.CreateDirectory(location);
                CreateSymlink(local, location);
                lock (_directoriesToSync)
                    _directoriesToSync.Add(location);
                return 0;
            case FileKind.Directory:
                ClearForDirectory(local);
                PrivateModes.CreateDirectory(local);
                lock (_directoriesToSync)
                    _directoriesToSync.Add(local);
                return 0;
            case FileKind.Symlink:
                CreateSymlink(local, entry.LinkTarget);
                return 0;
        }
        if (_options.Delta && await IsUnchangedAsync(entry, local, verifier, cancellationToken).ConfigureAwait(false))
            return 0;
        ClearForFile(local);
        FileStream? stream = new(local, PrivateModes.NewFile(_options.Delta ? FileMode.Create : FileMode.CreateNew, entry.Size));
        try
        {
            if (_options.Delta)
                PrivateModes.RestrictFile(local); // an existing file keeps its mode through FileMode.Create
            long written = await WriteContentAsync(file, stream, verifier, cancellationToken).ConfigureAwait(false);
            File.SetLastWriteTimeUtc(stream.SafeFileHandle, entry.ModifiedTime.UtcDateTime); // before the fsync, which then covers it
            await _fsync!.AddAsync(stream, cancellationToken).ConfigureAwait(false);
            stream = null; // the fsync thread closes it
            return written;
        }
        finally
        {
            stream?.Dispose();
        }
    }

    /// <summary>Writes a regular file's content and checks it against the snapshot and backup_manifest; returns its size.</summary>
    private async Task<long> WriteContentAsync(TreeFile file, FileStream stream, ManifestVerifier verifier, CancellationToken cancellationToken)
    {
        FileEntry entry = file.Entry;
        using var hashing = new HashingFileStream(stream, verifier.NewChecksum(entry.Path), _options.Progress is null ? null : Wrote);
        if (_options.ContinueOnDamage)
        {
            // A drill reports every damaged file instead of stopping at the first: unreadable pieces become zeros.
            if (await RestoreToleratingDamageAsync(file, hashing, cancellationToken).ConfigureAwait(false))
            {
                verifier.Skip(entry.Path);
                return hashing.Written;
            }
        }
        else
        {
            await _repository.RestoreFileAsync(file, hashing, cancellationToken).ConfigureAwait(false);
        }
        if (hashing.Written != entry.Size)
            throw new PhysicalRestoreException($"'{entry.Path}' restored to {hashing.Written} bytes but the snapshot says {entry.Size}",
                "the snapshot is damaged; run pgark check --read-data");
        verifier.Check(entry.Path, hashing.Written, hashing.Checksum);
        return hashing.Written;
    }

    /// <summary>
    /// Recovery from backup_label recreates pg_tblspc links from tablespace_map, so after a remap (and only after the
    /// file was verified as backed up) it must name the new locations.
    /// </summary>
    private async Task RewriteTablespaceMapAsync(CancellationToken cancellationToken)
    {
        string path = Path.Combine(_target, "tablespace_map");
        if (_tablespaces.Count == 0 || _options.TablespaceMapping.Count == 0 || !File.Exists(path))
            return;
        var lines = _tablespaces.Select(t => t.Key["pg_tblspc/".Length..] + " " + t.Value);
        await WriteSmallFileAsync(path, System.Text.Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"), cancellationToken).ConfigureAwait(false);
    }

    private Task WriteManifestAsync(byte[] manifest, CancellationToken cancellationToken)
        => WriteSmallFileAsync(Path.Combine(_target, "backup_manifest"), manifest, cancellationToken);

    /// <summary>Writes a file pgark makes itself (not one from the snapshot); fsynced with the restored files.</summary>
    private async Task WriteSmallFileAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        FileStream? stream = new(path, PrivateModes.NewFile(FileMode.Create));
        try
        {
            stream.Write(content);
            await _fsync!.AddAsync(stream, cancellationToken).ConfigureAwait(false);
            stream = null;
        }
        finally
        {
            stream?.Dispose();
        }
    }
}
