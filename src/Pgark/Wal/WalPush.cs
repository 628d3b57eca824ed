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
    public static async Task<WalPushOutcome> PushAsync(WalStore store, string path, CancellationToken cancellationToken = default)
    {
        string fileName = Path.GetFileName(path);
        if (WalFileName.IsBackupHistory(fileName))
            return await SkipBackupHistoryAsync(path, fileName, cancellationToken).ConfigureAwait(false);
        byte[] content = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        await using RepositoryLock held = await store.Repository.LockAsync(LockKind.Shared, "archive-wal", cancellationToken).ConfigureAwait(false);

        if (WalFileName.TryParseHistory(fileName, out TimelineId historyTimeline))
        {
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

        foreach (WalSegmentObject existing in await store.ListAsync(timeline, cancellationToken).ConfigureAwait(false))
        {
            if (existing.WalFileName != segmentName || existing.Kind != (partial ? WalKind.Partial : WalKind.Full))
                continue;
            byte[] stored = await store.ReadAsync(existing, cancellationToken).ConfigureAwait(false);
            if (stored.AsSpan().SequenceEqual(content))
                return WalPushOutcome.AlreadyArchived;
            if (!partial)
                throw new WalConflictException(fileName, existing.ObjectName);
        }
        await store.PutSegmentAsync(timeline, segmentNumber, segmentSize, content, partial, cancellationToken).ConfigureAwait(false);
        return WalPushOutcome.Stored;
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
