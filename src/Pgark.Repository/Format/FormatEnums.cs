namespace Pgark.Repository.Format;

// Every value in this file is persisted (spec §16). Never change or reuse one; add new members at the end and
// pin them in PersistedFormatStabilityTests.

/// <summary>Object header byte 4 (spec §3).</summary>
public enum ObjectType : byte
{
    Index = 1,
    Snapshot = 2,
    Lock = 3,
    Wal = 4,
    Key = 5,
    /// <summary><c>verify/</c>: what <c>pgark verify</c> has read and found intact (spec §17).</summary>
    VerifyState = 6,
    /// <summary><c>drills/</c>: the result of one restore drill (spec §18).</summary>
    DrillResult = 7,
    /// <summary><c>settings/</c>: the repository's storage settings for new data (spec §4.1).</summary>
    Settings = 8,
}

/// <summary>Object header byte 6 (spec §3).</summary>
[Flags]
public enum ObjectFlags : byte
{
    None = 0,
    Compressed = 1,
    Encrypted = 2,
}

/// <summary>What a chunk's plaintext is (spec §5.2).</summary>
public enum ChunkKind : byte
{
    Data = 1,
    Tree = 2,
    PageDelta = 3,
}

/// <summary>How a chunk is stored (spec §5.2).</summary>
[Flags]
public enum ChunkFlags : byte
{
    None = 0,
    Compressed = 1,
}

/// <summary>config bytes 10..11 (spec §4).</summary>
[Flags]
public enum ConfigFlags : ushort
{
    None = 0,
    Encrypted = 1,
}

public enum ChunkIdAlgorithm : byte
{
    Blake3 = 1,
}

public enum CompressionAlgorithm : byte
{
    Zstd = 1,
}

public enum SnapshotKind : byte
{
    Physical = 1,
    Logical = 2,
}

public enum TreeRecordType : byte
{
    File = 1,
    Chunks = 2,
    /// <summary>Extents whose page hashes hash each page alone (written before <see cref="PagedExtents"/>; read only).</summary>
    Extents = 3,

    /// <summary>Extents whose page hashes are the pages' BLAKE3 subtree chaining values within the extent (spec §7.4).</summary>
    PagedExtents = 4,
}

public enum FileKind : byte
{
    Regular = 1,
    Directory = 2,
    Symlink = 3,
}

public enum FileLayout : byte
{
    Chunked = 0,
    Paged = 1,
}

public enum WalKind : byte
{
    Full = 1,
    Partial = 2,
    History = 3,

    /// <summary>A byte range of a segment in progress (spec §8.1): appended while streaming, assembled into a prefix by readers.</summary>
    Piece = 4,
}

public enum LockKind : byte
{
    Shared = 1,
    Exclusive = 2,
}

public enum KdfAlgorithm : byte
{
    Pbkdf2Sha256 = 1,
}
