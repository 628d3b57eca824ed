using System.Globalization;
using Pgark.Cli.Parsing;
using Pgark.Cli.Progress;
using Pgark.Repository.Snapshots;
using Pgark.Tuning;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Cli.Commands.Tune;

/// <summary><c>pgark tune</c>: measure storage settings on a sample of the user's own data and recommend one (spec/tune.md).</summary>
internal static class TuneCommand
{
    public static readonly CommandSpec Spec = new(
        "tune",
        "Measure storage settings on a sample of your data and recommend one.",
        "Samples a live cluster (--db, over the replication protocol: one BASE_BACKUP read as a backup reads it) or a physical "
        + "backup in a repository (--repo with --backup ID): every k-th 1 MiB window of every file, so each relation is represented "
        + "in proportion to its size. Then runs the real ingest pipeline (extents with page hashes or FastCDC, BLAKE3, zstd, packs "
        + "verified before publishing) on every core over the sample for each candidate: zstd levels -5 to 19 times extent sizes "
        + "64 KiB, 256 KiB and 1 MiB, then pack sizes 8, 32 and 128 MiB at the best of those; reads each trial's packs back; and, when "
        + "the repository holds an earlier backup of the same cluster, prices a repeat backup from that backup's page hashes. The "
        + "table projects full and repeat backup size and time for the whole cluster and marks the Pareto front of throughput "
        + "against storage. Throughputs are of the pipeline on data in memory: reading the cluster and writing the store come on top. "
        + "With --apply the recommendation becomes the repository's settings for new backups. See spec/tune.md.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            sample:       64.0 MiB in 64 windows of 1.5 GiB (cluster 7301234567890123456)
            repeat:       priced against earlier backup 3f2a9c1e
            trials:       26 candidates on 2 workers in 88.2 s, zstd 1.5.4

              level extent   pack  ingest  restore  compr  dedup   full backup        repeat backup      pareto
                                   MiB/s   MiB/s                   size      time     size      time
                 -5    64K    32M     610     1430   2.10   1.02    742 MiB    2.6 s     61 MiB    2.1 s  yes
            *     3   256K    32M     254      980   3.05   1.02    510 MiB    6.1 s     55 MiB    2.3 s  yes
                 19  1024K    32M       9      870   3.61   1.02    431 MiB    2.9 min  140 MiB    3.0 s  yes

            recommended:  zstd:3 pack 32MiB extent 256KiB cdc 32K/128K/512K
            because:      the lowest zstd level within 5% of the smallest size of levels up to 9 (it stores 3.2% more than that)
            applied:      settings 2 of repository 3f9a1c0d5e7b2a4c
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        // Read the options and open the repository, if one is named (its settings are the baseline, its keys price sealing).
        var tune = TuneArguments.Parse(arguments);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Repo? repository = arguments.Has(Options.Repo)
            ? await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false)
            : null;
        var progress = TerminalProgress.For(context, tune.Json);

        // The bar is erased however this ends, so an error message starts on a line of its own.
        TuneSample sample;
        TuneReport report;
        try
        {
            // Take the sample: from a backup in the repository, or from the live cluster; attach an earlier backup's page hashes.
            sample = await TuneSampling.TakeAsync(context, arguments, tune, repository, progress, cancellationToken).ConfigureAwait(false);

            if (sample.Windows.Count == 0)
                throw new UsageException($"{sample.Source} has no file data to sample", "tune a cluster or backup that holds data");

            // Run every candidate over the sample and recommend one.
            var options = new TuneOptions
            {
                Goal = tune.Goal, Window = tune.Window,
                TrialTime = tune.Time - clock.Elapsed > TimeSpan.FromSeconds(1) ? tune.Time - clock.Elapsed : TimeSpan.FromSeconds(1),
            };
            report = TuneEngine.RunFor(repository, sample, options,
                (done, total, settings) => progress.Report("tune: trials", done, total, done < total ? string.Create(CultureInfo.InvariantCulture, $"now {settings}") : "", unit: "trials"),
                cancellationToken);
        }
        finally
        {
            progress.Clear();
        }

        // Report, then apply.
        if (tune.ReportFile is { } file)
            await File.WriteAllTextAsync(file, TuneHtml.Render(report), cancellationToken).ConfigureAwait(false);
        if (tune.Json)
            context.Out.WriteLine(TuneJson.Write(report));
        else
            TuneText.Write(context.Out, report);
        if (tune.Apply)
        {
            var record = await repository!.SaveSettingsAsync(report.Recommended.Settings,
                $"pgark tune --goal {tune.Goal.ToString().ToLowerInvariant()} on {sample.Source}", cancellationToken).ConfigureAwait(false);
            (tune.Json ? context.Error : context.Out).WriteLine(
                string.Create(CultureInfo.InvariantCulture, $"applied:      settings {record.Sequence} of repository {repository.Config.RepositoryIdHex[..16]}"));
        }
        return ExitCode.Ok;
    }
}
