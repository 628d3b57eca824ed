using Pgark.Wal;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Cli.Commands;

/// <summary>
/// The demo's continuous archiving: what <c>pgark wal stream --create-slot</c> runs, in-process, so the WAL of every
/// change (the mistake included) reaches the repository while the demo goes on.
/// </summary>
internal sealed class DemoStream : IAsyncDisposable
{
    public const string SlotName = "pgark_demo";

    private readonly WalReceiver _receiver;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _linked;
    private readonly Task _run;

    private DemoStream(WalReceiver receiver, CancellationToken cancellationToken)
    {
        _receiver = receiver;
        _linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, cancellationToken);
        _run = Task.Run(() => receiver.RunAsync(_linked.Token), CancellationToken.None);
    }

    public Lsn DurableLsn => _receiver.DurableLsn;

    public static DemoStream Start(Repository.Repository repository, ConnectionSettings connection, CancellationToken cancellationToken)
        => new(new WalReceiver(repository, new WalReceiverOptions
        {
            Connection = connection,
            SlotName = SlotName,
            CreateSlot = true,
            // Short, so that the segment in progress reaches the repository soon after each change: it bounds the RPO.
            StatusInterval = TimeSpan.FromMilliseconds(200),
        }), cancellationToken);

    /// <summary>Waits (on the receiver's progress events, no sleeping) until everything before <paramref name="position"/> is stored.</summary>
    public async Task WaitDurableAsync(Lsn position, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnAdvanced(Lsn durable)
        {
            if (durable >= position)
                reached.TrySetResult();
        }
        _receiver.DurableAdvanced += OnAdvanced;
        try
        {
            OnAdvanced(_receiver.DurableLsn);
            Task first = await Task.WhenAny(reached.Task, _run).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            if (first == _run)
            {
                await _run.ConfigureAwait(false); // throws what stopped the streamer
                throw new InvalidOperationException($"the WAL streamer stopped before {position} was stored");
            }
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"the WAL streamer did not store WAL up to {position} within {timeout.TotalSeconds:0} s "
                + $"(it holds WAL before {_receiver.DurableLsn})");
        }
        finally
        {
            _receiver.DurableAdvanced -= OnAdvanced;
        }
    }

    /// <summary>Stops streaming after storing what has arrived (as SIGINT does for <c>pgark wal stream</c>).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // how a streamer is meant to stop
        }
        _linked.Dispose();
        _stop.Dispose();
    }
}
