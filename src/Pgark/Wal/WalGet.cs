using Pgark.Repository.Format;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>
/// restore_command's side: writes one archived WAL file to where PostgreSQL asked. A segment with no complete object
/// is served from the longest prefix its partials and pieces hold (spec repository-format.md §8.1), zero-padded to the segment size (as pg_receivewal's .partial files are), so
/// recovery replays what exists and then sees the end of WAL.
/// </summary>
public static class WalGet
{
    /// <summary>Returns false when the archive has no such file (restore_command then exits 1: "not available").</summary>
    public static async Task<bool> GetAsync(WalStore store, string walFileName, string destination, CancellationToken cancellationToken = default)
    {
        bool askedPartial = walFileName.EndsWith(".partial", StringComparison.Ordinal);
        string name = askedPartial ? walFileName[..^".partial".Length] : walFileName;
        TimelineId? timeline = WalFileName.TimelineOf(name);
        bool isHistory = WalFileName.TryParseHistory(name, out _);
        if (timeline is null || (!isHistory && (name.Length != WalFileName.SegmentNameLength || !name.All(char.IsAsciiHexDigitUpper))))
            throw new WalPushException($"\"{walFileName}\" is not a WAL file name", "restore_command should pass %f, the file PostgreSQL asks for");

        List<WalSegmentObject> candidates = (await store.ListAsync(timeline, cancellationToken).ConfigureAwait(false))
            .Where(o => o.WalFileName == name).ToList();
        WalSegmentObject? chosen = isHistory ? candidates.FirstOrDefault(o => o.Kind == WalKind.History)
            : (askedPartial ? null : candidates.FirstOrDefault(o => o.Kind == WalKind.Full))
              ?? candidates.Where(o => o.Kind == WalKind.Partial && o.ValidLength > 0).MaxBy(o => o.ValidLength);
        if (chosen is null)
            return false;

        byte[] content = await store.ReadAsync(chosen, cancellationToken).ConfigureAwait(false);
        int length = content.Length;
        if (chosen.Kind == WalKind.Partial)
            length = await store.ReadSegmentSizeAsync(chosen, cancellationToken).ConfigureAwait(false);
        await WriteDurablyAsync(destination, content, length, cancellationToken).ConfigureAwait(false);
        return true;
    }

    // Temporary file, fsync, rename: PostgreSQL must never see a half-written segment under the name it asked for.
    private static async Task WriteDurablyAsync(string destination, byte[] content, int length, CancellationToken cancellationToken)
    {
        string full = Path.GetFullPath(destination);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.pgark-{Environment.ProcessId}");
        await using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            await file.WriteAsync(content, cancellationToken).ConfigureAwait(false);
            if (length > content.Length)
                file.SetLength(length);
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, full, overwrite: true);
    }
}
