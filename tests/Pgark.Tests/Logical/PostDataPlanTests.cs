using Pgark.Logical.Restore;
using Pgark.Logical.Schema;

namespace Pgark.Tests.Logical;

public sealed class PostDataPlanTests
{
    private static SchemaObject Post(string kind, string name, string? table = null, string? references = null) =>
        new(kind, "s", name, SchemaSection.PostData, $"-- {kind} {name}", table, references);

    private static SchemaObject Table(string name, string sql) => new("table", "s", name, SchemaSection.PreData, sql, "s." + name);

    [Fact]
    public void Keys_and_indexes_of_loaded_tables_go_to_their_table_in_dump_order_and_the_rest_keeps_its_order()
    {
        var postData = new[]
        {
            Post("primary key", "a_pkey", "s.a"), Post("unique constraint", "b_key", "s.b"), Post("foreign key", "b_a_fkey", "s.b", "s.a"),
            Post("index", "a_x", "s.a"), Post("comment", "a_x"), Post("exclusion constraint", "b_excl", "s.b"), Post("trigger", "a_trg", "s.a"),
            Post("foreign key", "b_p_fkey", "s.b", "s.p"),
        };

        var plan = PostDataPlan.Split(postData, ["s.a", "s.b"], [Table("a", "CREATE TABLE s.a ()"), Table("b", "CREATE TABLE s.b ()")]);

        Assert.Equal(["a_pkey", "a_x"], plan.TableBuilds["s.a"].Select(o => o.Name));
        Assert.Equal(["b_key", "b_excl"], plan.TableBuilds["s.b"].Select(o => o.Name));
        Assert.Equal(["b_a_fkey"], plan.ForeignKeys.Select(o => o.Name));
        // A comment on an index needs the index (built earlier now); a foreign key to a table not loaded waits for the rest.
        Assert.Equal(["a_x", "a_trg", "b_p_fkey"], plan.Rest.Select(o => o.Name));
        Assert.Equal(4, plan.BuildCount);
    }

    [Fact]
    public void After_an_object_a_build_could_need_every_build_keeps_its_place()
    {
        // A view postponed to post-data (it groups by a primary key), then a function using it: an index after them might call it.
        var postData = new[]
        {
            Post("primary key", "a_pkey", "s.a"), Post("view", "v", "s.v"), Post("function", "f"), Post("index", "a_f", "s.a"),
            Post("primary key", "b_pkey", "s.b"), Post("foreign key", "b_a_fkey", "s.b", "s.a"),
        };

        var plan = PostDataPlan.Split(postData, ["s.a", "s.b"], [Table("a", "CREATE TABLE s.a ()"), Table("b", "CREATE TABLE s.b ()")]);

        Assert.Equal(["a_pkey"], plan.TableBuilds["s.a"].Select(o => o.Name));
        Assert.False(plan.TableBuilds.ContainsKey("s.b"));
        Assert.Empty(plan.ForeignKeys);
        Assert.Equal(["v", "f", "a_f", "b_pkey", "b_a_fkey"], plan.Rest.Select(o => o.Name));
    }

    [Fact]
    public void Partitions_tables_not_loaded_and_materialized_views_keep_their_builds_in_dump_order()
    {
        var postData = new[]
        {
            Post("index", "p1_x", "s.p1"), Post("index", "p_x", "s.p"), Post("index", "mv_x", "s.mv"), Post("index", "other_x", "s.other"),
            Post("index", "a_x", "s.a"),
        };
        var preData = new[]
        {
            Table("p", "CREATE TABLE s.p (id int) PARTITION BY RANGE (id)"),
            Table("p1", "CREATE TABLE s.p1 PARTITION OF s.p FOR VALUES FROM (1) TO (10)"),
            Table("a", "CREATE TABLE s.a (id int)"),
        };

        var plan = PostDataPlan.Split(postData, ["s.p1", "s.a"], preData);

        Assert.Equal(["a_x"], plan.TableBuilds.Single().Value.Select(o => o.Name));
        Assert.Equal(["p1_x", "p_x", "mv_x", "other_x"], plan.Rest.Select(o => o.Name));
    }
}
