using System.Buffers;
using System.Text;
using Pgark.Wire.Connection;

namespace Pgark.Wire.Replication;

/// <summary>
/// The replication commands a walsender accepts (connection opened with <see cref="ReplicationMode.Physical"/>
/// or <see cref="ReplicationMode.Database"/>), as simple Queries with text results.
/// </summary>
public static class ReplicationCommands
{
    /// <summary>IDENTIFY_SYSTEM → systemid, timeline, xlogpos, dbname.</summary>
    public static async Task<IdentifySystemResult> IdentifySystemAsync(this PgConnection connection, CancellationToken cancellationToken = default)
    {
        string?[] row = await SingleRowAsync(connection, "IDENTIFY_SYSTEM", 4, cancellationToken).ConfigureAwait(false);
        return new IdentifySystemResult(ulong.Parse(Required(row, 0, "IDENTIFY_SYSTEM systemid"), System.Globalization.CultureInfo.InvariantCulture),
            TimelineId.Parse(Required(row, 1, "IDENTIFY_SYSTEM timeline")), Lsn.Parse(Required(row, 2, "IDENTIFY_SYSTEM xlogpos")), row[3]);
    }

    /// <summary>SHOW name → the setting's current value as text (e.g. wal_segment_size → "16MB").</summary>
    public static async Task<string> ShowAsync(this PgConnection connection, string name, CancellationToken cancellationToken = default)
    {
        RequireIdentifier(name, nameof(name), allowDot: true);
        string?[] row = await SingleRowAsync(connection, $"SHOW {name}", 1, cancellationToken).ConfigureAwait(false);
        return Required(row, 0, $"SHOW {name}");
    }

