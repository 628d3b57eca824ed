using Pgark.Cli;
using Pgark.Cli.Parsing;

namespace Pgark.Tests.Cli;

public class ArgumentParserTests
{
    private static ParsedArguments Parse(string[] args, Dictionary<string, string?>? env = null)
        => ArgumentParser.Parse(args, name => env?.GetValueOrDefault(name));

    [Fact]
    public void AcceptsSpaceAndEqualsForms()
    {
        ParsedArguments a = Parse(["ping", "--db", "host=x", "--connect-timeout=5", "--json"]);
        Assert.Equal("ping", a.Command);
        Assert.Equal("host=x", a.Text(Options.Db));
        Assert.Equal(5, a.Integer(Options.ConnectTimeout));
        Assert.True(a.Flag(Options.Json));
        Assert.False(a.Flag(Options.Verbose));
    }

    [Fact]
    public void GlobalOptionsGoAnywhereAndShortNamesWork()
    {
        ParsedArguments a = Parse(["-v", "ping", "--db=host=y", "-h"]);
        Assert.Equal(("ping", "host=y"), (a.Command, a.Text(Options.Db)));
        Assert.True(a.Flag(Options.Verbose));
        Assert.True(a.Flag(Options.Help));
    }

    [Fact]
    public void DoubleDashEndsOptions()
    {
        ParsedArguments a = Parse(["help", "--", "--json"]);
        Assert.Equal(["--json"], a.Positionals);
    }

    [Fact]
    public void EnvironmentVariableFillsAnOptionNotGiven()
    {
        var env = new Dictionary<string, string?> { ["PGARK_DB"] = "host=fromenv" };
        Assert.Equal("host=fromenv", Parse(["ping"], env).Text(Options.Db));
        Assert.Equal("host=cli", Parse(["ping", "--db", "host=cli"], env).Text(Options.Db));
    }

    [Fact]
    public void IntegerBoundsAreInclusive()
    {
        Assert.Equal(0, Parse(["ping", "--connect-timeout", "0"]).Integer(Options.ConnectTimeout));
        Assert.Equal(3600, Parse(["ping", "--connect-timeout", "3600"]).Integer(Options.ConnectTimeout));
        Assert.Null(Parse(["ping"]).Integer(Options.ConnectTimeout));
    }

    [Theory]
    [InlineData(new[] { "ping", "--dbb", "x" }, "unknown option \"--dbb\" for pgark ping (did you mean --db?)", "run 'pgark help ping' for its options")]
    [InlineData(new[] { "ping", "--frobnicate" }, "unknown option \"--frobnicate\" for pgark ping", "run 'pgark help ping' for its options")]
    [InlineData(new[] { "ping", "--markdown" }, "unknown option \"--markdown\" for pgark ping", "run 'pgark help ping' for its options")]
    [InlineData(new[] { "--json" }, "unknown option \"--json\" for pgark", "run 'pgark help' for the commands and options")]
    [InlineData(new[] { "ping", "-x" }, "unknown option \"-x\" for pgark ping", "run 'pgark help ping' for its options")]
    [InlineData(new[] { "ping", "--db" }, "option --db needs a value (CONNINFO)", "run 'pgark help ping' for its options")]
    [InlineData(new[] { "ping", "--json=yes" }, "option --json takes no value (got \"--json=yes\")", "run 'pgark help ping' for its options")]
    [InlineData(new[] { "ping", "--db", "a", "--db", "b" }, "option --db is given more than once", "give each option once")]
    [InlineData(new[] { "ping", "--connect-timeout", "soon" }, "invalid value \"soon\" for --connect-timeout: not a whole number", "give a whole number from 0..3600")]
    [InlineData(new[] { "ping", "--connect-timeout", "3601" }, "invalid value \"3601\" for --connect-timeout: out of range 0..3600", "give a whole number from 0..3600")]
    [InlineData(new[] { "ping", "--connect-timeout", "-1" }, "invalid value \"-1\" for --connect-timeout: out of range 0..3600", "give a whole number from 0..3600")]
    [InlineData(new[] { "ping", "extra" }, "unexpected argument \"extra\" for pgark ping", "run 'pgark help ping' for its options")]
    [InlineData(new[] { "--db", "host=x", "ping" }, "option --db comes before the command", "write the command first: pgark COMMAND [options]")]
    [InlineData(new[] { "pnig" }, "unknown command \"pnig\"", "did you mean 'pgark ping'? run 'pgark help' to list the commands")]
    [InlineData(new[] { "frobnicate" }, "unknown command \"frobnicate\"", "run 'pgark help' to list the commands")]
    [InlineData(new[] { "backupp" }, "unknown command \"backupp\"", "did you mean 'pgark backup'? run 'pgark help' to list the commands")]
    public void UsageErrorsSayWhatIsWrongAndWhatToDo(string[] args, string message, string hint)
    {
        var error = Assert.Throws<UsageException>(() => Parse(args));
        Assert.Equal((message, hint), (error.Message, error.Hint));
    }

    [Theory]
    [InlineData("db", "db", 0)]
    [InlineData("dbb", "db", 1)]
    [InlineData("json", "jsno", 1)] // an adjacent transposition is one edit
    [InlineData("pnig", "ping", 1)]
    [InlineData("pnig", "init", 2)]
    [InlineData("", "abc", 3)]
    public void EditDistance(string a, string b, int expected) => Assert.Equal(expected, ArgumentParser.EditDistance(a, b));
}
