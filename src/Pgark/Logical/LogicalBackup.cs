using System.Globalization;
using Pgark.Logical.Globals;
using Pgark.Logical.Schema;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Logical;

/// <summary>The outcome of a logical backup.</summary>
public sealed record LogicalBackupResult(SnapshotInfo Snapshot, LogicalManifest Manifest, int SchemaObjects, long StoredBytes,
    long StoredChunks, long DeduplicatedChunks, int GlobalObjects, IReadOnlyList<string> Warnings);

/// <summary>
/// A logical backup of one database: a consistent snapshot, the schema read from the catalogs, each table's
/// <c>COPY ... TO STDOUT</c> text cut by FastCDC straight into the repository (nothing staged on disk), and a snapshot
/// with two attached documents, logical.json and schema.json (spec/logical-format.md).
/// </summary>
public static partial class LogicalBackup
{
    public static async Task<LogicalBackupResult> RunAsync(Repository.Repository repository, LogicalBackupOptions options,
        CancellationToken cancellationToken = default)
    {
        if (options.Jobs is < 1 or > 64)
            throw new ArgumentOutOfRangeException(nameof(options), options.Jobs, "jobs must be between 1 and 64");
        var started = DateTimeOffset.UtcNow;

        // Take the snapshot every connection reads through.
        await using var snapshot = await ConsistentSnapshot.TakeAsync(options.Source, options.PreferReplicationSlot, cancellationToken)
            .ConfigureAwait(false);

        // Read the server facts, the schema, the tables (largest first) and the sequence positions.
        await using PgConnection catalog = await snapshot.OpenReaderAsync(options.Source, cancellationToken).ConfigureAwait(false);
        var server = await ReadServerAsync(catalog, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<SchemaObject> schema = await SchemaExtractor.ExtractAsync(catalog, cancellationToken).ConfigureAwait(false);
        var tables = await ListTablesAsync(catalog, cancellationToken).ConfigureAwait(false);
        var sequences = await ReadSequencesAsync(catalog, schema, cancellationToken).ConfigureAwait(false);
        var (globals, warnings) = options.Globals
            ? await GlobalsExtractor.ExtractAsync(catalog, server.VersionNumber, options.RolePasswords, cancellationToken).ConfigureAwait(false)
            : ((IReadOnlyList<SchemaObject>)[], (IReadOnlyList<string>)[]);
        warnings = [.. warnings, .. await SecurityLabelCheck.WarnAsync(catalog, cancellationToken).ConfigureAwait(false)];

        // Stream every table through the chunker into the repository, in parallel.
        await using BackupSession session = await repository.BeginBackupAsync("logical backup", cancellationToken).ConfigureAwait(false);
        var copied = await CopyTablesAsync(snapshot, options, session, tables, cancellationToken).ConfigureAwait(false);
        var largeObjects = await CopyLargeObjectsAsync(catalog, options, session, cancellationToken).ConfigureAwait(false);

        // Publish the tree (data objects in path order), the documents, then the snapshot.
        var files = copied.Select(c => (c.Table.Path, c.Table.Bytes, c.Chunks)).Concat(largeObjects.Select(l => (l.Object.Path, l.Object.Bytes, l.Chunks)));
        foreach (var (path, bytes, chunks) in files.OrderBy(f => f.Path, StringComparer.Ordinal))
            await session.AddFileAsync(FileEntry.Regular(path, bytes, started), chunks).ConfigureAwait(false);
        var manifest = new LogicalManifest(server.Database, server.Version, server.VersionNumber, server.Encoding, snapshot.Method,
            snapshot.Name, snapshot.ConsistentLsn?.ToString(), copied.Select(c => c.Table).OrderBy(t => t.Path, StringComparer.Ordinal).ToList(),
            sequences, largeObjects.Select(l => l.Object).ToList(), server.Definition);
        await session.AddDocumentAsync(LogicalManifest.DocumentName, manifest.Encode(), cancellationToken).ConfigureAwait(false);
        await session.AddDocumentAsync(LogicalManifest.SchemaDocumentName, LogicalManifest.EncodeSchema(schema, server.VersionNumber),
            cancellationToken).ConfigureAwait(false);
        if (options.Globals)
        {
            await session.AddDocumentAsync(LogicalManifest.GlobalsDocumentName, LogicalManifest.EncodeSchema(globals, server.VersionNumber,
                LogicalManifest.GlobalsFormat), cancellationToken).ConfigureAwait(false);
        }
        ulong lsn = snapshot.ConsistentLsn is { } at ? at.Value : 0;
        var info = await session.CommitAsync(new SnapshotMetadata(SnapshotKind.Logical, server.SystemIdentifier, server.VersionNumber, 0,
            lsn, lsn, started, DateTimeOffset.UtcNow, options.Label.Length > 0 ? options.Label : $"logical {server.Database}",
            repository.Options.Hostname), cancellationToken).ConfigureAwait(false);
        return new LogicalBackupResult(info, manifest, schema.Count, session.StoredBytes, session.StoredChunks, session.DeduplicatedChunks,
            globals.Count, warnings);
    }

    private sealed record ServerFacts(string Database, string Version, int VersionNumber, string Encoding, ulong SystemIdentifier,
        DatabaseDefinition Definition);

    private static async Task<ServerFacts> ReadServerAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        var row = (await connection.QueryTextAsync(
            "SELECT pg_catalog.current_database(), pg_catalog.current_setting('server_version'), " +
            "pg_catalog.current_setting('server_version_num'), pg_catalog.pg_encoding_to_char(d.encoding) " +
            "FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()", cancellationToken).ConfigureAwait(false)).Rows[0];
        // The system identifier needs pg_control_system(), which not every role may run; it is informative only here.
        string? system = (await connection.QueryTextAsync(
            "SELECT CASE WHEN pg_catalog.has_function_privilege('pg_catalog.pg_control_system()', 'EXECUTE') " +
            "THEN (SELECT system_identifier FROM pg_catalog.pg_control_system())::text END", cancellationToken).ConfigureAwait(false)).Scalar;
        int version = int.Parse(row[2]!, CultureInfo.InvariantCulture);
        return new ServerFacts(row[0]!, row[1]!, version, row[3]!, system is null ? 0 : ulong.Parse(system, CultureInfo.InvariantCulture),
            await DatabaseDefinition.ReadAsync(connection, version, cancellationToken).ConfigureAwait(false));
    }

