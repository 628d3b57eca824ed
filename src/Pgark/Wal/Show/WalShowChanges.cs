using System.Buffers.Binary;
using Pgark.Wal.Reader;
using Pgark.Wire.Replication;

namespace Pgark.Wal.Show;

/// <summary>
/// Attributes data records to the transactions that wrote them (by xl_xid) until their commit or abort record, then
/// hands back the whole transaction, subtransactions merged. Memory is bounded by the request's limits, not by how
/// much WAL is read: at most <see cref="WalShowRequest.MaxOpenTransactions"/> open transactions of at most
/// <see cref="WalShowRequest.MaxRelationsPerTransaction"/> relations each.
/// </summary>
internal sealed class WalShowChanges(int maxOpenTransactions, int maxRelationsPerTransaction)
{
    // heapam_xlog.h: xl_heap_multi_insert begins with flags (1 byte, then padding) and ntuples (uint16 at offset 2).
    private const int MultiInsertTuplesOffset = 2;
    private const byte HeapInsert = 0x00;
    private const byte HeapUpdate = 0x20;
    private const byte HeapHotUpdate = 0x40;
    private const byte Heap2MultiInsert = 0x50;

    private readonly Dictionary<uint, OpenTransaction> _open = [];

    /// <summary>Transactions dropped because more than the limit were open at once; their changes are not listed.</summary>
    public long Evicted { get; private set; }

    /// <summary>Counts a data record against its transaction. Records without an xid (checkpoints, vacuum) are ignored.</summary>
    public void Add(WalRecord record)
    {
        if (record.Xid == 0 || record.BlockCount == 0)
            return;
        OpenTransaction open = Open(record.Xid, record.StartLsn);
        (long inserted, long updated, long deleted) = RowCounts(record);
        // Heap and Heap2 are both the table access method; users think of one table, not two resource managers.
        byte rmgr = record.Rmgr == WalResourceManager.Heap2 ? (byte)WalResourceManager.Heap : record.RmgrId;
        ReadOnlySpan<WalBlockReference> blocks = record.Blocks;
        for (int i = 0; i < blocks.Length; i++)
        {
            RelFileLocator relation = blocks[i].Relation;
            if (IsRepeat(blocks, i))
                continue; // the same relation twice in one record (an UPDATE's old and new page) is one record for it
            open.Count(relation, rmgr, i == 0 ? inserted : 0, i == 0 ? updated : 0, i == 0 ? deleted : 0, maxRelationsPerTransaction);
        }
    }

    /// <summary>Ends the transaction of a commit/abort record and returns what it did (subtransactions included).</summary>
    public WalShowTransaction Complete(WalRecord record, XactCompletion completion)
    {
        var merged = new OpenTransaction(record.StartLsn);
        bool any = false;
        uint[] xids = [completion.Xid, .. completion.Subxacts];
        foreach (uint xid in xids)
        {
            if (_open.Remove(xid, out OpenTransaction? part))
            {
                merged.Merge(part, maxRelationsPerTransaction);
                any = true;
            }
        }
        var databases = new SortedSet<uint>(merged.Relations.Keys.Select(k => k.Relation.DbOid).Where(db => db != 0));
        if ((completion.Xinfo & XactCompletion.HasDbInfo) != 0 && completion.DatabaseOid != 0)
            databases.Add(completion.DatabaseOid);
        List<WalShowRelation> relations = merged.Relations
            .Select(p => new WalShowRelation(p.Key.Relation, WalResourceManagers.Name(p.Key.Rmgr), p.Value.Inserted, p.Value.Updated,
                p.Value.Deleted, p.Value.Records))
            .OrderByDescending(r => r.Deleted + r.Inserted + r.Updated).ThenBy(r => r.Relation.DbOid).ThenBy(r => r.Relation.RelNumber)
            .ThenBy(r => r.ResourceManager, StringComparer.Ordinal)
            .ToList();
        return new WalShowTransaction(completion.Kind, completion.Xid, completion.Time, record.StartLsn, record.EndLsn, record.Timeline,
            completion.Subxacts, [.. databases], relations, completion.DroppedRelations, any ? merged.FirstLsn : null, merged.Truncated);
    }

    /// <summary>Rows the record inserts, updates or deletes in the relation of its block 0 (heap and Heap2 only).</summary>
    private static (long Inserted, long Updated, long Deleted) RowCounts(WalRecord record)
    {
        int op = record.Info & WalRecordTypes.HeapOpMask;
        if (record.Rmgr == WalResourceManager.Heap)
        {
            return op switch
            {
                HeapInsert => (1, 0, 0),
                WalRecordTypes.HeapDelete => (0, 0, 1),
                HeapUpdate or HeapHotUpdate => (0, 1, 0),
                _ => (0, 0, 0),
            };
        }
        if (record.Rmgr == WalResourceManager.Heap2 && op == Heap2MultiInsert && record.MainData.Length >= MultiInsertTuplesOffset + 2)
            return (BinaryPrimitives.ReadUInt16LittleEndian(record.MainData[MultiInsertTuplesOffset..]), 0, 0);
        return (0, 0, 0);
    }

    private static bool IsRepeat(ReadOnlySpan<WalBlockReference> blocks, int index)
    {
        for (int j = 0; j < index; j++)
        {
            if (blocks[j].Relation == blocks[index].Relation)
                return true;
        }
        return false;
    }

    private OpenTransaction Open(uint xid, Lsn lsn)
    {
        if (_open.TryGetValue(xid, out OpenTransaction? open))
            return open;
        if (_open.Count >= maxOpenTransactions)
            EvictOldest();
        open = new OpenTransaction(lsn);
        _open[xid] = open;
        return open;
    }

    // Drops the oldest eighth at once, so a flood of never-ending transactions costs one sort per eighth, not one scan per record.
    private void EvictOldest()
    {
        int count = Math.Max(1, _open.Count / 8);
        foreach (uint xid in _open.OrderBy(p => p.Value.FirstLsn).Take(count).Select(p => p.Key).ToList())
            _open.Remove(xid);
        Evicted += count;
    }

    private sealed class Counters
    {
        public long Inserted;
        public long Updated;
        public long Deleted;
        public long Records;
    }

    private sealed class OpenTransaction(Lsn firstLsn)
    {
        public Lsn FirstLsn { get; private set; } = firstLsn;

        public Dictionary<(RelFileLocator Relation, byte Rmgr), Counters> Relations { get; } = [];

        public bool Truncated { get; private set; }

        public void Count(RelFileLocator relation, byte rmgr, long inserted, long updated, long deleted, int maxRelations)
            => Add((relation, rmgr), inserted, updated, deleted, 1, maxRelations);

        public void Merge(OpenTransaction other, int maxRelations)
        {
            FirstLsn = Lsn.Min(FirstLsn, other.FirstLsn);
            Truncated |= other.Truncated;
            foreach (((RelFileLocator, byte) key, Counters c) in other.Relations)
                Add(key, c.Inserted, c.Updated, c.Deleted, c.Records, maxRelations);
        }

        private void Add((RelFileLocator, byte) key, long inserted, long updated, long deleted, long records, int maxRelations)
        {
            if (!Relations.TryGetValue(key, out Counters? counters))
            {
                if (Relations.Count >= maxRelations)
                {
                    Truncated = true;
                    return;
                }
                counters = new Counters();
                Relations[key] = counters;
            }
            counters.Inserted += inserted;
            counters.Updated += updated;
            counters.Deleted += deleted;
            counters.Records += records;
        }
    }
}
