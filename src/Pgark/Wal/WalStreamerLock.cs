using System.Globalization;
using Pgark.Repository.Format;
using Pgark.Repository.Locks;

namespace Pgark.Wal;

/// <summary>
/// The repository lock a streamer holds: a shared lock (so prune cannot run under it) whose purpose names the
/// cluster, <c>wal-stream &lt;system identifier&gt;</c>. Two streamers for one cluster would each store partials of the
/// same segment and acknowledge WAL the other wrote, so a second one is refused while the first is alive.
/// </summary>
public static class WalStreamerLock
{
    public static string Purpose(ulong systemIdentifier) => string.Create(CultureInfo.InvariantCulture, $"wal-stream {systemIdentifier}");

    public static async Task<RepositoryLock> AcquireAsync(Repository.Repository repository, ulong systemIdentifier,
        CancellationToken cancellationToken = default)
    {
        string purpose = Purpose(systemIdentifier);
        RepositoryLock held = await repository.LockAsync(LockKind.Shared, purpose, cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach ((string name, LockRecord? other) in RepositoryLock.ReadAllAsync(repository.Store, cancellationToken).ConfigureAwait(false))
            {
                if (name == held.FileName || other is null || other.Purpose != purpose || IsStale(other, repository))
                    continue;
                throw new WalStreamException(
                    $"another WAL streamer for system {systemIdentifier} is running: {other.Describe(DateTimeOffset.UtcNow)}",
                    "run one 'pgark wal stream' per cluster and repository; stop the other one first (a lock of a process that is gone is ignored)",
                    inRepository: true);
            }
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return held;
    }

    private static bool IsStale(LockRecord other, Repository.Repository repository)
        => other.IsStale(repository.Options.Hostname, DateTimeOffset.UtcNow, repository.Options.LockStaleAfter, IsProcessAlive);

    // Same rule as the repository's own locks: a pid that exists with the recorded start time is alive.
    private static bool IsProcessAlive(int processId, DateTimeOffset? startTime)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return startTime is not { } recorded
                || Math.Abs((process.StartTime.ToUniversalTime() - recorded.UtcDateTime).TotalSeconds) < 2;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
