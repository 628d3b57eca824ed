using Pgark.Logical.Globals;

namespace Pgark.Tests.Logical;

public sealed class SettingValueTests
{
    [Theory]
    [InlineData("shop, public", new[] { "shop", "public" })]
    [InlineData("\"$user\", public", new[] { "$user", "public" })]
    [InlineData("\"Mixed Case\",\"a\"\"b\" , x", new[] { "Mixed Case", "a\"b", "x" })]
    [InlineData("\"\"", new[] { "" })]
    [InlineData("", new string[0])]
    public void A_quoted_list_splits_at_commas_outside_quotes(string stored, string[] items) =>
        Assert.Equal(items, SettingValue.Split(stored));

    [Fact]
    public void List_settings_become_one_literal_per_item_and_others_one_literal()
    {
        Assert.Equal("'shop', 'Mixed Case'", SettingValue.ToSql("search_path", "shop, \"Mixed Case\""));
        Assert.Equal("'it''s, one'", SettingValue.ToSql("application_name", "it's, one"));
    }
}
