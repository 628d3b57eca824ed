using Pgark.Repository.Config;
using Pgark.Repository.Format;

namespace Pgark.Repository;

/// <summary>Choices fixed at init.</summary>
public sealed record RepositoryInitOptions
{
    /// <summary>Non-null makes an encrypted repository (spec §9); the passphrase wraps a random master key.</summary>
    public string? Passphrase { get; init; }

    /// <summary>PBKDF2-HMAC-SHA256 iterations recorded in the key file (≥ 100 000).</summary>
    public int KdfIterations { get; init; } = FormatConstants.DefaultKdfIterations;

    /// <summary>Settings recorded at init (spec §4.1); null records none, so the repository writes with the defaults.</summary>
    public StorageSettings? Storage { get; init; }
}

/// <summary>How this process opens and writes a repository. Memory of a session is bounded by these numbers.</summary>
public sealed record RepositoryOptions
{
    /// <summary>Required for encrypted repositories.</summary>
    public string? Passphrase { get; init; }

    /// <summary>
    /// Overrides the repository's stored settings (spec §4.1) for this process only: tests, benchmarks and <c>pgark tune</c>'s
    /// trial stores. Null (the default) writes with what the repository records, or <see cref="StorageSettings.Default"/>.
    /// </summary>
    public StorageSettings? Storage { get; init; }

    /// <summary>
    /// False opens the repository without reading its chunk index, for work that reads only what is stored as files of their
    /// own: snapshot records, pins, WAL objects, locks (<c>wal get</c>, <c>wal push</c>, <c>status</c>, <c>snapshots</c>, <c>plan</c>,
    /// <c>pin</c>, <c>forget</c> without pruning). Reading the
    /// index costs time in proportion to the repository (0.66–0.69 s for 4 M chunks, about one full backup of a 1 TB cluster),
    /// and PostgreSQL runs <c>wal get</c> once per WAL segment it recovers. Anything that then needs a chunk throws
    /// <see cref="InvalidOperationException"/> instead of finding nothing.
    /// </summary>
    public bool LoadIndex { get; init; } = true;

    /// <summary>A session publishes an index delta after this many new chunks (bounds the unpublished index).</summary>
    public int IndexDeltaEntries { get; init; } = 200_000;

    /// <summary>
    /// Plaintext bytes a backup session may have queued for its ingest workers (hash, compress, verify on the thread pool)
    /// before the caller waits; with their encoded copies this bounds the pipeline's memory at about twice this figure.
    /// </summary>
    public int IngestWindowBytes { get; init; } = 16 << 20;

    /// <summary>Pieces (extents or chunks) of a file a restore reads and decodes ahead of the writer, in parallel.</summary>
    public int RestoreReadAhead { get; init; } = 8;

    /// <summary>Hostname written into locks and snapshots.</summary>
    public string Hostname { get; init; } = Environment.MachineName;

    /// <summary>Heartbeat period of held locks.</summary>
    public TimeSpan LockRefreshInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A lock from another host whose heartbeat is older than this is stale.</summary>
    public TimeSpan LockStaleAfter { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Decides whether a same-host lock holder (pid, start time) still runs; tests substitute it.</summary>
    internal Func<int, DateTimeOffset?, bool>? ProcessAliveProbe { get; init; }
}
