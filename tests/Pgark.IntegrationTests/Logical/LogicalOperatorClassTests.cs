using Pgark.Cluster;
using Pgark.IntegrationTests.Infrastructure;
using Pgark.Logical;
using Pgark.Logical.Restore;
using Pgark.Repository.Storage;

namespace Pgark.IntegrationTests.Logical;

/// <summary>
/// Operator families and classes read from a PostgreSQL 13 catalog restore onto 18 (the oldest and newest supported
/// majors): the classes, families and every member (strategy or support number, types, operator or function, purpose)
/// come back the same. Bare server binaries (no plpgsql), so only SQL functions are used.
/// </summary>
public sealed class LogicalOperatorClassTests
{
    private const string Schema = """
        CREATE SCHEMA geo;
        CREATE TYPE geo.pt AS (x int, y int);
        CREATE FUNCTION geo.pt_eq(geo.pt, geo.pt) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
        CREATE FUNCTION geo.pt_lt(geo.pt, geo.pt) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 < $2';
        CREATE FUNCTION geo.pt_cmp(geo.pt, geo.pt) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT btrecordcmp($1, $2)';
        CREATE FUNCTION geo.pt_hash(geo.pt) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT hashint4(($1).x * 31 + ($1).y)';
        CREATE OPERATOR geo.= (FUNCTION = geo.pt_eq, LEFTARG = geo.pt, RIGHTARG = geo.pt, COMMUTATOR = OPERATOR(geo.=));
        CREATE OPERATOR geo.< (FUNCTION = geo.pt_lt, LEFTARG = geo.pt, RIGHTARG = geo.pt);
        CREATE OPERATOR CLASS geo.pt_hash_ops DEFAULT FOR TYPE geo.pt USING hash AS OPERATOR 1 geo.= , FUNCTION 1 geo.pt_hash(geo.pt);
        CREATE OPERATOR FAMILY geo.pt_family USING btree;
        CREATE OPERATOR CLASS geo.pt_btree_ops FOR TYPE geo.pt USING btree FAMILY geo.pt_family AS
          OPERATOR 1 geo.<, OPERATOR 3 geo.=, FUNCTION 1 geo.pt_cmp(geo.pt, geo.pt);
        ALTER OPERATOR FAMILY geo.pt_family USING btree ADD OPERATOR 1 < (int4, int4), FUNCTION 1 (int4, int4) btint4cmp(int4, int4);
        CREATE TABLE geo.places (id int PRIMARY KEY, at geo.pt);
        INSERT INTO geo.places SELECT g, ROW(g, g * 2)::geo.pt FROM generate_series(1, 50) g;
        CREATE INDEX places_at ON geo.places USING hash (at);
        CREATE INDEX places_at_btree ON geo.places (at geo.pt_btree_ops);
        """;

    /// <summary>Every class and family of schema geo with its members, by name (oids differ between the servers).</summary>
    private const string Facts = """
        SELECT string_agg(x, E'\n' ORDER BY x) FROM (
          SELECT 'class ' || c.opcname || ' ' || am.amname || ' ' || c.opcdefault || ' ' || format_type(c.opcintype, NULL) || ' family ' || f.opfname AS x
          FROM pg_opclass c JOIN pg_am am ON am.oid = c.opcmethod JOIN pg_opfamily f ON f.oid = c.opcfamily
          WHERE c.opcnamespace = 'geo'::regnamespace
          UNION ALL
          SELECT 'op ' || f.opfname || ' ' || ao.amopstrategy || ' ' || ao.amopopr::regoperator || ' ' || ao.amoppurpose::text || ' ' || d.refclassid::regclass
          FROM pg_amop ao JOIN pg_opfamily f ON f.oid = ao.amopfamily JOIN pg_depend d ON d.classid = 'pg_amop'::regclass AND d.objid = ao.oid
          WHERE f.opfnamespace = 'geo'::regnamespace AND d.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass)
          UNION ALL
          SELECT 'proc ' || f.opfname || ' ' || ap.amprocnum || ' ' || ap.amproc::regprocedure || ' ' || d.refclassid::regclass
          FROM pg_amproc ap JOIN pg_opfamily f ON f.oid = ap.amprocfamily JOIN pg_depend d ON d.classid = 'pg_amproc'::regclass AND d.objid = ap.oid
          WHERE f.opfnamespace = 'geo'::regnamespace AND d.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass)
          UNION ALL
          SELECT 'index ' || indexrelid::regclass || ' ' || pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'geo.places'::regclass) facts
        """;

    [PgMajorFact(18)]
    public async Task Operator_classes_and_families_from_13_restore_onto_18_with_every_member()
    {
        await using var source = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 13 });
        await using var target = await LocalCluster.StartAsync(new LocalClusterOptions { Major = 18 });
        await source.ExecuteAsync("CREATE DATABASE geo", "postgres");
        await source.ExecuteAsync(Schema, "geo");
        string root = Directory.CreateTempSubdirectory("pgark-logical-opclass-").FullName;
        try
        {
            var repository = await Pgark.Repository.Repository.InitAsync(new LocalStore(root), new Pgark.Repository.RepositoryInitOptions());
            var backup = await LogicalBackup.RunAsync(repository, new LogicalBackupOptions { Source = LogicalFixture.Settings(source, "geo") });
            await LogicalRestore.RunAsync(repository, new LogicalRestoreOptions
            {
                Target = LogicalFixture.Settings(target, "postgres"),
                SnapshotId = backup.Snapshot.ShortId,
                CreateDatabase = "geo",
            });

            string expected = await source.ScalarAsync<string>(Facts, "geo");
            Assert.Contains("op pt_family 1 <(integer,integer) s pg_opfamily", expected);
            Assert.Contains("class pt_btree_ops btree false geo.pt family pt_family", expected);
            Assert.Equal(expected, await target.ScalarAsync<string>(Facts, "geo"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
