using System.Text;
using Pgark.Logical;
using Pgark.Logical.Schema;

namespace Pgark.Tests.Logical;

public sealed class DatabasePlaceholderTests
{
    [Theory]
    [InlineData("shop", "ALTER ROLE \"clerk\" IN DATABASE \"shop\" SET \"work_mem\" TO '8MB'")]
    [InlineData("My \"Db\"", "ALTER ROLE \"clerk\" IN DATABASE \"My \"\"Db\"\"\" SET \"work_mem\" TO '8MB'")]
    public void The_marker_becomes_the_target_databases_quoted_name(string database, string expected) =>
        Assert.Equal(expected, DatabasePlaceholder.Substitute("ALTER ROLE \"clerk\" IN DATABASE \0 SET \"work_mem\" TO '8MB'", database));

    [Fact]
    public void Every_marker_is_replaced_and_nothing_else()
    {
        string sql = "REVOKE ALL ON DATABASE \0 FROM PUBLIC;\nSET ROLE \"\\0 role\";\nGRANT CREATE ON DATABASE \0 TO clerk;\nRESET ROLE";
        Assert.Equal("REVOKE ALL ON DATABASE \"new\" FROM PUBLIC;\nSET ROLE \"\\0 role\";\nGRANT CREATE ON DATABASE \"new\" TO clerk;\nRESET ROLE",
            DatabasePlaceholder.Substitute(sql, "new"));
    }

    [Fact]
    public void Schema_json_keeps_the_marker_as_an_escaped_nul()
    {
        var item = new SchemaObject("database setting", "", "work_mem", SchemaSection.PostData, "ALTER DATABASE \0 SET \"work_mem\" TO '8MB'", "(database)");
        byte[] document = LogicalManifest.EncodeSchema([item], 150004);

        Assert.Contains("ALTER DATABASE \\u0000 SET", Encoding.UTF8.GetString(document), StringComparison.Ordinal);
        Assert.Equal(item, Assert.Single(LogicalManifest.DecodeSchema(document)));
    }
}
