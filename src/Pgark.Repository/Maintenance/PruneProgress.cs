namespace Pgark.Repository.Maintenance;

/// <summary>The steps of prune, in the order they run (spec §14).</summary>
public enum PruneStep
{
    /// <summary>Walking every snapshot's tree to mark the chunks it reaches; counts snapshots.</summary>
    Mark,

    /// <summary>Copying the used chunks of mostly-garbage packs into new packs; counts packs read.</summary>
    Repack,

    /// <summary>Rewriting the index without the dropped packs; counts old index deltas.</summary>
    RewriteIndex,

    /// <summary>Deleting the old packs; counts packs.</summary>
    Delete,
}

/// <summary>How far prune has got: <paramref name="Done"/> of <paramref name="Total"/> items of <paramref name="Step"/>.</summary>
public sealed record PruneProgress(PruneStep Step, long Done, long Total);
