using System.Globalization;
using Pgark.Cli.Parsing;
using Pgark.Retention;

namespace Pgark.Cli.Commands.Retention;

/// <summary><c>pgark forget</c>: applies a retention policy, per cluster and kind, to the backups and the WAL archive.</summary>
internal static class ForgetCommand
{
    public static readonly CommandSpec Spec = new(
        "forget",
        "Remove backups by a retention policy, and the WAL no kept backup needs.",
        "Groups the backups by cluster (system identifier) and kind (physical, logical) and applies the policy to each group "
        + "as restic does: visiting backups newest first, each --keep-daily/weekly/monthly/yearly N keeps the newest backup of "
        + "N distinct days (UTC), ISO weeks, months or years, --keep-last N the N newest, and a rule with count left when it "
        + "reaches the oldest backup keeps that one too. -1 keeps one per period without limit. --keep-within keeps every "
        + "backup that started within the duration (like 1y6m, 30d, 12h) before the newest backup. A backup any rule keeps, or "
        + "that is pinned (pgark pin), stays; the reasons are printed.\n\n"
        + "Archived WAL segments before the segment holding the oldest kept physical backup's start LSN are removed: no kept "
        + "backup needs them. --keep-wal-within D keeps, in addition, the WAL and the base backup that point-in-time recovery "
        + "to any moment of the last D needs. No WAL is removed when no physical backup of the archive's cluster is kept.\n\n"
        + "forget runs beside WAL streaming and archiving (shared lock) but refuses while a backup, prune or another forget "
        + "holds a live lock. It removes snapshot records and WAL objects; the data only forgotten backups used is freed by "
        + "prune (--prune runs it afterwards). --dry-run changes nothing and shows what would go and why the rest stays.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            cluster 7301234567890123456, physical:
              keep    4c1d9e0a  2026-11-21 06:00:03  daily snapshot, weekly snapshot
              keep    a0b1c2d3  2026-11-20 06:00:02  daily snapshot
              remove  77e0f1aa  2026-11-19 06:00:04
            WAL: keep from 0/5000028; remove 4 segment object(s), 000000010000000000000001 .. 000000010000000000000004
            removed 1 backup(s) and 4 WAL object(s)
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        var policy = PolicyFrom(arguments);
        var dryRun = arguments.Flag(Options.DryRun);
        // Only the prune afterwards reads chunks; forgetting deletes snapshot records and WAL objects.
        var prune = arguments.Flag(Options.Prune) && !dryRun;
        var repository = await RepositoryLocation.OpenAsync(context, arguments, loadIndex: prune, cancellationToken).ConfigureAwait(false);
        var plan = await new Forget(repository).RunAsync(policy, dryRun, cancellationToken: cancellationToken).ConfigureAwait(false);
        Write(context.Out, plan);
        if (prune)
        {
            var pruned = await repository.PruneAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            context.Out.WriteLine($"prune: {pruned.UnreachableChunks} chunk(s) removed, {pruned.PacksDeleted} pack(s) deleted, {pruned.BytesFreed} bytes freed");
        }
        return ExitCode.Ok;
    }

    internal static RetentionPolicy PolicyFrom(ParsedArguments arguments)
    {
        var policy = new RetentionPolicy
        {
            Last = Count(arguments, Options.KeepLast),
            Daily = Count(arguments, Options.KeepDaily),
            Weekly = Count(arguments, Options.KeepWeekly),
            Monthly = Count(arguments, Options.KeepMonthly),
            Yearly = Count(arguments, Options.KeepYearly),
            Within = Duration(arguments, Options.KeepWithin),
            WalWithin = Duration(arguments, Options.KeepWalWithin),
        };
        if (policy.IsEmpty)
            throw new UsageException("forget needs a policy: without one it would remove every backup",
                "give at least one of --keep-last, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly or --keep-within");
        return policy;
    }

    private static int Count(ParsedArguments arguments, CliOption option) => (int)(arguments.Integer(option) ?? 0);

    private static RetentionDuration Duration(ParsedArguments arguments, CliOption option)
    {
        if (arguments.Text(option) is not { } text)
            return default;
        return RetentionDuration.TryParse(text, out var duration) && !duration.IsZero ? duration
            : throw new UsageException($"--{option.Name} '{text}' is not a duration", "write numbers followed by y, m, d or h, such as 1y6m, 30d or 12h");
    }

    private static void Write(TextWriter output, ForgetPlan plan)
    {
        var culture = CultureInfo.InvariantCulture;
        foreach (var group in plan.Backups.GroupBy(b => b.Group))
        {
            var parts = group.Key.Split('/');
            output.WriteLine($"cluster {parts[0]}, {parts[1]}:");
            foreach (var backup in group)
            {
                var start = backup.Snapshot.Record.Metadata.StartTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", culture);
                var verdict = backup.Keep ? "keep  " : (plan.DryRun ? "would remove" : "remove");
                output.WriteLine($"  {verdict}  {backup.Snapshot.ShortId}  {start}  {string.Join(", ", backup.Reasons)}".TrimEnd());
            }
        }
        if (plan.Wal.Count == 0)
            output.WriteLine($"WAL: nothing removed: {ForgetPlan.EmptyArchive}");
        foreach (var cluster in plan.Wal)
        {
            // One line per cluster; the cluster is named only when the archive holds several.
            var who = plan.Wal.Count > 1 ? $"WAL of cluster {cluster.SystemIdentifier}" : "WAL";
            if (cluster.Note is { } note)
                output.WriteLine($"{who}: nothing removed: {note}");
            else if (cluster.Cutoff is { } cutoff)
            {
                var removed = cluster.ToRemove.Where(s => s.IsSegment).ToList();
                var range = removed.Count == 0 ? "" : $", {removed[0].WalFileName} .. {removed[^1].WalFileName}";
                output.WriteLine($"{who}: keep from {cutoff}; {(plan.DryRun ? "would remove" : "remove")} {removed.Count} segment object(s){range}");
            }
        }
        var backups = plan.Removed.Count();
        output.WriteLine(plan.DryRun
            ? $"dry run: would remove {backups} backup(s) and {plan.WalToRemove.Count} WAL object(s); nothing was changed"
            : $"removed {backups} backup(s) and {plan.WalToRemove.Count} WAL object(s)");
    }
}
