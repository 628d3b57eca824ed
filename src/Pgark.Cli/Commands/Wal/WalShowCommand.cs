using System.Globalization;
using Pgark.Cli.Parsing;
using Pgark.Wal;
using Pgark.Wal.Show;
using Pgark.Wire.Replication;

namespace Pgark.Cli.Commands.Wal;

/// <summary><c>pgark wal show</c>: which transactions ended when, and what they changed, to name a recovery target.</summary>
internal static class WalShowCommand
{
    public static readonly CommandSpec Spec = new(
        "wal show",
        "List the transactions in the archived WAL around a time or in an LSN range.",
        "Lists every commit and abort that ended within --window of --around TIME, or whose record lies in --from LSN "
        + "[--to LSN], with its time, xid, LSN, the databases it touched and, per relation (tablespace/database/relfilenode), "
        + "the rows it inserted, updated and deleted as the WAL records say (heap INSERT, MULTI_INSERT, UPDATE, HOT_UPDATE, "
        + "DELETE), so that the DELETE to undo stands out and its LSN or time can be given to restore as the target.\n\n"
        + "WAL names no tables: with --db the relfilenodes are looked up on the server (pg_filenode_relation, per database) "
        + "and printed as schema.table; a relation rewritten since (TRUNCATE, VACUUM FULL, CLUSTER) or dropped has another "
        + "or no name now. Only the segments around the request are read: for --around a binary search over segments by "
        + "their first commit time, then one segment of lead-in (spec/wal-show.md).",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            timeline 1: reading 000000010000000000000005 .. 000000010000000000000007 from 0/4000000 (window 2026-11-21 16:55:00 .. 17:05:00 UTC)
            2026-11-21 17:00:00.120351 UTC  COMMIT  xid 748  lsn 0/5A3F0C8  databases 16384
                16384/16385 public.orders: deleted 1000
                16384/16391 (Btree): 1000 records
            read 0/4000000 .. 0/7100000: 61200 records in 3 segments (2 probes); 1 transaction listed
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        // What to list, checked before the repository is opened.
        WalShowRequest request = Request(arguments);

        // Which segments to read: from names and headers; for a time, a binary search over segments.
        Pgark.Repository.Repository repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);
        WalStore store = await WalClusters.OpenAsync(repository, SystemIdArgument.Parse(arguments), cancellationToken).ConfigureAwait(false);
        WalShow show = await WalShow.PlanAsync(store, request, cancellationToken).ConfigureAwait(false);

        // Read and print as we go, naming relations through --db when given.
        await using RelationNames? names = arguments.Has(Options.Db) ? new RelationNames(ResolveSettings(context, arguments)) : null;
        IWalShowOutput output = arguments.Flag(Options.Json) ? new WalShowJson(context.Out) : new WalShowText(context.Out);
        output.Begin(show, request);
        int listed = 0;
        foreach (WalShowTransaction transaction in show.Transactions(cancellationToken))
        {
            IReadOnlyList<string?> relationNames = names is null ? [] : await names.NamesAsync(transaction.Relations, cancellationToken).ConfigureAwait(false);
            output.Transaction(transaction, relationNames);
            listed++;
        }
        output.End(show, listed);
        return ExitCode.Ok;
    }

    private static Pgark.Wire.Connection.ConnectionSettings ResolveSettings(CliContext context, ParsedArguments arguments)
    {
        var settings = PingCommand.ResolveSettings(context, arguments) with { Replication = Pgark.Wire.Connection.ReplicationMode.None };
        context.Connection = settings;
        return settings;
    }

    /// <summary>--timeline: a number, or latest (the default, null); "current" names a backup's timeline, and wal show has none.</summary>
    private static TimelineId? ParseTimeline(string? text)
    {
        if (text is null)
            return null;
        if (!Pgark.Recovery.TimelineChoice.TryParse(text, out var choice) || choice.Current)
            throw new UsageException($"invalid value \"{text}\" for --timeline", "give a timeline number, or latest");
        return choice.Explicit;
    }

    internal static WalShowRequest Request(ParsedArguments arguments)
    {
        string? around = arguments.Text(Options.Around);
        string? from = arguments.Text(Options.From);
        if (around is null == from is null)
            throw new UsageException("wal show needs either --around TIME or --from LSN", "e.g. --around '2026-11-21 17:00:00+00' --window 5m, or --from 0/3000000 --to 0/4000000");
        if (around is not null && arguments.Has(Options.To))
            throw new UsageException("--to goes with --from, not --around", "use --window to widen a time search");
        if (from is not null && arguments.Has(Options.Window))
            throw new UsageException("--window goes with --around, not --from", "give the range's end with --to");
        TimelineId? timeline = ParseTimeline(arguments.Text(Options.Timeline));
        if (around is not null)
        {
            return new WalShowRequest
            {
                Around = ParseTime(around),
                Window = arguments.Text(Options.Window) is { } window ? ParseDuration(window) : TimeSpan.FromMinutes(5),
                Timeline = timeline,
            };
        }
        Lsn start = ParseLsn(from!, "--from");
        Lsn? end = arguments.Text(Options.To) is { } to ? ParseLsn(to, "--to") : null;
        if (end <= start)
            throw new UsageException($"--to {end} is not after --from {start}", "give a range whose end is after its start");
        return new WalShowRequest { From = start, To = end, Timeline = timeline };
    }

    private static Lsn ParseLsn(string text, string option)
        => Lsn.TryParse(text, out Lsn lsn) ? lsn
            : throw new UsageException($"invalid value \"{text}\" for {option}: not an LSN", "write it as X/Y in hexadecimal, as pg_current_wal_lsn() prints it, e.g. 0/3000148");

    /// <summary>ISO 8601 or PostgreSQL's timestamptz output ("2026-11-21 17:00:00.123+00", "… UTC"); no offset means UTC.</summary>
    internal static DateTimeOffset ParseTime(string text)
    {
        string normalized = text.Trim();
        if (normalized.EndsWith(" UTC", StringComparison.Ordinal))
            normalized = normalized[..^4] + "+00:00";
        // PostgreSQL prints whole-hour offsets as "+02"; .NET wants "+02:00".
        if (normalized.Length > 3 && normalized[^3] is '+' or '-' && char.IsAsciiDigit(normalized[^2]) && char.IsAsciiDigit(normalized[^1])
            && normalized.LastIndexOf(' ') < normalized.Length - 3 && normalized.Contains(':', StringComparison.Ordinal))
            normalized += ":00";
        if (DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out DateTimeOffset time))
            return time;
        throw new UsageException($"invalid value \"{text}\" for --around: not a time",
            "write it as '2026-11-21 17:00:00+00' or 2026-11-21T17:00:00Z (UTC when no offset is given)");
    }

    /// <summary>"500ms", "30s", "5m", "5min", "1h".</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        int unitAt = text.AsSpan().IndexOfAnyExceptInRange('0', '9');
        if (unitAt > 0 && long.TryParse(text.AsSpan(0, unitAt), NumberStyles.None, CultureInfo.InvariantCulture, out long number) && number <= 1_000_000)
        {
            switch (text[unitAt..])
            {
                case "ms": return TimeSpan.FromMilliseconds(number);
                case "s": return TimeSpan.FromSeconds(number);
                case "m" or "min": return TimeSpan.FromMinutes(number);
                case "h": return TimeSpan.FromHours(number);
            }
        }
        throw new UsageException($"invalid value \"{text}\" for --window", "give a number and a unit: ms, s, m (or min), h; e.g. --window 5m");
    }
}
