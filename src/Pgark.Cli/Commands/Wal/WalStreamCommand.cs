using Pgark.Cli.Parsing;
using Pgark.Wal;
using Pgark.Wire.Connection;

namespace Pgark.Cli.Commands.Wal;

/// <summary><c>pgark wal stream</c>: continuous WAL archiving over START_REPLICATION.</summary>
internal static class WalStreamCommand
{
    public static readonly CommandSpec Spec = new(
        "wal stream",
        "Archive WAL continuously by streaming it from the server, like a standby.",
        "Connects as a physical replication client and streams WAL from a replication slot into the repository: each "
        + "completed segment becomes a WAL object at once, and what arrived of the segment in progress is stored as one more "
        + "piece (only the new bytes) every 200 ms and whenever the server asks for a reply. pgark reports to the server as flushed "
        + "only WAL that is stored, fsynced and read back from the repository, so the slot never lets the server drop WAL "
        + "pgark does not hold, and with --synchronous a synchronous commit returns only once pgark holds it.\n\n"
        + "It continues where the repository's WAL of this cluster ends (the first time: the slot's restart position, else the "
        + "server's current position, rounded down to a segment start), follows timeline switches (storing the history file), "
        + "and reconnects with backoff after the server restarts or the network fails, with no gap and no duplicate. "
        + "One streamer per cluster and repository: a second one is refused. SIGINT or SIGTERM stops it after storing "
        + "what has arrived; it then exits 0.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            pgark: archive holds no WAL of system 7301234567890123456: starting at 0/3000000 on timeline 1
            pgark: streaming from 0/3000000 on timeline 1
            pgark: stopped: WAL before 0/5A3B1C8 on timeline 1 is stored (37 segments, 1804 pieces, 612 MB received)
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        // Resolve the server and open the repository.
        ConnectionSettings settings = PingCommand.ResolveSettings(context, arguments);
        context.Connection = settings;
        Pgark.Repository.Repository repository = await RepositoryLocation.OpenAsync(context, arguments, cancellationToken).ConfigureAwait(false);

        // Stream until stopped: the receiver reconnects by itself and throws only what needs the user.
        var receiver = new WalReceiver(repository, new WalReceiverOptions
        {
            Connection = settings,
            SlotName = arguments.Text(Options.Slot) ?? "pgark",
            CreateSlot = arguments.Flag(Options.CreateSlot),
            Synchronous = arguments.Flag(Options.Synchronous),
            StatusInterval = TimeSpan.FromSeconds(arguments.Integer(Options.StatusInterval) ?? 1),
            // This process only streams, for days: keep its resident memory flat (issue #5).
            CompactHeapAfterSegment = true,
            Log = message => context.Error.WriteLine($"pgark: {message}"),
        });
        try
        {
            await receiver.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // SIGINT/SIGTERM is how a streamer is meant to stop; what arrived is stored by now.
        }
        context.Error.WriteLine($"pgark: stopped: WAL before {receiver.DurableLsn} on timeline {receiver.Timeline} is stored "
            + $"({receiver.Counters.SegmentsStored} segments, {receiver.Counters.PartialsStored} pieces, {receiver.Counters.BytesReceived / (1 << 20)} MB received)");
        return ExitCode.Ok;
    }
}
