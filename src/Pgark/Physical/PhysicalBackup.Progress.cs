using Pgark.Wire.Replication;

namespace Pgark.Physical;

/// <summary>How far a physical backup has got, reported through <see cref="PhysicalBackupOptions.Progress"/>.</summary>
/// <param name="ReceivedBytes">Bytes of the server's archives received so far.</param>
/// <param name="EstimatedTotalBytes">The server's estimate of the whole backup (BASE_BACKUP PROGRESS); null when it sent none.</param>
/// <param name="Files">Files and directories stored so far.</param>
public sealed record PhysicalBackupProgress(long ReceivedBytes, long? EstimatedTotalBytes, long Files);

// Progress reporting: at most once per received mebibyte, so a callback that redraws a terminal line costs nothing.
public sealed partial class PhysicalBackup
{
    private const long ProgressStepBytes = 1 << 20;
    private long _nextProgressAt;

    private void ReportProgress(BaseBackupStream backup, bool final)
    {
        if (_options.Progress is not { } progress || (!final && _receivedBytes < _nextProgressAt))
            return;
        _nextProgressAt = _receivedBytes + ProgressStepBytes;
        long? estimate = backup.Tablespaces.Count > 0 && backup.Tablespaces.All(t => t.Size is not null)
            ? backup.Tablespaces.Sum(t => t.Size!.Value) * 1024
            : null;
        progress.Report(new PhysicalBackupProgress(_receivedBytes, estimate, _tree.Count));
    }
}
