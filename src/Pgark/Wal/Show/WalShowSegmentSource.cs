using Pgark.Repository.Format;
using Pgark.Wal.Reader;

namespace Pgark.Wal.Show;

/// <summary>
/// Feeds archived segment objects to the (synchronous) <see cref="WalReader"/> one at a time, loading the next one in
/// the background while the current one is parsed. At most two segments are in memory.
/// </summary>
internal sealed class WalShowSegmentSource(WalStore store, IReadOnlyList<WalSegmentObject> segments, CancellationToken cancellationToken)
{
    /// <summary>Segments handed to the reader so far.</summary>
    public int Loaded { get; private set; }

    public IEnumerable<WalSegmentInput> Inputs()
    {
        Task<byte[]>? next = segments.Count > 0 ? store.ReadAsync(segments[0], cancellationToken) : null;
        for (int i = 0; i < segments.Count; i++)
        {
            byte[] content = next!.GetAwaiter().GetResult();
            next = i + 1 < segments.Count ? store.ReadAsync(segments[i + 1], cancellationToken) : null;
            Loaded++;
            WalSegmentObject segment = segments[i];
            string name = segment.Kind == WalKind.Partial ? segment.WalFileName + ".partial" : segment.WalFileName;
            yield return WalSegmentInput.FromMemory(name, content);
        }
    }

    /// <summary>The first commit or abort time in one segment read alone, or null when it ends no transaction.</summary>
    public static async Task<DateTime?> FirstCompletionTimeAsync(WalStore store, WalSegmentObject segment, CancellationToken cancellationToken)
    {
        byte[] content = await store.ReadAsync(segment, cancellationToken).ConfigureAwait(false);
        using var reader = new WalReader([WalSegmentInput.FromMemory(segment.WalFileName, content)]);
        try
        {
            while (reader.MoveNext())
            {
                if (reader.Current.Transaction is { } completion)
                    return completion.Time;
            }
        }
        catch (WalFormatException e) when (e.Kind == WalErrorKind.Truncated)
        {
            // Read alone, a segment ends inside the record that continues into the next one: that is its end here.
        }
        return null;
    }
}
