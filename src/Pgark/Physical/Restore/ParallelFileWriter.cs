namespace Pgark.Physical.Restore;

/// <summary>
/// Runs up to a fixed number of file writes at once, so many small files (a cluster has thousands) keep both cores busy
/// where one file's read-ahead cannot. The first failure stops new starts and is rethrown by <see cref="CompleteAsync"/>
/// after every running write has ended, so nothing still writes into the target when the caller reports the error.
/// </summary>
internal sealed class ParallelFileWriter(int parallelism)
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, parallelism));
    private readonly List<Task<long>> _running = [];
    private readonly CancellationTokenSource _failed = new();
    private long _bytes;

    /// <summary>Waits for a free slot, then starts <paramref name="write"/>; throws the first failure seen so far.</summary>
    public async Task StartAsync(Func<CancellationToken, Task<long>> write, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _failed.Token);
        try
        {
            await _slots.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await CompleteAsync().ConfigureAwait(false); // rethrows the failure that cancelled us
            throw;
        }
        _running.RemoveAll(t => t.IsCompletedSuccessfully && Collect(t));
        _running.Add(RunAsync(write, cancellationToken));
    }

    /// <summary>Waits for every write; returns the bytes written, or throws the first failure.</summary>
    public async Task<long> CompleteAsync()
    {
        try
        {
            await Task.WhenAll(_running).ConfigureAwait(false);
        }
        catch
        {
            // Prefer the root cause over the cancellations it triggered in the other writes.
            var first = _running.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault();
            if (first is not null)
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
            throw;
        }
        foreach (var task in _running)
            Collect(task);
        _running.Clear();
        return _bytes;
    }

    private bool Collect(Task<long> finished)
    {
        _bytes += finished.Result;
        return true;
    }

    private async Task<long> RunAsync(Func<CancellationToken, Task<long>> write, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _failed.Token);
        try
        {
            await Task.Yield(); // the caller goes on reading the tree while this file is written
            return await write(linked.Token).ConfigureAwait(false);
        }
        catch
        {
            await _failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _slots.Release();
        }
    }
}
