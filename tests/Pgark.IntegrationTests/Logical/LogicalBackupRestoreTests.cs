using Npgsql;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Logical;
using Pgark.Logical.Restore;
using Pgark.Repository.Codecs;

namespace Pgark.IntegrationTests.Logical;

/// <summary>Logical backup and restore of a database exercising every supported object kind, against real PostgreSQL.</summary>
public sealed class LogicalBackupRestoreTests(LogicalFixture fixture) : IClassFixture<LogicalFixture>
{
    private readonly LogicalFixture _fixture = fixture;

    [Fact]
    public async Task Backup_records_the_slot_lsn_and_each_tables_rows_and_checksum()
    {
        var manifest = _fixture.Backup.Manifest;
        Assert.Equal("replication-slot", manifest.SnapshotMethod);
        Assert.NotNull(manifest.Lsn);
        Assert.Equal("source", manifest.Database);
        Assert.Equal(
            new[] { "Mixed Case.Odd \"Name\"", "shop.base_item", "shop.booking", "shop.cache", "shop.customer", "shop.labels", "shop.measure_2023",
                "shop.measure_2024", "shop.orders", "shop.secret", "shop.special_item" },
            manifest.Tables.Select(t => t.Schema + "." + t.Name).Order(StringComparer.Ordinal));

        // Each recorded count and BLAKE3 equals what Npgsql's own COPY of the table yields.
        await using var connection = new NpgsqlConnection(_fixture.Cluster.NpgsqlConnectionString("source"));
        await connection.OpenAsync();
        foreach (var table in manifest.Tables)
        {
            string text;
            using (var export = await connection.BeginTextExportAsync($"COPY {table.QualifiedName} TO STDOUT"))
                text = await export.ReadToEndAsync();
            byte[] digest = new byte[32];
            Blake3.Hash(System.Text.Encoding.UTF8.GetBytes(text), digest);
            Assert.Equal(Convert.ToHexStringLower(digest), table.Blake3);
            long rows = await connection.ScalarAsync<long>($"SELECT count(*) FROM ONLY {table.QualifiedName}");
            Assert.Equal(rows, table.Rows);
        }
        Assert.Equal(20_000, manifest.Tables.Single(t => t.Name == "orders").Rows);
        Assert.Equal([(424242L, "lo/424242", 960_000L), (424243L, "lo/424243", 5L), (424244L, "lo/424244", 0L)],
            manifest.LargeObjects.Select(l => (l.Oid, l.Path, l.Bytes)));
        var invoice = manifest.Sequences.Single(s => s.Name == "invoice_no");
        // START 1000 INCREMENT 5: 20000 order defaults and one explicit nextval.
        Assert.Equal((1000L + 5 * 20_000, true), (invoice.LastValue, invoice.IsCalled));
    }

