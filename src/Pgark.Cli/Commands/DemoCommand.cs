using Pgark.Cli.Commands.Ping;
using Pgark.Cli.Parsing;
using Pgark.Cluster;
using Pgark.Wire.Connection;

namespace Pgark.Cli.Commands;

/// <summary>
/// <c>pgark demo</c>: pgark's main job end to end on an embedded default — a scratch cluster pgark starts itself.
/// The quick start runs it; each capability adds its step here, so the demo is always what pgark can really do.
/// </summary>
internal static class DemoCommand
{
    public static readonly CommandSpec Spec = new(
        "demo",
        "Run pgark end to end against a scratch PostgreSQL cluster it starts itself.",
        "Starts a throwaway PostgreSQL cluster from the installed server binaries (initdb with data checksums, a free "
        + "port on 127.0.0.1, run as the unprivileged postgres account when pgark runs as root), connects to it with "
        + "pgark's own wire protocol over a replication connection and identifies the system, then stops the cluster "
        + "and removes its directory (unless --keep). Nothing outside the scratch directory is touched.",
        Arguments: "",
        MaxPositionals: 0,
        RunAsync,
        Output: """
            [1/3] started PostgreSQL 15.14 in /tmp/pgark-cluster-1a2b3c (port 40123, data checksums on)
            [2/3] ping over a replication connection
                  system id:     7301234567890123456
                  timeline:      1
                  WAL position:  0/1779E38
                  backup:        allowed (the role is a superuser)
            [3/3] stopped the cluster and removed its directory
            demo finished: pgark can connect to and identify a real PostgreSQL server
            """);

    private static async Task<ExitCode> RunAsync(CliContext context, ParsedArguments arguments, CancellationToken cancellationToken)
    {
        TextWriter output = context.Out;
        bool keep = arguments.Flag(Options.Keep);
        var options = new LocalClusterOptions { Major = (int?)arguments.Integer(Options.Major) };

        // Step 1: a scratch cluster of our own.
        LocalCluster cluster = await LocalCluster.StartAsync(options, cancellationToken).ConfigureAwait(false);
        try
        {
            output.WriteLine($"[1/3] started PostgreSQL {cluster.Installation.Version} in {cluster.Directory} "
                + $"(port {cluster.Port}, data checksums on)");

            // Step 2: what `pgark ping` does, against that cluster.
            output.WriteLine("[2/3] ping over a replication connection");
            ConnectionSettings settings = ConnectionSettings.Parse(cluster.ConnInfo(), ReplicationMode.Physical,
                new Dictionary<string, string?>());
            ServerIdentity server = await context.ServerProbe.IdentifyAsync(settings, cancellationToken).ConfigureAwait(false);
            output.WriteLine($"      system id:     {server.SystemIdentifier}");
            output.WriteLine($"      timeline:      {server.Timeline}");
            output.WriteLine($"      WAL position:  {server.WalPosition}");
            output.WriteLine($"      backup:        {(server.IsSuperuser ? "allowed (the role is a superuser)" : "allowed (REPLICATION)")}");
        }
        finally
        {
            // Step 3: leave nothing behind unless asked to.
            if (keep)
            {
                output.WriteLine($"[3/3] kept the cluster running: {cluster.ConnInfo()} (data in {cluster.DataDirectory})");
            }
            else
            {
                await cluster.DisposeAsync().ConfigureAwait(false);
                output.WriteLine("[3/3] stopped the cluster and removed its directory");
            }
        }
        output.WriteLine("demo finished: pgark can connect to and identify a real PostgreSQL server");
        return ExitCode.Ok;
    }
}
