namespace Pgark.Repository.Format;

/// <summary>Magic values, versions and limits of format version 1 (spec §16). Pinned by PersistedFormatStabilityTests.</summary>
public static class FormatConstants
{
    public const int FormatVersion = 1;
    public const int ObjectVersion = 1;
    public const int PackVersion = 1;

    public static ReadOnlySpan<byte> ConfigMagic => "PGARKCFG"u8;
    public static ReadOnlySpan<byte> PackMagic => "PGARKPAK"u8;
    public static ReadOnlySpan<byte> PackHeaderAad => "PGARKHDR"u8;
    public static ReadOnlySpan<byte> ObjectMagic => "PGKO"u8;

    public const string ChunkIdKeyContext = "pgark 2026-11 chunk id";
    public const string DataKeyContext = "pgark 2026-11 data encryption";

    public const int MaxChunkSize = 16 * 1024 * 1024;
    public const long MaxPackSize = 1L << 30;
    public const int DefaultPackTargetSize = 32 * 1024 * 1024;
    public const int TreeCutMinimum = 4 * 1024;
    public const int TreeCutMaximum = 256 * 1024;
    public const int TreeCutMask = 3;
    public const int MaxTreeRecord = 1024 * 1024;
    public const int MaxChunksPerRecord = 4096;
    public const int MaxExtentsPerRecord = 16;
    public const int MaxWriterDeltaDepth = 8;
    public const int MaxReaderDeltaDepth = 64;
    public const int DefaultPageSize = 8192;
    public const int DefaultExtentSize = 256 * 1024;
    public const int PageHashSize = 8;
    public const int WalFrameSize = 1024 * 1024;

    public const int DefaultKdfIterations = 600_000;
    public const int MinimumKdfIterations = 100_000;
}
