using Pgark.Logical.Schema;
using Pgark.Wire.Connection;

namespace Pgark.Logical.Restore;

/// <summary>
/// Queues the plan's foreign keys (<see cref="PostDataPlan.ForeignKeys"/>) as soon as both of their tables are loaded and
/// have all their builds (so the referenced key exists), the way pg_restore -j runs them beside other tables' loads. One
/// at a time: ADD FOREIGN KEY locks both tables, and two at once could take the same two tables in opposite orders and
/// deadlock. A table counts as built after <see cref="Built"/> was called once for its load with its key constraints and
/// once per index.
/// </summary>
internal sealed class ForeignKeySchedule
{
    private readonly Lock _lock = new();
    private readonly WorkerQueue _queue;
    private readonly Func<PgConnection, SchemaObject, Task> _apply;
    private readonly IReadOnlyDictionary<string, long> _weights;
    private readonly Dictionary<string, int> _unbuilt = new(StringComparer.Ordinal);
    private readonly List<SchemaObject> _waiting;
    private readonly Queue<SchemaObject> _ready = new();
    private bool _running;

    /// <param name="weights">Each table's weight in <paramref name="queue"/>: a key runs with its table's.</param>
    public ForeignKeySchedule(WorkerQueue queue, PostDataPlan? plan, IReadOnlyDictionary<string, long> weights,
        Func<PgConnection, SchemaObject, Task> apply)
    {
        (_queue, _weights, _apply) = (queue, weights, apply);
        _waiting = plan is null ? [] : [.. plan.ForeignKeys];
        foreach (var key in _waiting)
        {
            foreach (string table in (string[])[key.Table!, key.References!])
                _unbuilt.TryAdd(table, 1 + (plan!.TableBuilds.GetValueOrDefault(table)?.Count(b => b.Kind == "index") ?? 0));
        }
    }

    /// <summary>One step of <paramref name="table"/>'s building is done (see the class summary).</summary>
    public void Built(string table)
    {
        lock (_lock)
        {
            if (!_unbuilt.TryGetValue(table, out int left))
                return;
            _unbuilt[table] = --left;
            if (left > 0)
                return;
            foreach (var key in _waiting.Where(k => _unbuilt[k.Table!] == 0 && _unbuilt[k.References!] == 0).ToList())
            {
                _waiting.Remove(key);
                _ready.Enqueue(key);
            }
        }
        StartNext();
    }

    private void StartNext()
    {
        SchemaObject? key;
        lock (_lock)
        {
            if (_running || !_ready.TryDequeue(out key))
                return;
            _running = true;
        }
        _queue.Add(_weights.GetValueOrDefault(key.Table!), async connection =>
        {
            try
            {
                await _apply(connection, key).ConfigureAwait(false);
            }
            finally
            {
                lock (_lock)
                    _running = false;
            }
            StartNext();
        });
    }
}