    private static async Task<List<TableToCopy>> ListTablesAsync(PgConnection connection, CancellationToken cancellationToken)
    {
        string sql = $"""
            SELECT n.nspname, c.relname, pg_catalog.format('%I.%I', n.nspname, c.relname), pg_catalog.pg_relation_size(c.oid)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND {CatalogRows.UserSchema("n")} AND {CatalogRows.NotExtensionMember("pg_class", "c.oid")}
            ORDER BY 4 DESC, 1, 2
            """;
        return (await CatalogRows.ReadAsync(connection, sql, cancellationToken).ConfigureAwait(false))
            .Select(r => new TableToCopy(r[0]!, r[1]!, r[2]!, long.Parse(r[3]!, CultureInfo.InvariantCulture))).ToList();
    }

    private sealed record TableToCopy(string Schema, string Name, string QualifiedName, long Size);

    private static async Task<List<SequenceValue>> ReadSequencesAsync(PgConnection connection, IReadOnlyList<SchemaObject> schema,
        CancellationToken cancellationToken)
    {
        // Every sequence, identity ones included (their owner is the table of the identity column).
        string sql = $"""
            SELECT n.nspname, c.relname,
              (SELECT pg_catalog.format('%I.%I', tn.nspname, tc.relname) FROM pg_catalog.pg_depend d
                 JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
                 WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
                   AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i') LIMIT 1)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'S' AND {CatalogRows.UserSchema("n")} AND {CatalogRows.NotExtensionMember("pg_class", "c.oid")}
            ORDER BY 1, 2
            """;
        var sequences = await CatalogRows.ReadAsync(connection, sql, cancellationToken).ConfigureAwait(false);
        var values = new List<SequenceValue>(sequences.Count);
        foreach (var row in sequences)
        {
            var value = (await connection.QueryTextAsync($"SELECT last_value, is_called FROM {SqlText.Qualified(row[0]!, row[1]!)}",
                cancellationToken).ConfigureAwait(false)).Rows[0];
            values.Add(new SequenceValue(row[0]!, row[1]!, long.Parse(value[0]!, CultureInfo.InvariantCulture), value[1] == "t", row[2]));
        }
        return values;
    }
}
