using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Pgark.Physical.Restore;

/// <summary>
/// fsync of restored files on a thread of its own, so the writers go on decoding and writing the next files instead of
/// waiting for the disk (fsync in the writers took 0.7 of 1.6 thread-seconds of a 786 MiB restore and left a core idle).
/// Each file is handed over written and closed to further writes (its data with the kernel, its modification time set);
/// <see cref="Writeback.Start"/> asks the kernel to begin writing it back at once, so the fsync that follows mostly waits for
/// writeback already under way. <see cref="CompleteAsync"/> returns when every file handed over is on disk, or throws
/// the first failure: the restore reports success only after it. At most <c>capacity</c> files wait, open, at a time.
/// </summary>
internal sealed class DeferredFsync
{
    private readonly Channel<FileStream> _files;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Exception? _failure;

    public DeferredFsync(int capacity)
    {
        _files = Channel.CreateBounded<FileStream>(new BoundedChannelOptions(capacity) { SingleReader = true });
        // A thread, not a pool task: fsync blocks, and a blocked pool thread would starve the decoding tasks.
        new Thread(Run) { IsBackground = true, Name = "pgark restore fsync" }.Start();
    }

    /// <summary>Takes ownership of <paramref name="file"/>: starts its writeback, fsyncs it later, then closes it.</summary>
    public async ValueTask AddAsync(FileStream file, CancellationToken cancellationToken)
    {
        try
        {
            Writeback.Start(file.SafeFileHandle);
            await _files.Writer.WriteAsync(file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            file.Dispose();
            if (e is ChannelClosedException && _failure is not null)
                ExceptionDispatchInfo.Throw(_failure); // the fsync failure that stopped the queue, not the closed channel
            throw;
        }
    }

    /// <summary>Waits until every file added is fsynced and closed; throws the first fsync failure.</summary>
    public Task CompleteAsync()
    {
        _files.Writer.TryComplete();
        return _done.Task;
    }

    /// <summary>After a failed restore: closes what is still queued without waiting for the disk.</summary>
    public void Abandon()
    {
        _failure ??= new OperationCanceledException("the restore failed");
        _files.Writer.TryComplete();
    }

    private void Run()
    {
        try
        {
            while (_files.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (_files.Reader.TryRead(out FileStream? file))
                {
                    using (file)
                    {
                        if (_failure is null)
                            Fsync(file);
                    }
                }
            }
        }
        finally
        {
            if (_failure is null)
                _done.SetResult();
            else if (_failure is OperationCanceledException)
                _done.SetCanceled();
            else
                _done.SetException(_failure);
        }
    }

    private void Fsync(FileStream file)
    {
        try
        {
            file.Flush(flushToDisk: true);
        }
        catch (Exception e)
        {
            _failure = new IOException($"fsync of '{file.Name}' failed: {e.Message}", e);
            _files.Writer.TryComplete(); // writers waiting to add are released and rethrow the failure
        }
    }
}
