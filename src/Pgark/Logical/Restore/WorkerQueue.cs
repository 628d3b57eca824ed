using System.Runtime.ExceptionServices;
using Pgark.Wire.Connection;

namespace Pgark.Logical.Restore;

/// <summary>
/// Work for the restore's worker connections, heaviest first, where a piece of work may add more (a loaded table adds its
/// index builds and its read-back, which then run on whichever worker is free, as pg_restore -j schedules them). Runs until
/// the queue is empty and nothing is running; the first failure stops the other workers after their current piece and is
/// rethrown (exit-on-error).
/// </summary>
internal sealed class WorkerQueue
{
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Func<PgConnection, Task>, (long, long)> _ready = new();
    private readonly SemaphoreSlim _signal = new(0);
    private long _sequence;
    private int _unfinished; // queued or running
    private int _jobs;
    private CancellationTokenSource? _stopping;

    /// <summary>
    /// Cancelled once a worker has failed (the others stop after their current piece) or the restore is cancelled: work
    /// that waits for other work running beside it (a table loaded in parts) waits on this, never for a worker that is gone.
    /// </summary>
    public CancellationToken Stopping => _stopping?.Token ?? CancellationToken.None;

    /// <summary>Queues <paramref name="work"/>; a larger <paramref name="weight"/> runs sooner, equal weights in the order added.</summary>
    public void Add(long weight, Func<PgConnection, Task> work)
    {
        lock (_lock)
        {
            _ready.Enqueue(work, (-weight, _sequence++));
            _unfinished++;
        }
        _signal.Release();
    }

    /// <summary>Runs the queued work (and what it adds) on up to <paramref name="jobs"/> connections opened by <paramref name="open"/>.</summary>
    public async Task RunAsync(int jobs, Func<CancellationToken, Task<PgConnection>> open, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_unfinished == 0)
                return;
            _jobs = jobs;
        }
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stopping = failed;
        var workers = Enumerable.Range(0, jobs).Select(_ => Task.Run(() => WorkAsync(open, failed), cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
        catch
        {
            // Surface the first real failure, not a sibling's cancellation.
            var first = workers.Where(w => w.IsFaulted).Select(w => w.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null)
                ExceptionDispatchInfo.Throw(first);
            throw;
        }
    }

    private async Task WorkAsync(Func<CancellationToken, Task<PgConnection>> open, CancellationTokenSource failed)
    {
        PgConnection? connection = null;
        try
        {
            // Inside the try: a worker whose connection cannot open stops the others too (and releases work that waits for
            // work it would have run, a table loaded in parts).
            connection = await open(failed.Token).ConfigureAwait(false);
            while (true)
            {
                await _signal.WaitAsync(failed.Token).ConfigureAwait(false);
                Func<PgConnection, Task>? work;
                lock (_lock)
                {
                    if (!_ready.TryDequeue(out work, out _))
                        return; // everything is done: the last finisher woke every worker
                }
                try
                {
                    await work(connection).ConfigureAwait(false);
                }
                finally
                {
                    Finished();
                }
            }
        }
        catch
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Finished()
    {
        int wake;
        lock (_lock)
        {
            wake = --_unfinished == 0 ? _jobs : 0;
        }
        if (wake > 0)
            _signal.Release(wake);
    }
}
