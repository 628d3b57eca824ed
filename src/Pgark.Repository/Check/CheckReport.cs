namespace Pgark.Repository.Check;

/// <summary>MUST-level problems lose data (<see cref="Error"/>); SHOULD-level ones need a repair or prune (<see cref="Warning"/>).</summary>
public enum CheckSeverity
{
    Warning = 1,
    Error = 2,
}

/// <summary>One finding: what, where (blob-store file and object id) and the likely cause.</summary>
public sealed record CheckProblem(CheckSeverity Severity, string FileName, string? ObjectId, string Message, CorruptionCause? Cause = null)
{
    public override string ToString()
        => $"{Severity.ToString().ToLowerInvariant()}: {FileName}{(ObjectId is null ? "" : $" (object {ObjectId})")}: {Message}" +
           (Cause is null ? "" : $" [{Cause}]");
}

/// <summary>What a check reads: predicates over pack file ids, WAL object file ids and snapshot ids (verify narrows them).</summary>
/// <param name="LocateDamage">When a pack read whole does not hash to its name, still decode its chunks one by one, so each damaged
/// chunk is named and the snapshots that need it are failed (verify); check stops at the pack.</param>
public sealed record CheckScope(Func<Ids.ChunkId, bool> ReadPack, Func<Ids.ChunkId, bool> ReadWal, Func<Ids.ChunkId, bool> IncludeSnapshot,
    bool LocateDamage = false)
{
    public static CheckScope Everything { get; } = new(static _ => true, static _ => true, static _ => true);
}

public sealed class CheckReport
{
    private readonly List<CheckProblem> _problems = [];

    public IReadOnlyList<CheckProblem> Problems => _problems;
    public IEnumerable<CheckProblem> Errors => _problems.Where(p => p.Severity == CheckSeverity.Error);
    public IEnumerable<CheckProblem> Warnings => _problems.Where(p => p.Severity == CheckSeverity.Warning);
    public bool HasErrors => Errors.Any();

    public int SnapshotsChecked { get; internal set; }
    public int PacksChecked { get; internal set; }
    public long ChunksRead { get; internal set; }

    /// <summary>Packs read whole with every chunk intact (with read-data).</summary>
    public HashSet<Ids.ChunkId> PacksVerified { get; } = [];

    /// <summary>WAL objects read whole and intact (with read-data).</summary>
    public HashSet<Ids.ChunkId> WalVerified { get; } = [];

    internal void Add(CheckProblem problem) => _problems.Add(problem);

    internal void Add(RepositoryException e, string fallbackFileName) => _problems.Add(e switch
    {
        RepositoryCorruptionException c => new CheckProblem(CheckSeverity.Error, c.FileName, c.ObjectId, c.Problem, c.Cause),
        RepositoryObjectMissingException m => new CheckProblem(CheckSeverity.Error, m.FileName, m.ObjectId, m.Message),
        _ => new CheckProblem(CheckSeverity.Error, fallbackFileName, null, e.Message),
    });
}
