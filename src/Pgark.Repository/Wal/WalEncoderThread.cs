using System.Collections.Concurrent;

namespace Pgark.Repository.Wal;

/// <summary>
/// The one thread that compresses, hashes and verifies WAL objects before they are stored. The codecs keep their native
/// zstd contexts (megabytes each) and <see cref="System.Buffers.ArrayPool{T}.Shared"/> keeps its per-thread buffers on
/// whichever thread calls them; a streamer's work resumes after each await on an arbitrary thread-pool thread, so over a
/// long run every pool thread came to own its own set and resident memory grew with the pool. Run here, one set serves
/// every WAL object of the process. WAL objects are encoded one at a time per streamer anyway (each waits for the last).
/// </summary>
internal static class WalEncoderThread
{
    private static readonly BlockingCollection<Action> s_work = StartThread();

    /// <summary>Runs <paramref name="work"/> on the encoder thread; its result or exception comes back through the task.</summary>
    public static Task<T> RunAsync<T>(Func<T> work)
    {
        // Continuations leave the encoder thread at once: it must not run the caller's I/O and awaits.
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        s_work.Add(() =>
        {
            try
            {
                result.SetResult(work());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        return result.Task;
    }

    private static BlockingCollection<Action> StartThread()
    {
        var work = new BlockingCollection<Action>();
        var thread = new Thread(() =>
        {
            foreach (Action item in work.GetConsumingEnumerable())
                item();
        })
        {
            IsBackground = true,
            Name = "pgark WAL encoder",
        };
        thread.Start();
        return work;
    }
}
