namespace Pgark.Verification;

/// <summary>What <c>pgark verify</c> reads.</summary>
public sealed record VerifyOptions
{
    /// <summary>Verify only this snapshot (id prefix); null verifies every backup and the whole archive.</summary>
    public string? Backup { get; init; }

    /// <summary>Read data: decode and re-hash chunks of packs (and WAL objects) not verified before.</summary>
    public bool ReadData { get; init; }

    /// <summary>With <see cref="ReadData"/>: read this share (1..100) of the candidate packs, a window that rotates each run.</summary>
    public int ReadDataPercent { get; init; } = 100;

    /// <summary>Read again what earlier runs verified, and check every file of the selected backups against backup_manifest's SHA-256.</summary>
    public bool Full { get; init; }

    /// <summary>Record what this run verified in the repository (spec §17). Off only for tests that must not write.</summary>
    public bool RecordState { get; init; } = true;

    /// <summary>Read the last segment of each PITR window to find its last commit time.</summary>
    public bool WindowTimes { get; init; } = true;

    /// <summary>Told how far the repository check's pack pass has got (once per pack); may be null.</summary>
    public IProgress<Repository.Check.CheckProgress>? Progress { get; init; }
}
