using Pgark.Wire.Connection;

namespace Pgark.Wire.Tests.Connection;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PgPassFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pgark-pgpass-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("db1:5432:sales:alice:pw1", "pw1")]
    [InlineData("*:*:*:*:any", "any")]
    [InlineData("db1:*:sales:alice:pw2", "pw2")]
    [InlineData("db2:5432:sales:alice:pw", null)]
    [InlineData("db1:5433:sales:alice:pw", null)]
    [InlineData("db1:5432:*:bob:pw", null)]
    [InlineData("db1:5432:sales:alice:p\\:w\\\\d", "p:w\\d")]       // escaped ':' and '\' in the password
    [InlineData("db1:5432:sales:alice:pw:ignored", "pw")]           // the password ends at an unescaped ':'
    [InlineData("db1:5432:sales:alice", null)]                      // four fields: no password field at all
    [InlineData("db1:5432:sales:alice:", "")]
    public void MatchesLikeLibpq(string line, string? expected)
        => Assert.Equal(expected, PgPassFile.TryMatch(line, ["db1", "5432", "sales", "alice"]));

    [Fact]
    public void EscapedColonInAKeyField()
        => Assert.Equal("pw", PgPassFile.TryMatch("fe80\\:\\:1:5432:*:*:pw", ["fe80::1", "5432", "x", "y"]));

    [Fact]
    public void EscapedStarIsALiteralStar()
    {
        Assert.Null(PgPassFile.TryMatch("\\*:*:*:*:pw", ["db1", "5432", "x", "y"]));
        Assert.Equal("pw", PgPassFile.TryMatch("\\*:*:*:*:pw", ["*", "5432", "x", "y"]));
    }

    [Fact]
    public void FirstMatchingLineWinsAndCommentsAreSkipped()
    {
        string path = Write("# db1:5432:sales:alice:commented\r\n"
                            + "other:5432:sales:alice:no\r\n"
                            + "db1:5432:sales:alice:first\r\n"
                            + "*:*:*:*:second\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var warnings = new List<string>();
        Assert.Equal("first", PgPassFile.FindPassword(path, "db1", "5432", "sales", "alice", warnings));
        Assert.Equal("second", PgPassFile.FindPassword(path, "db9", "5432", "sales", "alice", warnings));
        Assert.Empty(warnings);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupWrite)]
    public void GroupOrWorldAccessibleFileIsIgnoredWithAWarning(UnixFileMode mode)
    {
        string path = Write("*:*:*:*:secret\n", mode);
        var warnings = new List<string>();
        Assert.Null(PgPassFile.FindPassword(path, "db1", "5432", "sales", "alice", warnings));
        Assert.Equal([$"password file \"{path}\" has group or world access; permissions should be u=rw (0600) or less"], warnings);
    }

    [Fact]
    public void MissingFileIsSilent()
    {
        var warnings = new List<string>();
        Assert.Null(PgPassFile.FindPassword(Path.Combine(_directory, "absent"), "h", "1", "d", "u", warnings));
        Assert.Empty(warnings);
    }

    [Fact]
    public void DirectoryIsNotAPlainFile()
    {
        var warnings = new List<string>();
        Assert.Null(PgPassFile.FindPassword(_directory, "h", "1", "d", "u", warnings));
        Assert.Equal([$"password file \"{_directory}\" is not a plain file"], warnings);
    }

    [Fact]
    public void SettingsTakeThePasswordFromThePassfile()
    {
        string path = Write("localhost:5432:sales:alice:sockpw\ndb1:6000:sales:alice:tcppw\n/tmp/pg:5432:sales:alice:otherdir\n",
            UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var defaults = new ConnectionDefaults("alice", _directory, "/var/run/postgresql");
        ConnectionSettings Resolve(string conninfo) => ConnectionSettings.Resolve(conninfo, null, _ => null, defaults);

        // A socket in the default directory is matched as "localhost"; another socket directory by its path.
        Assert.Equal("sockpw", Resolve("dbname=sales").Password);
        Assert.Equal("otherdir", Resolve("host=/tmp/pg dbname=sales").Password);
        Assert.Equal("tcppw", Resolve("host=db1 port=6000 dbname=sales").Password);
        Assert.Equal("explicit", Resolve("host=db1 port=6000 dbname=sales password=explicit").Password);
        Assert.Null(Resolve("host=db2 dbname=sales").Password);
        Assert.Equal(path, Resolve("").PassFile);
    }

    [Fact]
    public void EnvironmentPasswordBeatsThePassfile()
    {
        Write("*:*:*:*:frompassfile\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var defaults = new ConnectionDefaults("alice", _directory, "/var/run/postgresql");
        ConnectionSettings s = ConnectionSettings.Resolve("", null, n => n == "PGPASSWORD" ? "fromenv" : null, defaults);
        Assert.Equal("fromenv", s.Password);
    }

    [Fact]
    public void IgnoredPassfileWarningReachesTheSettings()
    {
        string path = Write("*:*:*:*:secret\n", UnixFileMode.UserRead | UnixFileMode.GroupRead);
        var defaults = new ConnectionDefaults("alice", _directory, "/var/run/postgresql");
        ConnectionSettings s = ConnectionSettings.Resolve("", null, _ => null, defaults);
        Assert.Null(s.Password);
        Assert.Equal([$"password file \"{path}\" has group or world access; permissions should be u=rw (0600) or less"], s.Warnings);
    }

    private string Write(string content, UnixFileMode mode)
    {
        string path = Path.Combine(_directory, ".pgpass");
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        return path;
    }
}