    [Fact]
    public async Task Restore_into_a_fresh_database_gives_the_same_pg_dump_schema_and_data()
    {
        var progress = new ProgressRecorder<LogicalRestoreProgress>();
        var result = await LogicalRestore.RunAsync(_fixture.Repository, new LogicalRestoreOptions
        {
            Progress = progress,
            Target = LogicalFixture.Settings(_fixture.Cluster, "postgres"),
            SnapshotId = _fixture.Backup.Snapshot.Id.ToString(),
            CreateDatabase = "restored_full",
            Jobs = 2,
            ReadBack = true,
        });

        Assert.Equal(_fixture.Backup.Manifest.Tables.Count, result.TablesVerified);
        Assert.Equal(_fixture.Backup.Manifest.Tables.Count, result.TablesReadBack);
        // One report before the data step and one per table, ending at every table and byte.
        int tableCount = _fixture.Backup.Manifest.Tables.Count;
        Assert.Equal(Enumerable.Range(0, tableCount + 1), progress.Reports.Select(r => r.TablesLoaded));
        Assert.All(progress.Reports, r => Assert.Equal((tableCount, result.BytesLoaded), (r.TotalTables, r.TotalBytes)));
        Assert.Equal(result.BytesLoaded, progress.Reports[^1].LoadedBytes);
        Assert.Equal(_fixture.Backup.SchemaObjects, result.ObjectsCreated);
        // Ownership and privileges (ALTER ... OWNER TO, GRANT/REVOKE, column and default privileges, grants made through
        // WITH GRANT OPTION by their grantor) and, with --create, the database's own properties and settings under its new name.
        var sourceSchema = await LogicalFixture.PgDumpWithDatabaseAsync(_fixture.Cluster, "source", "source");
        var targetSchema = await LogicalFixture.PgDumpWithDatabaseAsync(_fixture.Cluster, "restored_full", "source");
        Assert.Equal(sourceSchema, targetSchema);
        Assert.Contains("GRANT SELECT(id) ON TABLE shop.customer TO PUBLIC;", targetSchema);
        foreach (string line in new[] { "ALTER DATABASE source OWNER TO shop_owner;", "COMMENT ON DATABASE source IS 'the shop''s database';",
            "ALTER DATABASE source CONNECTION LIMIT = 50;", "ALTER DATABASE source IS_TEMPLATE = true;", "ALTER DATABASE source SET work_mem TO '8MB';",
            "ALTER ROLE clerk IN DATABASE source SET statement_timeout TO '5s';", "REVOKE CONNECT,TEMPORARY ON DATABASE source FROM PUBLIC;", "GRANT CONNECT ON DATABASE source TO PUBLIC;",
            "GRANT CREATE ON DATABASE source TO \"Auditor Role\" WITH GRANT OPTION;",
            "COMMENT ON OPERATOR CLASS shop.rgb_hash_ops USING hash IS 'hashes colours';",
            "COMMENT ON OPERATOR FAMILY shop.loose_int_ops USING btree IS 'loose members only';" })
        {
            Assert.Contains(line, targetSchema);
        }
        // A grant by another role than the owner comes right after pg_dump switches to that role.
        int byClerk = Array.IndexOf(targetSchema, "GRANT SELECT ON TABLE shop.orders TO \"Auditor Role\";");
        Assert.Equal("SET SESSION AUTHORIZATION clerk;", targetSchema[byClerk - 1]);
        int onDatabase = Array.IndexOf(targetSchema, "GRANT CREATE ON DATABASE source TO clerk;");
        Assert.Equal("SET SESSION AUTHORIZATION \"Auditor Role\";", targetSchema[onDatabase - 1]);
        foreach (string kind in new[] { "CREATE COLLATION shop.posix_c", "CREATE AGGREGATE shop.ordered_sum(integer ORDER BY integer)", "CREATE CAST (shop.rgb AS text)",
            "CREATE STATISTICS shop.orders_stats", "CREATE PUBLICATION schema_pub", "ALTER PUBLICATION shop_pub ADD TABLE ONLY shop.labels (id, label) WHERE",
            "CREATE SUBSCRIPTION warehouse_sub", "CREATE EVENT TRIGGER log_ddl", "ALTER EVENT TRIGGER log_ddl DISABLE", "CREATE OPERATOR shop.=== (",
            "CREATE TEXT SEARCH CONFIGURATION shop.shop_search", "ALTER TEXT SEARCH CONFIGURATION shop.shop_search", "CREATE FOREIGN DATA WRAPPER dummy_fdw",
            "CREATE SERVER warehouse", "CREATE USER MAPPING FOR clerk SERVER warehouse", "CREATE FOREIGN TABLE shop.remote_stock",
            "CREATE OPERATOR CLASS shop.rgb_hash_ops", "CREATE OPERATOR FAMILY shop.loose_int_ops", "ALTER OPERATOR FAMILY shop.loose_int_ops USING btree ADD" })
        {
            Assert.Contains(targetSchema, line => line.StartsWith(kind, StringComparison.Ordinal));
        }
        Assert.Contains(targetSchema, line => line.StartsWith("ALTER DEFAULT PRIVILEGES FOR ROLE shop_owner IN SCHEMA shop GRANT SELECT ON TABLES",
            StringComparison.Ordinal));
        // Data and sequence positions: every row of every table, and every setval, line for line.
        var sourceData = await LogicalFixture.PgDumpAsync(_fixture.Cluster, "source", "--data-only");
        var targetData = await LogicalFixture.PgDumpAsync(_fixture.Cluster, "restored_full", "--data-only");
        Assert.Equal(sourceData, targetData);
        Assert.True(sourceData.Length > 20_000);
        Assert.Contains("SELECT pg_catalog.lo_open('424242', 131072);", targetData);
        // Large objects: bytes, owner, ACL and comment (pg_dump --schema-only leaves them out).
        Assert.Equal(3, result.LargeObjectsLoaded);
        Assert.Equal(await _fixture.Cluster.ScalarAsync<string>(LargeObjectFacts, "source"),
            await _fixture.Cluster.ScalarAsync<string>(LargeObjectFacts, "restored_full"));
        // Database and per-database role settings (pg_dump prints them only with --create): on the restored database, by its new name.
        string sourceSettings = await _fixture.Cluster.ScalarAsync<string>(DatabaseSettings, "source");
        Assert.Contains("search_path=\"$user\", public, \"Mixed Case\"", sourceSettings);
        Assert.Contains("clerk: statement_timeout=5s", sourceSettings);
        Assert.Equal(sourceSettings, await _fixture.Cluster.ScalarAsync<string>(DatabaseSettings, "restored_full"));
    }

