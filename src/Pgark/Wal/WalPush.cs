using System.Buffers.Binary;
using Pgark.Repository.Format;
using Pgark.Repository.Locks;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>What <see cref="WalPush.PushAsync"/> did.</summary>
public enum WalPushOutcome
{
    Stored,
    AlreadyArchived,

    /// <summary>A backup history file: accepted so archiving continues, not stored (see spec/wal-archiving.md §4).</summary>
    SkippedBackupHistory,
}

/// <summary>
/// archive_command's side: stores one WAL file PostgreSQL hands over (a segment, a timeline's last segment named
/// <c>….partial</c>, or a <c>TTTTTTTT.history</c>). Pushing the same bytes again succeeds, because PostgreSQL
/// retries a file whose archiving it could not confirm; different bytes under an archived name fail loudly.
/// A backup history file (<c>….OOOOOOOO.backup</c>) is accepted and not stored: recovery never asks for one, and
/// everything it says (start and stop location, label, times) is in pgark's own snapshot of the backup; refusing it
/// would stall archiving at the first base backup.
/// </summary>
public static class WalPush
{
    /// <summary>
    /// Archives the file at <paramref name="path"/> as WAL of its cluster (repository-format.md §8.2): a segment's own first page
    /// names it; a history file's is <paramref name="systemIdentifier"/>, else the one in pg_control beside the pg_wal it came
    /// from, else the one cluster the archive holds. A segment of another system than <paramref name="systemIdentifier"/> is refused.
    /// </summary>
    public static async Task<WalPushOutcome> PushAsync(Repository.Repository repository, string path, ulong? systemIdentifier = null,
        CancellationToken cancellationToken = default)
    {
        string fileName = Path.GetFileName(path);
        if (WalFileName.IsBackupHistory(fileName))
            return await SkipBackupHistoryAsync(path, fileName, cancellationToken).ConfigureAwait(false);
        byte[] content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        await using RepositoryLock held = await repository.LockAsync(LockKind.Shared, "archive-wal", cancellationToken).ConfigureAwait(false);

        if (WalFileName.TryParseHistory(fileName, out TimelineId historyTimeline))
        {
            WalStore store = new(repository, await HistoryClusterAsync(repository, path, systemIdentifier, cancellationToken).ConfigureAwait(false));
            int before = (await store.ListAsync(historyTimeline, cancellationToken).ConfigureAwait(false)).Count(o => o.Kind == WalKind.History);
            await store.PutHistoryAsync(historyTimeline, content, cancellationToken).ConfigureAwait(false);
            return before == 0 ? WalPushOutcome.Stored : WalPushOutcome.AlreadyArchived;
        }

        bool partial = fileName.EndsWith(".partial", StringComparison.Ordinal);
        string segmentName = partial ? fileName[..^".partial".Length] : fileName;
        int segmentSize = content.Length;
        if (segmentSize < 1 << 20 || segmentSize > 1 << 30 || !int.IsPow2(segmentSize)
            || !WalFileName.TryParseSegment(segmentName, segmentSize, out TimelineId timeline, out ulong segmentNumber))
        {
            throw new WalPushException($"\"{fileName}\" ({content.Length} bytes) is not a WAL segment or history file",
                "archive_command should pass %p, the path of the file PostgreSQL wants archived");
        }
        CheckPageHeader(fileName, content, timeline, segmentNumber, segmentSize);
        ulong system = WalPageHeader.TryReadSystemIdentifier(content)!.Value;
        if (systemIdentifier is { } asked && asked != system)
        {
            throw new WalPushException($"\"{fileName}\" is WAL of system {system}, not of --system-id {asked}",
                "archive_command passes the cluster's own segments; drop --system-id (a segment's first page names its system) or fix it");
        }
        WalStore segments = new(repository, system);

        foreach (WalSegmentObject existing in await segments.ListAsync(timeline, cancellationToken).ConfigureAwait(false))
        {
            if (existing.WalFileName != segmentName || existing.Kind != (partial ? WalKind.Partial : WalKind.Full))
                continue;
            byte[] stored = await segments.ReadAsync(existing, cancellationToken).ConfigureAwait(false);
            if (stored.AsSpan().SequenceEqual(content))
                return WalPushOutcome.AlreadyArchived;
            if (!partial)
                throw new WalConflictException(fileName, existing.ObjectName);
        }
        await segments.PutSegmentAsync(timeline, segmentNumber, segmentSize, content, partial, cancellationToken).ConfigureAwait(false);
        return WalPushOutcome.Stored;
    }

