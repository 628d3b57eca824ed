using Pgark.Logical.Schema;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Wire;
using Pgark.Wire.Connection;

namespace Pgark.Logical.Restore;

/// <summary>
/// Restores a logical snapshot: pre-data definitions; then on parallel workers, per table, its COPY text through
/// <c>COPY ... FROM STDIN</c> (committed only when the stream's row count and BLAKE3 and the server's row count match the
/// backup), its keys and indexes, and when asked a read-back compared with the recorded row-set digest; then the other
/// post-data definitions (foreign keys, triggers, materialized view data) and sequence positions. The first error stops the restore and names the
/// object with PostgreSQL's message (exit-on-error).
/// </summary>
public static partial class LogicalRestore
{
    public static async Task<LogicalRestoreResult> RunAsync(Repository.Repository repository, LogicalRestoreOptions options,
        CancellationToken cancellationToken = default)
    {
        if (options.Jobs is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(options), options.Jobs, "jobs must be between 1 and 64");
        if (options.SchemaOnly && options.DataOnly)
            throw new ArgumentException("schema-only and data-only exclude each other", nameof(options));

        // The first connection opens while the snapshot's documents load: it checks the target's version, and becomes the
        // restore's own connection (or, with --create-db, the one that creates the database).
        Task<PgConnection> opening = PgConnection.OpenAsync(options.Target with { Replication = ReplicationMode.None }, cancellationToken);
        PgConnection? connection = null;
        bool adopted = false; // the opening connection became `connection`, whose disposal is then this method's
        WorkerConnections? workers = null;
        Task<Dictionary<string, TreeFile>>? reading = null;
        try
        {
            // Load the snapshot's documents and decide what to restore.
            var (snapshot, manifest, schema) = await LoadAsync(repository, options.SnapshotId, cancellationToken).ConfigureAwait(false);
            var selection = TableSelection.Resolve(manifest, options.Tables, snapshot.ShortId);
            var objects = schema.Where(selection.Includes).Where(o => Wanted(o, options)).ToList();
            var tables = manifest.Tables.Where(t => selection.Includes(t.QualifiedName)).ToList();
            connection = await opening.ConfigureAwait(false);
            adopted = true;
            CheckTargetVersion(connection.ServerVersionNumber, manifest, snapshot.ShortId);

            // Roles and tablespaces first (the database's owners and grants name them), then create the database when asked and connect to it.
            await connection.ExecuteAsync(SessionSetup.Write, cancellationToken).ConfigureAwait(false);
            int globals = options.Globals ? await RestoreGlobalsAsync(repository, connection, snapshot, options, cancellationToken).ConfigureAwait(false) : 0;
            ConnectionSettings target = await CreateDatabaseAsync(connection, options, manifest, cancellationToken).ConfigureAwait(false);
            if (options.CreateDatabase is not null)
            {
                PgConnection maintenance = connection;
                connection = null;
                await maintenance.DisposeAsync().ConfigureAwait(false);
                connection = await OpenWriterAsync(target, cancellationToken).ConfigureAwait(false);
            }
            string? targetTablespace = await DefaultTablespaceAsync(connection, cancellationToken).ConfigureAwait(false);
            objects = objects.Select(o => Placed(o, options, targetTablespace)).ToList();

            // While pre-data runs: the data step's connections open and the snapshot's tree is read.
            if (!options.SchemaOnly)
            {
                reading = ReadTreeAsync(repository, snapshot, cancellationToken);
                workers = new WorkerConnections(target, tables.Count > 0 ? options.Jobs : 0, cancellationToken);
            }

            // Pre-data; then per table (in parallel) its rows, its keys and indexes and its read-back; then the rest of post-data, sequences.
            int created = 0;
            var preData = objects.Where(o => o.Section == SchemaSection.PreData).ToList();
            var postData = objects.Where(o => o.Section == SchemaSection.PostData && !IsDatabaseProperty(o)).ToList();
            if (!options.DataOnly)
                created += await ApplyAsync(connection, preData, cancellationToken, manifest.ServerVersionNumber).ConfigureAwait(false);
            var plan = options.DataOnly || options.SchemaOnly ? null : PostDataPlan.Split(postData, tables.Select(t => t.QualifiedName), preData);
            var files = reading is null ? [] : await reading.ConfigureAwait(false);
            var loaded = options.SchemaOnly ? default
                : await LoadTablesAsync(repository, snapshot, files, workers!, tables, plan, options, manifest.ServerVersionNumber, cancellationToken)
                    .ConfigureAwait(false);
            created += loaded.Builds;
            // Large objects belong to no table: a --table restore leaves them out (as pg_restore -t does).
            int largeObjects = options.SchemaOnly || options.Tables.Count > 0 ? 0
                : await LoadLargeObjectsAsync(repository, files, target, manifest.LargeObjects, options.Jobs, options.ReadBack, cancellationToken)
                    .ConfigureAwait(false);
            if (!options.DataOnly)
                created += await ApplyAsync(connection, plan?.Rest ?? postData, cancellationToken, manifest.ServerVersionNumber).ConfigureAwait(false);
            if (!options.SchemaOnly)
                await SetSequencesAsync(connection, manifest.Sequences.Where(s => s.Table is null || selection.Includes(s.Table)), cancellationToken)
                    .ConfigureAwait(false);
            // Last, and only into a database this restore created: its own properties (a connection limit or a revoked CONNECT
            // must not reach the restore's sessions).
            if (!options.DataOnly)
                created += await ApplyDatabasePropertiesAsync(connection, objects, options.CreateDatabase, manifest.ServerVersionNumber, cancellationToken)
                    .ConfigureAwait(false);
            return new LogicalRestoreResult(created, options.SchemaOnly ? 0 : tables.Count, loaded.Rows, loaded.Bytes,
                options.SchemaOnly ? 0 : tables.Count, largeObjects, globals, loaded.ReadBack, loaded.InParts);
        }
        finally
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
            if (!adopted)
                CloseWhenOpened(opening); // the documents failed first (opened or not): their error is the one to report
            if (workers is not null)
                await workers.DisposeAsync().ConfigureAwait(false);
            if (reading is not null)
                Observe(reading);
        }
    }

    /// <summary>The objects and tables of a logical snapshot, in restore order (for <c>pgark ls</c>).</summary>
    public static async Task<(LogicalManifest Manifest, IReadOnlyList<SchemaObject> Objects)> ListAsync(Repository.Repository repository,
        string snapshotId, CancellationToken cancellationToken = default)
    {
        var (_, manifest, schema) = await LoadAsync(repository, snapshotId, cancellationToken).ConfigureAwait(false);
        return (manifest, schema);
    }

    /// <summary>The roles and tablespaces of a logical snapshot taken with --globals (none when it was taken without).</summary>
    public static async Task<(LogicalManifest Manifest, IReadOnlyList<SchemaObject> Objects)> ListGlobalsAsync(Repository.Repository repository,
        string snapshotId, CancellationToken cancellationToken = default)
    {
        var (snapshot, manifest, _) = await LoadAsync(repository, snapshotId, cancellationToken).ConfigureAwait(false);
        var document = FindDocument(snapshot, LogicalManifest.GlobalsDocumentName);
        return (manifest, document is null ? [] : LogicalManifest.DecodeSchema(await repository.ReadDocumentAsync(document, cancellationToken)
            .ConfigureAwait(false), LogicalManifest.GlobalsFormat));
    }

    private static async Task<(SnapshotInfo, LogicalManifest, IReadOnlyList<SchemaObject>)> LoadAsync(Repository.Repository repository,
        string snapshotId, CancellationToken cancellationToken)
    {
        SnapshotInfo snapshot = await repository.FindSnapshotAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        if (snapshot.Record.Metadata.Kind != SnapshotKind.Logical)
        {
            throw new LogicalException($"snapshot {snapshot.ShortId} is a {snapshot.Record.Metadata.Kind.ToString().ToLowerInvariant()} backup, " +
                "not a logical one; hint: restore it with --kind physical");
        }
        DocumentRef Document(string name) => FindDocument(snapshot, name)
            ?? throw new LogicalException($"snapshot {snapshot.ShortId} has no {name} document; hint: run pgark check on the repository");
        var manifest = LogicalManifest.Decode(await repository.ReadDocumentAsync(Document(LogicalManifest.DocumentName), cancellationToken)
            .ConfigureAwait(false));
        var schema = LogicalManifest.DecodeSchema(await repository.ReadDocumentAsync(Document(LogicalManifest.SchemaDocumentName),
            cancellationToken).ConfigureAwait(false));
        return (snapshot, manifest, schema);
    }

    /// <summary>Observes a background task's failure (its error is not the one the restore reports).</summary>
    private static void Observe(Task task) => task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Closes a connection still opening when the restore already failed, or observes its own failure.</summary>
    private static void CloseWhenOpened(Task<PgConnection> opening) => opening.ContinueWith(static async t =>
    {
        if (t.IsCompletedSuccessfully)
            await t.Result.DisposeAsync().ConfigureAwait(false);
        else
            _ = t.Exception;
    }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();

    internal static async Task<PgConnection> OpenWriterAsync(ConnectionSettings target, CancellationToken cancellationToken)
    {
        PgConnection connection = await PgConnection.OpenAsync(target with { Replication = ReplicationMode.None }, cancellationToken)
            .ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(SessionSetup.Write, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<ConnectionSettings> CreateDatabaseAsync(PgConnection maintenance, LogicalRestoreOptions options,
        LogicalManifest manifest, CancellationToken cancellationToken)
    {
        if (options.CreateDatabase is null)
            return options.Target;
        string sql = DatabaseDefinition.CreateStatement(options.CreateDatabase, manifest.Encoding, manifest.Definition,
            maintenance.ServerVersionNumber, !options.NoTablespaces);
        try
        {
            await maintenance.ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
        }
        catch (PgServerException e)
        {
            // 42P04 duplicate_database: never restore over an existing database by accident.
            string hint = e.SqlState switch
            {
                "42P04" => "; hint: name a new database with --create-db, drop the existing one first, or restore into it by naming it in --db without --create-db",
                "42704" => MissingTablespaceHint($"the source database's default tablespace {manifest.Definition?.Tablespace}"),
                // 42809 (a locale the operating system lacks) and 22023 (an ICU locale or provider setting it rejects)
                "42809" or "22023" => $"; hint: the target server cannot make the source database's locale ({Describe(manifest.Definition)}): install " +
                    "that locale on the target's host, or create the database yourself and restore into it by naming it in --db without --create-db",
                _ => "",
            };
            throw new LogicalException($"could not create database {options.CreateDatabase}: {e.Message}{hint}", $"database {options.CreateDatabase}", e);
        }
        return options.Target with { Database = options.CreateDatabase };
    }

    private static string Describe(DatabaseDefinition? definition) => definition is null ? "the target's default"
        : $"provider {definition.LocaleProvider}, LC_COLLATE {definition.Collate}, LC_CTYPE {definition.Ctype}" +
            (definition.Locale is null ? "" : $", locale {definition.Locale}") + (definition.IcuRules is null ? "" : $", ICU rules {definition.IcuRules}");

    private static bool Wanted(SchemaObject item, LogicalRestoreOptions options) => IsDatabaseProperty(item) ? WantedDatabaseProperty(item, options) : item.Kind switch
    {
        "owner" => !options.NoOwner,
        "acl" or "default privileges" => !options.NoPrivileges,
        _ => true,
    };

    private static async Task<int> ApplyAsync(PgConnection connection, IEnumerable<SchemaObject> objects, CancellationToken cancellationToken,
        int sourceVersion = 0)
    {
        int count = 0;
        foreach (var item in objects)
        {
            try
            {
                await connection.ExecuteAsync(item.Sql, cancellationToken).ConfigureAwait(false);
            }
            catch (PgServerException e)
            {
                throw new LogicalException($"restoring {item.Describe()} failed: {e.Message}; the statement was: {item.Sql}" +
                    VersionHint(sourceVersion, connection.ServerVersionNumber) + MissingGlobalHint(item, e), item.Describe(), e);
            }
            count++;
        }
        return count;
    }

    private static async Task SetSequencesAsync(PgConnection connection, IEnumerable<SequenceValue> sequences, CancellationToken cancellationToken)
    {
        foreach (var sequence in sequences)
        {
            string name = SqlText.Qualified(sequence.Schema, sequence.Name);
            try
            {
                await connection.ExecuteAsync(FormattableString.Invariant(
                    $"SELECT pg_catalog.setval({SqlText.Literal(name)}, {sequence.LastValue}, {(sequence.IsCalled ? "true" : "false")})"),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (PgServerException e)
            {
                throw new LogicalException($"setting sequence {sequence.Schema}.{sequence.Name} failed: {e.Message}",
                    $"sequence {sequence.Schema}.{sequence.Name}", e);
            }
        }
    }
}