    /// <summary>The database's owner, ACL, connection limit, template flag, comment and settings, as one line.</summary>
    private const string DatabaseProperties = "SELECT pg_get_userbyid(d.datdba) || ' ' || coalesce(d.datacl::text, '-') || ' ' || d.datconnlimit || ' ' || " +
        "d.datistemplate || ' ' || coalesce(shobj_description(d.oid, 'pg_database'), '-') || ' ' || " +
        "(SELECT count(*) FROM pg_db_role_setting s WHERE s.setdatabase = d.oid) FROM pg_database d WHERE d.datname = current_database()";

    [Fact]
    public async Task Into_an_existing_database_the_restore_leaves_that_databases_own_properties_alone()
    {
        await _fixture.Cluster.ExecuteAsync("CREATE DATABASE existing_target");
        string before = await _fixture.Cluster.ScalarAsync<string>(DatabaseProperties, "existing_target");

        var result = await LogicalRestore.RunAsync(_fixture.Repository, new LogicalRestoreOptions
        {
            Target = LogicalFixture.Settings(_fixture.Cluster, "existing_target"),
            SnapshotId = _fixture.Backup.Snapshot.ShortId,
            SchemaOnly = true,
        });

        // As pg_restore without --create: the contents come, the database's owner, ACL, comment, limit and settings do not.
        Assert.Equal(before, await _fixture.Cluster.ScalarAsync<string>(DatabaseProperties, "existing_target"));
        Assert.NotEqual(before, await _fixture.Cluster.ScalarAsync<string>(DatabaseProperties, "source"));
        var (_, objects) = await LogicalRestore.ListAsync(_fixture.Repository, _fixture.Backup.Snapshot.ShortId);
        Assert.Equal(objects.Count(o => o.Table != "(database)"), result.ObjectsCreated);
        Assert.Equal(["database owner", "database comment", "database connection limit", "database template", "database acl", "database setting", "database setting",
            "database role setting", "database role setting"], objects.Where(o => o.Table == "(database)").Select(o => o.Kind));
        // Plain statements naming the database by the marker the restore replaces (no DO block: plpgsql is not needed).
        Assert.Equal(["ALTER DATABASE \0 OWNER TO shop_owner", "ALTER DATABASE \0 SET \"work_mem\" TO '8MB'",
            "ALTER ROLE \"clerk\" IN DATABASE \0 SET \"statement_timeout\" TO '5s'"],
            objects.Where(o => o.Kind == "database owner" || o.Name is "work_mem" or "clerk statement_timeout").Select(o => o.Sql));
    }

