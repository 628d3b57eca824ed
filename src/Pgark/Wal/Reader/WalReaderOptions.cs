using Pgark.Wire.Replication;

namespace Pgark.Wal.Reader;

/// <summary>Settings of a <see cref="WalReader"/>.</summary>
public sealed record WalReaderOptions
{
    /// <summary>Default cap on one record: 64 MiB. PostgreSQL allows up to 1 GiB, but only huge logical messages get there.</summary>
    public const int DefaultMaxRecordSize = 64 << 20;

    /// <summary>
    /// Return records that start at or after this LSN. It need not be a record boundary: the reader finds the first
    /// record on that page from xlp_rem_len and reads forward. Invalid (0) means from the first record in the first segment.
    /// </summary>
    public Lsn StartLsn { get; init; }

    /// <summary>
    /// Largest xl_tot_len accepted; the reader's memory is this plus one WAL page. A larger record fails with
    /// <see cref="WalErrorKind.RecordTooLarge"/> instead of being buffered.
    /// </summary>
    public int MaxRecordSize { get; init; } = DefaultMaxRecordSize;

    /// <summary>BLCKSZ of the cluster (data page size), needed to size full-page-image holes. 8192 unless built otherwise.</summary>
    public int DataBlockSize { get; init; } = 8192;
}
