using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Logical.Restore;

/// <summary>
/// The data step's worker connections, opened while the pre-data definitions run on the restore's own connection, so the
/// first COPY starts as soon as its table exists instead of after another round of connection start-ups (each a server
/// fork, authentication and the session settings). A worker takes one with <see cref="TakeAsync"/>; when all are taken a
/// new one is opened. Those never taken are closed on <see cref="DisposeAsync"/>, and a failed opening surfaces only where
/// a worker takes it, never from dispose (the restore's own error comes first).
/// </summary>
internal sealed class WorkerConnections : IAsyncDisposable
{
    private readonly ConnectionSettings _target;
    private readonly Queue<Task<PgConnection>> _opening = new();
    private readonly Lock _lock = new();

    public WorkerConnections(ConnectionSettings target, int count, CancellationToken cancellationToken)
    {
        _target = target;
        for (int i = 0; i < count; i++)
            _opening.Enqueue(LogicalRestore.OpenWriterAsync(target, cancellationToken));
    }

    public Task<PgConnection> TakeAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_opening.TryDequeue(out var opening))
                return opening;
        }
        return LogicalRestore.OpenWriterAsync(_target, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        while (true)
        {
            Task<PgConnection>? opening;
            lock (_lock)
            {
                if (!_opening.TryDequeue(out opening))
                    return;
            }
            try
            {
                await (await opening.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is PgWireException or IOException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                // Never used: a connection that could not open (or close) changes nothing about the restore's outcome.
            }
        }
    }
}
