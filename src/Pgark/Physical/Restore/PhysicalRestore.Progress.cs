namespace Pgark.Physical.Restore;

/// <summary>How far a physical restore has got, reported through <see cref="PhysicalRestoreOptions.Progress"/>.</summary>
/// <param name="WrittenBytes">Bytes of regular files written (and verified) so far.</param>
/// <param name="TotalBytes">The size of every regular file in the snapshot; the last report has written them all (with
/// <see cref="PhysicalRestoreOptions.Delta"/>, files kept as they were count in <paramref name="Files"/> but not here).</param>
/// <param name="Files">Entries (files, directories, symlinks) restored so far.</param>
/// <param name="TotalFiles">Entries in the snapshot's tree; the last report has <paramref name="Files"/> equal to it.</param>
public sealed record PhysicalRestoreProgress(long WrittenBytes, long TotalBytes, long Files, long TotalFiles);

// Progress: at most once per written mebibyte (and once at the end), counted as pieces are written by whichever parallel write;
// the lock keeps the reports in order so an embedding program never sees the figures go back.
public sealed partial class PhysicalRestore
{
    private const long ProgressStepBytes = 1 << 20;
    private readonly Lock _progressLock = new();
    private long _progressBytes;
    private long _progressFiles;
    private long _nextProgressAt = ProgressStepBytes;
    private long _totalEntries;
    private long _totalBytes;

    /// <summary>
    /// One pass over the tree (metadata only, a small fraction of the restore's reading; the tree is streamed, its entry
    /// count not recorded) for the progress totals and for the largest regular files, which start first: up to
    /// ParallelFiles − 1, so a slot stays for the small files. None in a delta restore (which decides
    /// per directory what to clear) and none under pg_tblspc/ (whose directories the tree's links create).
    /// </summary>
    private async Task<IReadOnlyList<Repository.Snapshots.TreeFile>> SurveyTreeAsync(Repository.Snapshots.SnapshotInfo snapshot, CancellationToken cancellationToken)
    {
        int slots = _options.Delta ? 0 : Math.Max(1, _options.ParallelFiles - 1);
        var largest = new PriorityQueue<Repository.Snapshots.TreeFile, long>(slots + 1);
        await foreach (Repository.Snapshots.TreeFile file in _repository.ReadTreeAsync(snapshot.Record, cancellationToken).ConfigureAwait(false))
        {
            _totalEntries++;
            if (file.Entry.Kind != Repository.Format.FileKind.Regular)
                continue;
            _totalBytes += file.Entry.Size;
            if (slots > 0 && !file.Entry.Path.StartsWith("pg_tblspc/", StringComparison.Ordinal)
                && !RecoverySignals.IsSignal(file.Entry.Path))
            {
                largest.Enqueue(file, file.Entry.Size);
                if (largest.Count > slots)
                    largest.Dequeue(); // the smallest of them
            }
        }
        var first = new List<Repository.Snapshots.TreeFile>(largest.Count);
        while (largest.TryDequeue(out Repository.Snapshots.TreeFile? file, out _))
            first.Add(file);
        first.Reverse(); // largest first
        return first;
    }

    /// <summary>Counts one restored entry (its bytes were counted by <see cref="Wrote"/>); returns them so writes can pass their result through.</summary>
    private long Restored(long bytes)
    {
        if (_options.Progress is null)
            return bytes;
        lock (_progressLock)
            _progressFiles++;
        return bytes;
    }

    /// <summary>Counts bytes as they are written, so a large file moves the progress along instead of arriving at its end.</summary>
    private void Wrote(long bytes)
    {
        if (_options.Progress is not { } progress)
            return;
        lock (_progressLock)
        {
            _progressBytes += bytes;
            if (_progressBytes >= _nextProgressAt)
            {
                _nextProgressAt = _progressBytes + ProgressStepBytes;
                progress.Report(new PhysicalRestoreProgress(_progressBytes, _totalBytes, _progressFiles, _totalEntries));
            }
        }
    }

    private void ReportFinalProgress()
    {
        lock (_progressLock)
            _options.Progress?.Report(new PhysicalRestoreProgress(_progressBytes, _totalBytes, _progressFiles, _totalEntries));
    }
}
