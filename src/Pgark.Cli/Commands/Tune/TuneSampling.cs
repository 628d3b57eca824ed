using Pgark.Cli.Parsing;
using Pgark.Cli.Progress;
using Pgark.Repository.Format;
using Pgark.Tuning;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Cli.Commands.Tune;

/// <summary>Where tune's sample comes from: --backup ID in --repo, else the server of --db.</summary>
internal static class TuneSampling
{
    public static async Task<TuneSample> TakeAsync(CliContext context, ParsedArguments arguments, TuneArguments tune, Repo? repository,
        TerminalProgress progress, CancellationToken cancellationToken)
    {
        if (tune.FromBackup)
        {
            var snapshot = await repository!.FindSnapshotAsync(arguments.Text(Options.Backup)!, cancellationToken).ConfigureAwait(false);
            if (snapshot.Record.Metadata.Kind != SnapshotKind.Physical)
                throw new UsageException($"snapshot {snapshot.ShortId} is a logical backup",
                    "tune measures physical data: give --backup a physical snapshot (pgark snapshots lists them) or sample the server with --db");
            return await SnapshotSampler.SampleAsync(repository, snapshot, tune.SampleBytes,
                (read, _) => progress.Report($"tune: sampling snapshot {snapshot.ShortId}", read, tune.SampleBytes),
                cancellationToken).ConfigureAwait(false);
        }
        var settings = PingCommand.ResolveSettings(context, arguments);
        context.Connection = settings;
        var sample = await ClusterSampler.SampleAsync(settings, tune.SampleBytes, tune.Time / 2,
            (read, estimate) => progress.Report("tune: sampling cluster", read, estimate), cancellationToken).ConfigureAwait(false);
        if (repository is null)
            return sample;
        // The newest physical backup of the same cluster prices repeat backups.
        var earlier = (await repository.ListSnapshotsAsync(cancellationToken).ConfigureAwait(false))
            .LastOrDefault(s => s.Record.Metadata.Kind == SnapshotKind.Physical && s.Record.Metadata.SystemIdentifier == sample.SystemIdentifier);
        if (earlier is null)
            return sample;
        await ParentPages.AttachAsync(repository, earlier.Record, sample.Windows, cancellationToken).ConfigureAwait(false);
        return sample with { ParentSnapshotId = earlier.Id };
    }
}
