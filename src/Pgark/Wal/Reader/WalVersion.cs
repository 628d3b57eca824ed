namespace Pgark.Wal.Reader;

/// <summary>How a PostgreSQL release spells the bimg_info flags of a full-page image (XLogRecordBlockImageHeader).</summary>
public enum WalImageFlagsLayout
{
    /// <summary>PostgreSQL 13 and 14: HAS_HOLE 0x01, IS_COMPRESSED 0x02 (always pglz), APPLY 0x04.</summary>
    Pg13,

    /// <summary>PostgreSQL 15 and later: HAS_HOLE 0x01, APPLY 0x02, COMPRESS_PGLZ 0x04, COMPRESS_LZ4 0x08, COMPRESS_ZSTD 0x10.</summary>
    Pg15,
}

/// <summary>
/// One PostgreSQL major release as its WAL shows it. The page magic (XLOG_PAGE_MAGIC in
/// src/include/access/xlog_internal.h) changes whenever the WAL format changes, so it is the version the reader trusts;
/// the other columns are the layout differences between releases the reader relies on (see spec/wal-reader.md).
/// </summary>
/// <param name="Major">PostgreSQL major version.</param>
/// <param name="PageMagic">xlp_magic of every page written by that release.</param>
/// <param name="ImageFlags">Meaning of bimg_info bits.</param>
/// <param name="DroppedStatsItemSize">sizeof(xl_xact_stats_item) in commit/abort records, 0 before XACT_XINFO_HAS_DROPPED_STATS existed.</param>
public sealed record WalVersion(int Major, ushort PageMagic, WalImageFlagsLayout ImageFlags, int DroppedStatsItemSize)
{
    // Persisted values: each row was checked against that release's xlog_internal.h (15 against the Debian 15.18
    // source package, the others against pgBackRest's per-release vendored headers). Never edit a row; add one.
    private static readonly WalVersion[] s_all =
    [
        new(13, 0xD106, WalImageFlagsLayout.Pg13, 0),
        new(14, 0xD10D, WalImageFlagsLayout.Pg13, 0),
        new(15, 0xD110, WalImageFlagsLayout.Pg15, 12),
        new(16, 0xD113, WalImageFlagsLayout.Pg15, 12),
        new(17, 0xD116, WalImageFlagsLayout.Pg15, 12),
        new(18, 0xD118, WalImageFlagsLayout.Pg15, 16),
    ];

    /// <summary>Every supported release, oldest first.</summary>
    public static IReadOnlyList<WalVersion> All => s_all;

    /// <summary>The release that writes <paramref name="pageMagic"/>, or null when pgark does not know it.</summary>
    public static WalVersion? FromPageMagic(ushort pageMagic)
    {
        foreach (WalVersion version in s_all)
        {
            if (version.PageMagic == pageMagic)
            {
                return version;
            }
        }

        return null;
    }

    /// <summary>The release with major version <paramref name="major"/>, or null.</summary>
    public static WalVersion? FromMajor(int major) => Array.Find(s_all, v => v.Major == major);

    internal static string KnownMagicsText => string.Join(", ", s_all.Select(v => $"0x{v.PageMagic:X4} (PostgreSQL {v.Major})"));
}
