using System.Collections.Frozen;
using Pgark.Logical.Schema;

namespace Pgark.Logical.Restore;

/// <summary>
/// Which post-data objects a loading worker runs right after it loaded their table (pg_restore -j schedules them the same
/// way), and which run afterwards, in dump order, on one connection. A table's builds (primary key, unique and exclusion
/// constraints, indexes) need only the table, its rows and pre-data objects, and each locks only its own table, so
/// workers building different tables never wait on each other. A build moves ahead only while everything before it in
/// the dump order is of a kind that creates nothing a build could use (another build, a foreign key, a comment ...):
/// from the first other object on (a postponed view or function, say), the order is kept as dumped. Builds on a
/// partition stay too, as CREATE INDEX on the partitioned parent would attach a matching partition index that already
/// exists instead of creating its own. Foreign keys between two such tables (in that same leading part) move too: they run
/// once both tables have all their builds, so the key they reference exists.
/// </summary>
internal sealed record PostDataPlan(IReadOnlyDictionary<string, List<SchemaObject>> TableBuilds, IReadOnlyList<SchemaObject> ForeignKeys,
    IReadOnlyList<SchemaObject> Rest)
{
    private static readonly FrozenSet<string> s_builds =
        new[] { "primary key", "unique constraint", "exclusion constraint", "index" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> s_createNothingUsable = new[]
    {
        "foreign key", "check constraint", "comment", "owner", "acl", "trigger", "trigger state", "rule", "row security", "policy",
        "statistics", "statistics target", "publication", "publication table", "publication schema",
    }.ToFrozenSet(StringComparer.Ordinal);

    public int BuildCount => TableBuilds.Values.Sum(b => b.Count);

    /// <param name="postData">The post-data objects to restore, in dump order.</param>
    /// <param name="loadedTables">Qualified names of the tables the workers load.</param>
    /// <param name="preData">The pre-data objects (their <c>table</c> statements tell the partitions).</param>
    public static PostDataPlan Split(IReadOnlyList<SchemaObject> postData, IEnumerable<string> loadedTables, IEnumerable<SchemaObject> preData)
    {
        var partitions = preData.Where(o => o.Kind == "table" && o.Table is not null && o.Sql.Contains(" PARTITION OF ", StringComparison.Ordinal))
            .Select(o => o.Table!).ToHashSet(StringComparer.Ordinal);
        var candidates = loadedTables.Where(t => !partitions.Contains(t)).ToHashSet(StringComparer.Ordinal);
        var builds = new Dictionary<string, List<SchemaObject>>(StringComparer.Ordinal);
        var foreignKeys = new List<SchemaObject>();
        var rest = new List<SchemaObject>(postData.Count);
        bool barrier = false;
        foreach (var item in postData)
        {
            if (!barrier && s_builds.Contains(item.Kind) && item.Table is { } table && candidates.Contains(table))
            {
                if (!builds.TryGetValue(table, out var list))
                    builds[table] = list = [];
                list.Add(item);
                continue;
            }
            if (!barrier && item.Kind == "foreign key" && item.Table is { } from && item.References is { } to && candidates.Contains(from)
                && candidates.Contains(to))
            {
                foreignKeys.Add(item);
                continue;
            }
            barrier |= !s_builds.Contains(item.Kind) && !s_createNothingUsable.Contains(item.Kind);
            rest.Add(item);
        }
        return new PostDataPlan(builds, foreignKeys, rest);
    }
}
