namespace Pgark.Wal.Reader;

/// <summary>
/// Totals over a stretch of WAL for inspection commands (<c>pgark wal show</c>): records and bytes per resource
/// manager, heap DELETE records per relation, transaction outcomes. Feed it each record from <see cref="WalReader"/>.
/// </summary>
public sealed class WalStatistics
{
    private readonly long[] _records = new long[256];
    private readonly long[] _bytes = new long[256];
    private readonly long[] _imageBytes = new long[256];
    private readonly Dictionary<RelFileLocator, long> _heapDeletes = [];

    public long RecordCount { get; private set; }

    public long Commits { get; private set; }

    public long Aborts { get; private set; }

    /// <summary>Heap DELETE records (one deleted tuple each) per relation.</summary>
    public IReadOnlyDictionary<RelFileLocator, long> HeapDeletes => _heapDeletes;

    public void Add(WalRecord record)
    {
        RecordCount++;
        _records[record.RmgrId]++;
        _bytes[record.RmgrId] += record.TotalLength;
        _imageBytes[record.RmgrId] += record.ImageLength;
        if (record.IsHeapDelete && record.BlockCount > 0)
        {
            RelFileLocator relation = record.Blocks[0].Relation;
            _heapDeletes[relation] = _heapDeletes.GetValueOrDefault(relation) + 1;
        }

        if (record.Transaction is { } xact)
        {
            if (xact.IsCommit)
            {
                Commits++;
            }
            else
            {
                Aborts++;
            }
        }
    }

    /// <summary>Records, total bytes and full-page-image bytes of one resource manager.</summary>
    public (long Records, long Bytes, long ImageBytes) ForResourceManager(byte rmid) => (_records[rmid], _bytes[rmid], _imageBytes[rmid]);
}
