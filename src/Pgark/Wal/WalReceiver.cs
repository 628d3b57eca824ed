using Pgark.Repository.Locks;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Wal;

/// <summary>
/// Receives WAL over START_REPLICATION PHYSICAL into the repository's WAL archive, from where the archive ends
/// (or the slot's restart position the first time) to <see cref="WalReceiverOptions.StopLsn"/> or until cancelled.
/// <para>
/// The invariant everything here serves: the flush position reported to the server — which lets it recycle WAL
/// and release synchronous commits — never passes what is stored in the repository, fsynced and read back.
/// Completed segments become full WAL objects at once; what arrived of the segment in progress is stored as one more piece
/// (only the new bytes) every <see cref="WalReceiverOptions.FlushInterval"/>, whenever the server asks for a reply, and
/// (synchronous mode) whenever the receiver has caught up with the server. Only the 1 MiB frame in progress is held as plaintext:
/// each completed frame is compressed at once and stored as one piece, and the full object is assembled from the compressed
/// frames (<see cref="WalSegmentBuffer"/>), so memory does not hold a segment of plaintext.
/// </para>
/// Physical backup reuses this class to collect the WAL of a backup (StartLsn = backup start, StopLsn = its end).
/// </summary>
public sealed partial class WalReceiver
{
    private readonly Repository.Repository _repository;

    // The WAL of the cluster IDENTIFY_SYSTEM names: set on the first connection, before anything is read or stored.
    private WalStore _store = null!;
    private readonly WalReceiverOptions _options;
    private WalSegmentBuffer? _segment;
    private long _durableLsn;
    private long _receivedLsn;

    public WalReceiver(Repository.Repository repository, WalReceiverOptions options)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(options);
        if (options.StatusInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), "StatusInterval must be positive");
        if (options.FlushInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), "FlushInterval must be positive");
        _repository = repository;
        _options = options with { Connection = options.Connection with { Replication = ReplicationMode.Physical } };
    }

    /// <summary>Everything before this position is stored, verified and acknowledged (or about to be).</summary>
    public Lsn DurableLsn => new((ulong)Volatile.Read(ref _durableLsn));

    /// <summary>Everything before this position has arrived from the server.</summary>
    public Lsn ReceivedLsn => new((ulong)Volatile.Read(ref _receivedLsn));

    /// <summary>The timeline being received.</summary>
    public TimelineId Timeline { get; private set; }

    /// <summary>The server's system identifier (set once connected).</summary>
    public ulong SystemIdentifier { get; private set; }

    /// <summary>wal_segment_size of the server (set once connected).</summary>
    public int SegmentSize { get; private set; }

    public WalReceiverCounters Counters { get; } = new();

    /// <summary>Raised (on the receiver's task) each time <see cref="DurableLsn"/> advances.</summary>
    public event Action<Lsn>? DurableAdvanced;

    /// <summary>
    /// Streams until <see cref="WalReceiverOptions.StopLsn"/> is durable or <paramref name="cancellationToken"/> is
    /// cancelled; on cancellation what has arrived is stored first, then <see cref="OperationCanceledException"/> is thrown.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        // Connect as a walsender and learn which cluster this is and how its WAL is cut.
        PgConnection connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        RepositoryLock? held = null;
        try
        {
            IdentifySystemResult identity = await IdentifyAsync(connection, cancellationToken).ConfigureAwait(false);

            // One streamer per cluster and repository; the shared lock keeps prune away.
            if (_options.TakeLocks)
                held = await WalStreamerLock.AcquireAsync(_repository, identity.SystemId, cancellationToken).ConfigureAwait(false);

            // The slot holds the server's WAL for pgark; a missing one is an error unless creating it was asked for.
            await EnsureSlotAsync(connection, cancellationToken).ConfigureAwait(false);

            // Continue where the repository's WAL of this cluster ends, or at the slot's or server's position.
            await ChooseStartAsync(identity, cancellationToken).ConfigureAwait(false);

            // Stream, reconnecting after connection loss and server restarts.
            await StreamWithReconnectAsync(connection, cancellationToken).ConfigureAwait(false);
            connection = null!;
        }
        finally
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
            if (held is not null)
                await held.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Log(string message) => _options.Log?.Invoke(message);

    private bool StopReached => _options.StopLsn is { } stop && DurableLsn >= stop;
}
