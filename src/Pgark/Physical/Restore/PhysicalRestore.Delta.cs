using System.Buffers;
using Pgark.Repository.Snapshots;

namespace Pgark.Physical.Restore;

// --delta: restore over an existing data directory, rewriting only what differs and removing what the backup lacks.
public sealed partial class PhysicalRestore
{
    /// <summary>Refuses a running server's directory, and a directory that is not a data directory at all.</summary>
    private void CheckDeltaTarget()
    {
        if (File.Exists(Path.Combine(_target, "postmaster.pid")))
            throw new PhysicalRestoreException($"{_target} holds postmaster.pid: a server may be running on it",
                "stop the server first (pg_ctl stop); if it crashed, remove postmaster.pid, then run the restore again", isVerificationFailure: false);
        if (!File.Exists(Path.Combine(_target, "PG_VERSION")))
            throw new PhysicalRestoreException($"{_target} is not empty and has no PG_VERSION: it does not look like a data directory",
                "--delta only restores over a PostgreSQL data directory; give an empty or missing directory, or --force to delete what it holds",
                isVerificationFailure: false);
    }

    /// <summary>
    /// Whether the file on disk already is the backed-up one: same size, and the checksum backup_manifest lists. Such a
    /// file counts as verified and is not written. Files the manifest does not checksum (WAL) are always rewritten.
    /// </summary>
    private async Task<bool> IsUnchangedAsync(FileEntry entry, string local, ManifestVerifier verifier, CancellationToken cancellationToken)
    {
        var info = new FileInfo(local);
        if (!info.Exists || info.LinkTarget is not null || info.Length != entry.Size || verifier.NewChecksum(entry.Path) is not { } checksum)
            return false;
        using (checksum)
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                await using var stream = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    checksum.Append(buffer.AsSpan(0, read));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
            if (!verifier.TryVerify(entry.Path, entry.Size, checksum))
                return false;
        }
        PrivateModes.RestrictFile(local);
        Interlocked.Increment(ref _filesKept);
        return true;
    }

    /// <summary>A directory or symlink where a file goes is removed first (only a delta restore meets one).</summary>
    private void ClearForFile(string local)
    {
        if (!_options.Delta)
            return;
        var info = new FileInfo(local);
        if (info.LinkTarget is not null)
            info.Delete();
        else if (Directory.Exists(local))
            Directory.Delete(local, recursive: true);
    }

    private void ClearForDirectory(string local)
    {
        if (!_options.Delta)
            return;
        var info = new FileInfo(local);
        if (info.LinkTarget is not null || info.Exists)
            info.Delete();
    }

    /// <summary>Creates a symlink; in a delta restore whatever stood at its place is replaced unless it already is that link.</summary>
    private void CreateSymlink(string local, string target)
    {
        if (_options.Delta)
        {
            var info = new FileInfo(local);
            if (info.LinkTarget == target)
                return;
            if (info.LinkTarget is not null || info.Exists)
                info.Delete();
            else if (Directory.Exists(local))
                Directory.Delete(local, recursive: true);
        }
        File.CreateSymbolicLink(local, target);
    }

    /// <summary>Deletes everything under the target and the tablespace locations that the snapshot does not hold.</summary>
    private long RemoveWhatTheBackupLacks()
    {
        _restoredPaths.Add(Path.Combine(_target, "backup_manifest")); // written next, from the snapshot
        long removed = 0;
        foreach (string root in _tablespaces.Values.Prepend(_target))
            removed += RemoveUnder(root);
        return removed;
    }

    private long RemoveUnder(string directory)
    {
        long removed = 0;
        foreach (string entry in Directory.EnumerateFileSystemEntries(directory))
        {
            bool isLink = new FileInfo(entry).LinkTarget is not null;
            bool isDirectory = !isLink && Directory.Exists(entry);
            if (_restoredPaths.Contains(entry))
            {
                if (isDirectory)
                    removed += RemoveUnder(entry);
                continue;
            }
            if (isDirectory)
                Directory.Delete(entry, recursive: true);
            else
                File.Delete(entry);
            _directoriesToSync.Add(directory);
            removed++;
        }
        return removed;
    }
}