    /// <summary>
    /// A history file names no system. archive_command runs in the data directory and passes pg_wal/NAME, so pg_control
    /// (whose first field, a u64, is the system identifier) lies beside that pg_wal; a file pushed from elsewhere needs
    /// --system-id unless the archive holds one cluster.
    /// </summary>
    private static async Task<ulong> HistoryClusterAsync(Repository.Repository repository, string path, ulong? asked, CancellationToken cancellationToken)
    {
        if (asked is { } given)
            return given;
        string? walDirectory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (walDirectory is not null && Path.GetFileName(walDirectory) == "pg_wal"
            && Path.Combine(Path.GetDirectoryName(walDirectory)!, "global", "pg_control") is { } control && File.Exists(control))
        {
            byte[] head = new byte[sizeof(ulong)];
            await using FileStream file = File.OpenRead(control);
            if (await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) == head.Length)
                return BinaryPrimitives.ReadUInt64LittleEndian(head);
        }
        return await WalClusters.ResolveAsync(repository, null, cancellationToken).ConfigureAwait(false)
            ?? throw new WalPushException($"\"{Path.GetFileName(path)}\" is a timeline history file, which names no cluster, and the repository holds no WAL yet",
                "pass --system-id with the cluster's system identifier (pg_controldata's \"Database system identifier\"), or push from the data directory's pg_wal");
    }

    // Checked as far as the name and first line go, so that a segment renamed to *.backup is not silently dropped.
    private static async Task<WalPushOutcome> SkipBackupHistoryAsync(string path, string fileName, CancellationToken cancellationToken)
    {
        const string FirstLine = "START WAL LOCATION: ";
        var buffer = new byte[FirstLine.Length];
        int read;
        await using (FileStream file = File.OpenRead(path))
            read = await file.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read != buffer.Length || !buffer.AsSpan().SequenceEqual(System.Text.Encoding.ASCII.GetBytes(FirstLine)))
        {
            throw new WalPushException($"\"{fileName}\" is named like a backup history file but does not start with \"{FirstLine.TrimEnd()}\"",
                "archive_command should pass %p, the path of the file PostgreSQL wants archived");
        }
        return WalPushOutcome.SkippedBackupHistory;
    }

    // A renamed or mixed-up file would be archived under the wrong name: the first page says which segment it is.
    private static void CheckPageHeader(string fileName, byte[] content, TimelineId timeline, ulong segmentNumber, int segmentSize)
    {
        if (WalPageHeader.TryReadSystemIdentifier(content) is null)
        {
            throw new WalPushException($"\"{fileName}\" does not start with a WAL long page header",
                "the file is not a WAL segment, or it was damaged before archiving");
        }
        ulong pageAddress = BinaryPrimitives.ReadUInt64LittleEndian(content.AsSpan(WalPageHeader.PageAddressOffset));
        uint segmentSizeInHeader = BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(WalPageHeader.SegmentSizeOffset));
        if (pageAddress != Lsn.FromSegment(segmentNumber, 0, segmentSize).Value || segmentSizeInHeader != segmentSize)
        {
            throw new WalPushException(
                $"\"{fileName}\" holds WAL of {new Lsn(pageAddress)} with segment size {segmentSizeInHeader}, not of its name (timeline {timeline})",
                "the file was renamed or copied over; archive the file PostgreSQL passes as %p");
        }
    }
}

/// <summary>A file handed to <c>wal push</c> is not something pgark may archive under its name.</summary>
public sealed class WalPushException(string message, string hint) : Exception(message)
{
    public string Hint { get; } = hint;
}
