using System.Text;
using Pgark.Logical;

namespace Pgark.Tests.Logical;

/// <summary>The CREATE DATABASE a --create-db restore builds from the recorded definition, and its logical.json form.</summary>
public sealed class DatabaseDefinitionTests
{
    private static readonly DatabaseDefinition s_icu = new("icu", "C.utf8", "C.utf8", "en-US", "&a < b", "cold space");

    [Fact]
    public void A_document_without_a_definition_creates_with_the_encoding_only()
    {
        Assert.Equal("CREATE DATABASE \"shop\" TEMPLATE template0 ENCODING 'UTF8'",
            DatabaseDefinition.CreateStatement("shop", "UTF8", null, 170000, withTablespace: true));
    }

    [Fact]
    public void An_icu_database_names_its_provider_locale_rules_and_tablespace()
    {
        Assert.Equal("CREATE DATABASE \"sh\"\"op\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.utf8' LC_CTYPE 'C.utf8' " +
            "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' ICU_RULES '&a < b' TABLESPACE \"cold space\"",
            DatabaseDefinition.CreateStatement("sh\"op", "UTF8", s_icu, 160000, withTablespace: true));
    }

    [Fact]
    public void Without_tablespaces_the_database_goes_to_the_default_one()
    {
        Assert.DoesNotContain("TABLESPACE", DatabaseDefinition.CreateStatement("shop", "UTF8", s_icu, 160000, withTablespace: false));
    }

    [Fact]
    public void A_builtin_locale_uses_its_own_keyword()
    {
        var builtin = new DatabaseDefinition("builtin", "C", "C", "C.UTF-8", null, null);
        Assert.EndsWith("LC_COLLATE 'C' LC_CTYPE 'C' LOCALE_PROVIDER builtin BUILTIN_LOCALE 'C.UTF-8'",
            DatabaseDefinition.CreateStatement("shop", "UTF8", builtin, 180000, withTablespace: true));
    }

    [Fact]
    public void Before_15_only_the_libc_settings_are_named()
    {
        // A source of 13 or 14 restores onto 13 or 14 too, whose CREATE DATABASE has no LOCALE_PROVIDER.
        var libc = new DatabaseDefinition("libc", "de_DE.utf8", "de_DE.utf8", null, null, null);
        Assert.Equal("CREATE DATABASE \"shop\" TEMPLATE template0 ENCODING 'LATIN1' LC_COLLATE 'de_DE.utf8' LC_CTYPE 'de_DE.utf8'",
            DatabaseDefinition.CreateStatement("shop", "LATIN1", libc, 140000, withTablespace: true));
        Assert.EndsWith("LC_CTYPE 'de_DE.utf8' LOCALE_PROVIDER libc", DatabaseDefinition.CreateStatement("shop", "UTF8", libc, 150000, true));
    }

    [Fact]
    public void The_definition_round_trips_through_logical_json_and_older_documents_have_none()
    {
        var manifest = new LogicalManifest("shop", "16.4", 160004, "UTF8", "exported-snapshot", "00000003-1", null, [], [], [], s_icu);
        byte[] document = manifest.Encode();
        Assert.Equal(s_icu, LogicalManifest.Decode(document).Definition);

        string older = Encoding.UTF8.GetString(document);
        int start = older.IndexOf("\"databaseDefinition\"", StringComparison.Ordinal);
        int end = older.IndexOf('}', start) + 1;
        older = older.Remove(start, end - start + 1); // the member and its comma
        Assert.Null(LogicalManifest.Decode(Encoding.UTF8.GetBytes(older)).Definition);
    }
}
