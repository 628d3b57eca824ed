namespace Pgark.Wal.Reader;

/// <summary>What is wrong with WAL that <see cref="WalReader"/> refused. Persisted in logs and tests: append only.</summary>
public enum WalErrorKind
{
    /// <summary>xlp_magic is not the magic of a supported release (or differs from the first page's).</summary>
    BadPageMagic = 1,

    /// <summary>A page header field is impossible: unknown xlp_info bits, wrong xlp_pageaddr, timeline going back, missing long header.</summary>
    BadPageHeader = 2,

    /// <summary>The long header's segment size, block size or system identifier is invalid or changed between segments.</summary>
    BadLongHeader = 3,

    /// <summary>An XLogRecord header is impossible: length below 24, unknown resource manager, xl_prev not the previous record.</summary>
    BadRecordHeader = 4,

    /// <summary>xl_crc does not match the record's bytes.</summary>
    CrcMismatch = 5,

    /// <summary>A continuation page does not continue the record (flag missing or xlp_rem_len disagrees).</summary>
    BadContinuation = 6,

    /// <summary>The WAL ends inside a record or a page: a truncated file or a missing next segment.</summary>
    Truncated = 7,

    /// <summary>xl_tot_len exceeds <see cref="WalReaderOptions.MaxRecordSize"/>.</summary>
    RecordTooLarge = 8,

    /// <summary>Block references, data lengths or rmgr payload do not add up (DecodeXLogRecord's checks).</summary>
    BadRecordBody = 9,

    /// <summary>The segments given are not consecutive, or a file name disagrees with the page addresses inside.</summary>
    SegmentMismatch = 10,
}
