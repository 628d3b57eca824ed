namespace Pgark.Wal.Reader;

/// <summary>
/// WAL that cannot be read: corrupt, truncated, from an unsupported release or not in sequence. Names the segment file
/// and the byte offset inside it, so the damage can be inspected with <c>pg_waldump</c> or a hex dump.
/// </summary>
public sealed class WalFormatException : Exception
{
    public WalFormatException(WalErrorKind kind, string segmentFileName, long segmentOffset, string detail)
        : base(Format(kind, segmentFileName, segmentOffset, detail))
    {
        Kind = kind;
        SegmentFileName = segmentFileName;
        SegmentOffset = segmentOffset;
        Detail = detail;
    }

    public WalErrorKind Kind { get; }

    /// <summary>The file name given with the segment (<see cref="WalSegmentInput.FileName"/>).</summary>
    public string SegmentFileName { get; }

    /// <summary>Byte offset inside that segment file where the problem was found.</summary>
    public long SegmentOffset { get; }

    /// <summary>The message without the location prefix and hint.</summary>
    public string Detail { get; }

    private static string Format(WalErrorKind kind, string segment, long offset, string detail) =>
        $"WAL segment {segment} at byte offset {offset} (0x{offset:X}): {detail}\nhint: {Hint(kind)}";

    private static string Hint(WalErrorKind kind) => kind switch
    {
        WalErrorKind.RecordTooLarge => "raise WalReaderOptions.MaxRecordSize if this record is genuine, else the segment is corrupt",
        WalErrorKind.Truncated => "the WAL ends here; supply the complete segment or the next one if it exists",
        WalErrorKind.SegmentMismatch => "give the segments in order, one timeline, without gaps",
        WalErrorKind.BadPageMagic => "the segment is not PostgreSQL 13-18 WAL, or it is damaged",
        _ => "the segment is damaged; compare it with the archived copy (pg_waldump shows the same position)",
    };
}
