using Pgark.Wire.Messages;
using Pgark.Wire.Messages.Backend;

namespace Pgark.Wire.Connection;

/// <summary>How a <see cref="PgConnection"/> behaves, beyond where and as whom it connects (<see cref="ConnectionSettings"/>).</summary>
public sealed record PgConnectionOptions
{
    public static PgConnectionOptions Default { get; } = new();

    /// <summary>Bounds on backend message sizes; memory held per connection never exceeds the largest one.</summary>
    public MessageLimits Limits { get; init; } = MessageLimits.Default;

    /// <summary>
    /// Called for every NoticeResponse, including those sent during startup. Runs on the reading path: keep it
    /// short and do not throw (an exception breaks the connection).
    /// </summary>
    public Action<PgNotice>? NoticeHandler { get; init; }

    /// <summary>
    /// After a CancellationToken fires, pgark sends a CancelRequest and waits this long for the server to end the
    /// command; then it closes the connection and throws <see cref="PgConnectionException"/> (Timeout).
    /// </summary>
    public TimeSpan CancellationGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Row cap of the buffering convenience <see cref="PgConnection.QueryTextAsync"/> (memory bound).</summary>
    public int MaxBufferedRows { get; init; } = 100_000;

    /// <summary>Bytes of frontend data (COPY IN, status updates) buffered before a flush waits for the socket.</summary>
    public int WriteFlushThreshold { get; init; } = 256 * 1024;
}
