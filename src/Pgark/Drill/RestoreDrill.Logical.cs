using System.Diagnostics;
using Pgark.Cluster;
using Pgark.Logical;
using Pgark.Logical.Restore;
using Pgark.Repository;
using Pgark.Repository.Snapshots;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Drill;

// Logical: load the snapshot into a fresh scratch server, then read every table back and compare rows and row-set digests.
public sealed partial class RestoreDrill
{
    private async Task<DrillOutcome> RunLogicalAsync(SnapshotInfo snapshot, PgInstallation installation, DrillScratch scratch,
        CancellationToken cancellationToken)
    {
        (LogicalManifest manifest, _) = await LogicalRestore.ListAsync(repository, snapshot.Id.ToString(), cancellationToken).ConfigureAwait(false);

        // A new server of the backup's major (initdb is not part of the RTO: a real restore has its server already).
        Say($"starting a scratch PostgreSQL {installation.Version}");
        LocalCluster cluster = scratch.Adopt(await LocalCluster.StartAsync(scratch.ClusterOptions(installation, options.Timeout), cancellationToken)
            .ConfigureAwait(false));
        var server = new ScratchServer(cluster);

        // Load it: definitions, COPY data, post-data, sequences; the drill does its own read-back below.
        Say($"restoring {snapshot.ShortId} into database {manifest.Database}");
        var clock = Stopwatch.StartNew();
        bool created = manifest.Database != "postgres";
        // A scratch server has none of the source's roles: owners and grants can only be replayed when the backup carries
        // them (--globals); otherwise every object belongs to the drill's role, as pg_restore --no-owner --no-privileges.
        bool globals = snapshot.Record.Documents.Any(d => d.Name == LogicalManifest.GlobalsDocumentName);
        // The source's tablespace directories may be in use on this very host: the scratch server gets its own, inside the scratch
        // directory. Without globals there are no tablespaces to put objects in, nor roles for per-role settings to name.
        var tablespaces = globals ? await ScratchTablespacesAsync(snapshot, cluster, scratch, cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, string>();
        try
        {
            await LogicalRestore.RunAsync(repository, new LogicalRestoreOptions
            {
                Target = server.Settings("postgres"),
                SnapshotId = snapshot.Id.ToString(),
                Jobs = options.Jobs,
                CreateDatabase = created ? manifest.Database : null,
                Globals = globals,
                NoOwner = !globals,
                NoPrivileges = !globals,
                NoTablespaces = !globals,
                NoRoleSettings = !globals,
                TablespaceMapping = tablespaces,
                Progress = options.LogicalRestoreProgress,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (LogicalException e)
        {
            _problems.Add($"the restore failed{(e.ObjectName is null ? "" : " at " + e.ObjectName)}: {e.Message}");
        }
        catch (RepositoryException e)
        {
            string owners = await TablesHoldingAsync(snapshot, manifest, e, cancellationToken).ConfigureAwait(false);
            _problems.Add($"the restore failed reading {owners}: {e.Message}");
        }
        TimeSpan restoreTime = clock.Elapsed;

        // Read every table back; then amcheck.
        clock.Restart();
        IReadOnlyList<TableCheck> tables = await CompareLogicalAsync(server, manifest, cancellationToken).ConfigureAwait(false);
        AmcheckReport amcheck = await RunAmcheckAsync(server, cancellationToken).ConfigureAwait(false);
        return new DrillOutcome(null, true, new DrillTimings(restoreTime, TimeSpan.Zero, clock.Elapsed), tables, [], amcheck);
    }

    private async Task<Dictionary<string, string>> ScratchTablespacesAsync(SnapshotInfo snapshot, LocalCluster cluster, DrillScratch scratch,
        CancellationToken cancellationToken)
    {
        var (_, globals) = await LogicalRestore.ListGlobalsAsync(repository, snapshot.Id.ToString(), cancellationToken).ConfigureAwait(false);
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        string root = cluster.CreateServerDirectory(Path.Combine(scratch.Directory, "tablespaces"));
        foreach (var tablespace in globals.Where(o => o.Kind == "tablespace"))
        {
            if (LogicalRestore.TablespaceLocation(tablespace) is { } location)
                mapping[location] = cluster.CreateServerDirectory(Path.Combine(root, mapping.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return mapping;
    }

    /// <summary>Which tables' data objects use the damaged chunk, so the failure names them.</summary>
    private async Task<string> TablesHoldingAsync(SnapshotInfo snapshot, LogicalManifest manifest, RepositoryException error,
        CancellationToken cancellationToken)
    {
        string? chunk = (error as RepositoryCorruptionException)?.ObjectId ?? (error as RepositoryObjectMissingException)?.ObjectId;
        var paths = new List<string>();
        if (chunk is not null)
        {
            await foreach (TreeFile file in repository.ReadTreeAsync(snapshot.Record, cancellationToken).ConfigureAwait(false))
            {
                if (file.Chunks.Any(c => c.Id.ToString() == chunk))
                    paths.Add(file.Entry.Path);
            }
        }
        var tables = manifest.Tables.Where(t => paths.Contains(t.Path)).Select(t => "table " + t.QualifiedName).ToList();
        return tables.Count > 0 ? string.Join(", ", tables) : "the repository";
    }

    private async Task<IReadOnlyList<TableCheck>> CompareLogicalAsync(ScratchServer server, LogicalManifest manifest,
        CancellationToken cancellationToken)
    {
        Say("reading every table back");
        var tables = new List<TableCheck>();
        PgConnection connection;
        try
        {
            connection = await server.OpenAsync(manifest.Database, cancellationToken).ConfigureAwait(false);
        }
        catch (PgConnectionException e)
        {
            _problems.Add($"the restored database {manifest.Database} cannot be opened: {e.Message}");
            return manifest.Tables.Select(t => new TableCheck(manifest.Database, t.QualifiedName, t.Rows, null, t.RowSet, null, TableMatch.Missing)).ToList();
        }
        await using (connection.ConfigureAwait(false))
        {
            await connection.ExecuteAsync(SessionSetupText, cancellationToken).ConfigureAwait(false);
            foreach (TableData table in manifest.Tables)
                tables.Add(await ReadBackAsync(connection, manifest.Database, table, cancellationToken).ConfigureAwait(false));
        }
        return tables;
    }

    /// <summary>The session settings the backup's COPY ran with, so the text (and its row-set digest) is comparable.</summary>
    private static string SessionSetupText => SessionSetup.Read;

    private async Task<TableCheck> ReadBackAsync(PgConnection connection, string database, TableData table, CancellationToken cancellationToken)
    {
        try
        {
            await using PgQueryReader reader = await connection.CopyOutAsync($"COPY {table.QualifiedName} TO STDOUT", cancellationToken)
                .ConfigureAwait(false);
            await using var stream = new CopyOutStream(reader);
            byte[] sink = new byte[64 << 10];
            while (await stream.ReadAsync(sink, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
            string rowSet = stream.RowSetHex();
            TableMatch match = stream.Rows == table.Rows && rowSet == table.RowSet ? TableMatch.Match : TableMatch.Mismatch;
            return new TableCheck(database, table.QualifiedName, table.Rows, stream.Rows, table.RowSet, rowSet, match);
        }
        catch (PgServerException e)
        {
            _problems.Add($"table {database}: {table.QualifiedName} cannot be read in the restored server: {e.MessageText}");
            return new TableCheck(database, table.QualifiedName, table.Rows, null, table.RowSet, null, TableMatch.Missing);
        }
    }
}
