using Pgark.Wire.Replication;

namespace Pgark.Wal.Show;

/// <summary>
/// What <c>wal show</c> lists: the transactions that ended within a time window (<see cref="Around"/> ± <see cref="Window"/>)
/// or whose commit/abort record lies in an LSN range [<see cref="From"/>, <see cref="To"/>). Exactly one of the two.
/// </summary>
public sealed record WalShowRequest
{
    /// <summary>The moment to look around (commit timestamps are compared with it).</summary>
    public DateTimeOffset? Around { get; init; }

    /// <summary>Half-width of the time window: transactions ending in [Around − Window, Around + Window] are listed.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First LSN of the range (inclusive).</summary>
    public Lsn? From { get; init; }

    /// <summary>End of the range (exclusive); null reads to the end of the archive.</summary>
    public Lsn? To { get; init; }

    /// <summary>The timeline whose history is read; null takes the newest timeline in the archive.</summary>
    public TimelineId? Timeline { get; init; }

    /// <summary>
    /// Commit timestamps are taken before the commit record is inserted, so they are not strictly in LSN order: the
    /// search starts this much before the window and reading stops only at a commit this much after it.
    /// </summary>
    public TimeSpan Slack { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Segments read before the one the time search lands on, so that changes a transaction made shortly before its
    /// commit (a long DELETE) are attributed to it.
    /// </summary>
    public int LeadInSegments { get; init; } = 1;

    /// <summary>Transactions tracked at once (begun, not yet ended); beyond it the oldest are dropped and counted.</summary>
    public int MaxOpenTransactions { get; init; } = 100_000;

    /// <summary>Relations counted per transaction; further relations are counted only in the truncation flag.</summary>
    public int MaxRelationsPerTransaction { get; init; } = 1_000;

    public bool IsTimeWindow => Around is not null;

    internal void Validate()
    {
        if (Around is null == From is null)
            throw new ArgumentException("give either a time (Around) or an LSN range (From, To), not both or neither");
        if (From is { } from && To is { } to && to <= from)
            throw new ArgumentException($"the LSN range {from} .. {to} is empty");
        ArgumentOutOfRangeException.ThrowIfLessThan(Window, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(LeadInSegments);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOpenTransactions, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRelationsPerTransaction, 1);
    }
}