    /// <summary>TIMELINE_HISTORY tli → the history file's name and content, byte for byte.</summary>
    public static async Task<TimelineHistoryFile> TimelineHistoryAsync(this PgConnection connection, TimelineId timeline,
        CancellationToken cancellationToken = default)
    {
        // The content column is sent raw (text format of a text/bytea column in walsender), so keep the bytes.
        await using PgQueryReader reader = await connection.QueryAsync($"TIMELINE_HISTORY {timeline}", cancellationToken).ConfigureAwait(false);
        TimelineHistoryFile? file = null;
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (reader.FieldCount != 2 || file is not null)
                    throw new PgProtocolException($"TIMELINE_HISTORY returned an unexpected row shape ({reader.FieldCount} fields)");
                file = new TimelineHistoryFile(reader.GetString(0) ?? "", reader.GetBytes(1).ToArray());
            }
        }
        return file ?? throw new PgProtocolException("TIMELINE_HISTORY returned no row");
    }

    /// <summary>
    /// CREATE_REPLICATION_SLOT. PostgreSQL 15+ gets the parenthesized option list; 13 and 14 get the legacy
    /// keywords (RESERVE_WAL, EXPORT_SNAPSHOT, NOEXPORT_SNAPSHOT, USE_SNAPSHOT), which 15+ still accepts too.
    /// </summary>
    public static async Task<ReplicationSlotCreated> CreateReplicationSlotAsync(this PgConnection connection, string slotName,
        CreateReplicationSlotOptions options, CancellationToken cancellationToken = default)
    {
        string sql = CreateReplicationSlotCommand(slotName, options, connection.ServerVersionNumber);
        string?[] row = await SingleRowAsync(connection, sql, 4, cancellationToken).ConfigureAwait(false);
        return new ReplicationSlotCreated(Required(row, 0, "CREATE_REPLICATION_SLOT slot_name"),
            row[1] is null ? null : Lsn.Parse(row[1]!), row[2], row[3]);
    }

    internal static string CreateReplicationSlotCommand(string slotName, CreateReplicationSlotOptions options, int serverVersion)
    {
        RequireSlotName(slotName);
        var sql = new StringBuilder("CREATE_REPLICATION_SLOT ").Append(slotName);
        if (options.Temporary)
            sql.Append(" TEMPORARY");
        bool modern = serverVersion >= 150000;
        if (options.Kind == ReplicationSlotKind.Physical)
        {
            if (options.Snapshot != SlotSnapshotAction.Default)
                throw new ArgumentException("snapshot actions only apply to logical slots", nameof(options));
            sql.Append(" PHYSICAL");
            if (options.ReserveWal)
                sql.Append(modern ? " (RESERVE_WAL)" : " RESERVE_WAL");
            return sql.ToString();
        }

        string plugin = options.OutputPlugin ?? throw new ArgumentException("a logical slot needs an OutputPlugin", nameof(options));
        RequireIdentifier(plugin, nameof(options), allowDot: false);
        if (options.ReserveWal)
            throw new ArgumentException("RESERVE_WAL only applies to physical slots", nameof(options));
        sql.Append(" LOGICAL ").Append(plugin);
        if (options.Snapshot != SlotSnapshotAction.Default)
        {
            sql.Append(modern
                ? options.Snapshot switch
                {
                    SlotSnapshotAction.Export => " (SNAPSHOT 'export')",
                    SlotSnapshotAction.NoExport => " (SNAPSHOT 'nothing')",
                    _ => " (SNAPSHOT 'use')",
                }
                : options.Snapshot switch
                {
                    SlotSnapshotAction.Export => " EXPORT_SNAPSHOT",
                    SlotSnapshotAction.NoExport => " NOEXPORT_SNAPSHOT",
                    _ => " USE_SNAPSHOT",
                });
        }
        return sql.ToString();
    }

    /// <summary>DROP_REPLICATION_SLOT name [WAIT]: WAIT blocks while the slot is active instead of failing.</summary>
    public static async Task DropReplicationSlotAsync(this PgConnection connection, string slotName, bool wait = false,
        CancellationToken cancellationToken = default)
    {
        RequireSlotName(slotName);
        await connection.ExecuteAsync($"DROP_REPLICATION_SLOT {slotName}{(wait ? " WAIT" : "")}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>READ_REPLICATION_SLOT name (PostgreSQL 15+); null when no such slot exists.</summary>
    public static async Task<ReplicationSlotInfo?> ReadReplicationSlotAsync(this PgConnection connection, string slotName,
        CancellationToken cancellationToken = default)
    {
        RequireSlotName(slotName);
        if (connection.ServerVersionNumber < 150000)
        {
            throw new NotSupportedException(
                $"READ_REPLICATION_SLOT needs PostgreSQL 15 or later; this server is {connection.Parameters.GetValueOrDefault("server_version")}. " +
                "hint: query pg_replication_slots over a normal connection instead");
        }
        string?[] row = await SingleRowAsync(connection, $"READ_REPLICATION_SLOT {slotName}", 3, cancellationToken).ConfigureAwait(false);
        if (row[0] is null)
            return null;
        return new ReplicationSlotInfo(row[0]!, row[1] is null ? null : Lsn.Parse(row[1]!),
            row[2] is null ? null : TimelineId.Parse(row[2]!));
    }

    /// <summary>
    /// START_REPLICATION [SLOT s] PHYSICAL start [TIMELINE tli]: enters CopyBoth and returns the stream of
    /// XLogData and keepalives. Errors before streaming (WAL removed, bad timeline) throw PgServerException.
    /// </summary>
    public static Task<ReplicationStream> StartReplicationAsync(this PgConnection connection, Lsn start, TimelineId? timeline = null,
        string? slotName = null, CancellationToken cancellationToken = default)
    {
        var sql = new StringBuilder("START_REPLICATION");
        if (slotName is not null)
        {
            RequireSlotName(slotName);
            sql.Append(" SLOT ").Append(slotName);
        }
        sql.Append(" PHYSICAL ").Append(start.ToString());
        if (timeline is { } tli)
            sql.Append(" TIMELINE ").Append(tli.ToString());
        return ReplicationStream.StartAsync(connection, sql.ToString(), cancellationToken);
    }

    private static async Task<string?[]> SingleRowAsync(PgConnection connection, string sql, int columns, CancellationToken cancellationToken)
    {
        PgTextResult result = await connection.QueryTextAsync(sql, cancellationToken).ConfigureAwait(false);
        if (result.Rows.Count != 1 || result.Rows[0].Length != columns)
        {
            throw new PgProtocolException(
                $"{sql.Split(' ')[0]} returned {result.Rows.Count} rows of {(result.Rows.Count > 0 ? result.Rows[0].Length : 0)} columns, expected 1 row of {columns}");
        }
        return result.Rows[0];
    }

    private static string Required(string?[] row, int index, string what) =>
        row[index] ?? throw new PgProtocolException($"{what} is NULL");

    /// <summary>Slot names are [a-z0-9_]{1,63} in PostgreSQL; checking here also keeps the command text injection-free.</summary>
    private static void RequireSlotName(string slotName)
    {
        ArgumentNullException.ThrowIfNull(slotName);
        if (slotName.Length is 0 or > 63 || !slotName.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
        {
            throw new ArgumentException(
                $"replication slot name \"{slotName}\" is invalid; use 1 to 63 lower-case letters, digits and underscores", nameof(slotName));
        }
    }

    private static void RequireIdentifier(string name, string parameter, bool allowDot)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > 63 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || (allowDot && c == '.')))
            throw new ArgumentException($"\"{name}\" is not a plain identifier", parameter);
    }
}
