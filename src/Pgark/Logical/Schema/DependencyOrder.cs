namespace Pgark.Logical.Schema;

/// <summary>
/// Topological order with a tie-break: among the objects whose dependencies are all placed, the lowest (section, rank,
/// oid) goes next. A dependency cycle (which pg_depend should not contain among the kinds we extract) is broken by the
/// same tie-break rather than failing the backup.
/// </summary>
internal static class DependencyOrder
{
    public sealed record Node(string Key, int Rank, long Oid, SchemaObject Object, List<string> Needs);

    public static List<SchemaObject> Sort(List<Node> nodes, IReadOnlyList<(string From, string To)> edges,
        IReadOnlyDictionary<string, string> aliases)
    {
        var byKey = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
        {
            if (!byKey.TryGetValue(nodes[i].Key, out var list))
                byKey[nodes[i].Key] = list = [];
            list.Add(i);
        }
        var needs = new HashSet<int>[nodes.Count];
        var neededBy = new List<int>[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            needs[i] = [];
            neededBy[i] = [];
        }
        void Link(int from, string toKey)
        {
            string key = aliases.GetValueOrDefault(toKey, toKey);
            if (!byKey.TryGetValue(key, out var targets))
                return;
            foreach (int to in targets)
            {
                // An object never waits for a later section, nor for an object of its own key (a table and its extras).
                if (to == from || nodes[to].Key == nodes[from].Key || nodes[to].Object.Section > nodes[from].Object.Section)
                    continue;
                if (needs[from].Add(to))
                    neededBy[to].Add(from);
            }
        }
        for (int i = 0; i < nodes.Count; i++)
        {
            foreach (string need in nodes[i].Needs)
                Link(i, need);
        }
        foreach (var (from, to) in edges)
        {
            string fromKey = aliases.GetValueOrDefault(from, from);
            if (!byKey.TryGetValue(fromKey, out var sources))
                continue;
            foreach (int source in sources)
                Link(source, to);
        }
        return Emit(nodes, needs, neededBy);
    }

    private static List<SchemaObject> Emit(List<Node> nodes, HashSet<int>[] needs, List<int>[] neededBy)
    {
        var ready = new PriorityQueue<int, (SchemaSection, int, long, int)>();
        var placed = new bool[nodes.Count];
        var waiting = new int[nodes.Count];
        for (int i = 0; i < nodes.Count; i++)
        {
            waiting[i] = needs[i].Count;
            if (waiting[i] == 0)
                ready.Enqueue(i, Priority(nodes[i], i));
        }
        var order = new List<SchemaObject>(nodes.Count);
        while (order.Count < nodes.Count)
        {
            if (ready.Count == 0)
            {
                // A cycle: release the best remaining object.
                int best = Enumerable.Range(0, nodes.Count).Where(i => !placed[i]).MinBy(i => Priority(nodes[i], i));
                waiting[best] = 0;
                ready.Enqueue(best, Priority(nodes[best], best));
            }
            int next = ready.Dequeue();
            if (placed[next])
                continue;
            placed[next] = true;
            order.Add(nodes[next].Object);
            foreach (int dependent in neededBy[next])
            {
                if (!placed[dependent] && --waiting[dependent] == 0)
                    ready.Enqueue(dependent, Priority(nodes[dependent], dependent));
            }
        }
        return order;
    }

    private static (SchemaSection, int, long, int) Priority(Node node, int index) => (node.Object.Section, node.Rank, node.Oid, index);
}