    [Fact]
    public async Task Creating_a_database_that_exists_fails_naming_it_with_a_hint_and_a_non_zero_exit()
    {
        var run = await Pgark.IntegrationTests.Wal.CliHarness.RunAsync(["restore", "--kind", "logical", "--repo", _fixture.RepositoryPath,
            "--backup", _fixture.Backup.Snapshot.ShortId, "--db", _fixture.Cluster.ConnInfo("postgres"), "--create-db", "source"]);

        Assert.True(run.ExitCode != 0, run.Out + run.Error);
        Assert.Contains("could not create database source: ", run.Error);
        Assert.Contains("database \"source\" already exists", run.Error);
        Assert.Contains("hint: name a new database with --create-db, drop the existing one first, or restore into it by naming it in --db " +
            "without --create-db", run.Error);
        // Nothing was restored into the existing database.
        Assert.Equal(20_000L, await _fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM shop.orders", "source"));
    }

    [Fact]
    public async Task Security_labels_left_behind_are_named_in_a_warning_per_provider()
    {
        // No label provider can be loaded here (sepgsql needs SELinux), so a superuser writes the catalog rows a provider would.
        await _fixture.Cluster.ExecuteAsync("CREATE DATABASE labelled");
        await _fixture.Cluster.ExecuteAsync("""
            CREATE TABLE secret (id int, note text);
            INSERT INTO pg_catalog.pg_seclabel VALUES ('secret'::regclass, 'pg_class'::regclass, 0, 'selinux', 'system_u:object_r:sepgsql_table_t:s0');
            INSERT INTO pg_catalog.pg_seclabel VALUES ('secret'::regclass, 'pg_class'::regclass, 2, 'selinux', 'system_u:object_r:sepgsql_secret_t:s0');
            INSERT INTO pg_catalog.pg_seclabel VALUES ('secret'::regclass, 'pg_class'::regclass, 1, 'dummy', 'unclassified');
            INSERT INTO pg_catalog.pg_shseclabel SELECT oid, 'pg_database'::regclass, 'selinux', 'system_u:object_r:sepgsql_db_t:s0'
              FROM pg_database WHERE datname = 'labelled';
            """, "labelled");

        var backup = await LogicalBackup.RunAsync(_fixture.Repository, new LogicalBackupOptions { Source = LogicalFixture.Settings(_fixture.Cluster, "labelled") });

        Assert.Equal([
            "1 security label(s) of provider dummy were not backed up (column public.secret.id): pgark does not back up security labels, the rest " +
            "of the backup is complete; hint: after restoring, reapply them with SECURITY LABEL FOR dummy ON <object> IS '<label>' (SELECT objtype, " +
            "objname, label FROM pg_seclabels on the source lists them)",
            "3 security label(s) of provider selinux were not backed up (column public.secret.note, database labelled, table public.secret): pgark " +
            "does not back up security labels, the rest of the backup is complete; hint: after restoring, reapply them with SECURITY LABEL FOR " +
            "selinux ON <object> IS '<label>' (SELECT objtype, objname, label FROM pg_seclabels on the source lists them)"], backup.Warnings);
        Assert.Single(backup.Manifest.Tables);
    }

    private const string DatabaseSettings = "SELECT string_agg(coalesce(r.rolname, '(database)') || ': ' || array_to_string(s.setconfig, ' | '), E'\\n' " +
        "ORDER BY r.rolname NULLS FIRST) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase AND d.datname = current_database() " +
        "LEFT JOIN pg_roles r ON r.oid = s.setrole";

    private const string LargeObjectFacts = "SELECT string_agg(m.oid || ' ' || pg_get_userbyid(m.lomowner) || ' ' || coalesce(m.lomacl::text, '-') || ' ' || " +
        "md5(lo_get(m.oid)) || ' ' || length(lo_get(m.oid)) || ' ' || coalesce(obj_description(m.oid, 'pg_largeobject'), '-'), ', ' ORDER BY m.oid) " +
        "FROM pg_largeobject_metadata m";

    [Fact]
    public async Task Without_owners_and_privileges_the_objects_belong_to_the_restoring_role_with_default_acls()
    {
        await LogicalRestore.RunAsync(_fixture.Repository, new LogicalRestoreOptions
        {
            Target = LogicalFixture.Settings(_fixture.Cluster, "postgres"),
            SnapshotId = _fixture.Backup.Snapshot.ShortId,
            CreateDatabase = "restored_bare",
            NoOwner = true,
            NoPrivileges = true,
        });

        Assert.Equal(await LogicalFixture.PgDumpAsync(_fixture.Cluster, "source", "--schema-only"),
            await LogicalFixture.PgDumpAsync(_fixture.Cluster, "restored_bare", "--schema-only"));
        Assert.Equal(0L, await _fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE n.nspname = 'shop' AND (c.relowner <> 'postgres'::regrole OR c.relacl IS NOT NULL)", "restored_bare"));
        Assert.Equal(0L, await _fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM pg_default_acl", "restored_bare"));
        Assert.Equal(3L, await _fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM pg_default_acl", "source"));
    }

    [Fact]
    public async Task Restoring_one_table_brings_its_rows_and_indexes_but_no_other_table()
    {
        await LogicalRestore.RunAsync(_fixture.Repository, new LogicalRestoreOptions
        {
            Target = LogicalFixture.Settings(_fixture.Cluster, "postgres"),
            SnapshotId = _fixture.Backup.Snapshot.ShortId,
            CreateDatabase = "restored_orders",
            Tables = ["shop.orders"],
        });

        Assert.Equal(20_000L, await _fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM shop.orders", "restored_orders"));
        Assert.Equal(0L, await _fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'customer'", "restored_orders"));
        Assert.Equal(2L, await _fixture.Cluster.ScalarAsync<long>(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'shop' AND indexname IN ('orders_customer', 'orders_note_lower')", "restored_orders"));
        // The foreign key to the table left out is left out too; the sequence position came along.
        Assert.Equal(0L, await _fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE contype = 'f'", "restored_orders"));
        Assert.Equal(0L, await _fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM pg_largeobject_metadata", "restored_orders"));
        Assert.Equal(20_000L, await _fixture.Cluster.ScalarAsync<long>("SELECT last_value FROM shop.orders_id_seq", "restored_orders"));
    }

    [Fact]
    public async Task An_unknown_table_name_fails_before_anything_is_written()
    {
        var error = await Assert.ThrowsAsync<LogicalException>(() => LogicalRestore.RunAsync(_fixture.Repository, new LogicalRestoreOptions
        {
            Target = LogicalFixture.Settings(_fixture.Cluster, "postgres"),
            SnapshotId = _fixture.Backup.Snapshot.ShortId,
            CreateDatabase = "never_created",
            Tables = ["shop.nope"],
        }));

        Assert.Equal($"table \"shop.nope\" is not in backup {_fixture.Backup.Snapshot.ShortId}; hint: pgark ls --backup " +
            $"{_fixture.Backup.Snapshot.ShortId} lists its 11 tables (name them as schema.table)", error.Message);
        Assert.Equal(0L, await _fixture.Cluster.ScalarAsync<long>("SELECT count(*) FROM pg_database WHERE datname = 'never_created'"));
    }

    [Fact]
    public async Task A_failing_statement_names_the_object_and_carries_the_server_message()
    {
        // Restoring the schema twice into the same database: the first CREATE SCHEMA already exists.
        await _fixture.Cluster.ExecuteAsync("CREATE DATABASE twice");
        var options = new LogicalRestoreOptions
        {
            Target = LogicalFixture.Settings(_fixture.Cluster, "twice"),
            SnapshotId = _fixture.Backup.Snapshot.ShortId,
            SchemaOnly = true,
        };
        await LogicalRestore.RunAsync(_fixture.Repository, options);

        var error = await Assert.ThrowsAsync<LogicalException>(() => LogicalRestore.RunAsync(_fixture.Repository, options));
        Assert.Equal("schema shop", error.ObjectName);
        Assert.StartsWith("restoring schema shop failed: ", error.Message);
        Assert.Contains("schema \"shop\" already exists", error.Message);
        Assert.Equal("42P06", Assert.IsType<Pgark.Wire.PgServerException>(error.InnerException).SqlState);
    }

    [Fact]
    public async Task Without_a_replication_slot_the_backup_uses_an_exported_snapshot()
    {
        var progress = new ProgressRecorder<LogicalBackupProgress>();
        var backup = await LogicalBackup.RunAsync(_fixture.Repository, new LogicalBackupOptions
        {
            Source = LogicalFixture.Settings(_fixture.Cluster, "source"),
            PreferReplicationSlot = false,
            Jobs = 2,
            Progress = progress,
        });
        // One report before the copies and one per table (two workers), ending at every table and its COPY bytes.
        int tableCount = backup.Manifest.Tables.Count;
        Assert.Equal(Enumerable.Range(0, tableCount + 1), progress.Reports.Select(r => r.TablesCopied));
        Assert.All(progress.Reports, r => Assert.Equal(tableCount, r.TotalTables));
        Assert.Equal(backup.Manifest.Tables.Sum(t => t.Bytes), progress.Reports[^1].CopiedBytes);

        Assert.Equal("exported-snapshot", backup.Manifest.SnapshotMethod);
        // Same data as the first backup: every table's chunks are already in the repository.
        Assert.Equal(_fixture.Backup.Manifest.Tables.Select(t => t.Blake3), backup.Manifest.Tables.Select(t => t.Blake3));
        Assert.NotEqual(0UL, backup.Snapshot.Record.Metadata.StartLsn);
    }
}
