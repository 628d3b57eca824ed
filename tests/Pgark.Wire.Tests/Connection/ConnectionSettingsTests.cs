using Pgark.Wire.Connection;

namespace Pgark.Wire.Tests.Connection;

public class ConnectionSettingsTests
{
    private static readonly ConnectionDefaults s_defaults = new("osuser", HomeDirectory: null, SocketDirectory: "/var/run/postgresql");

    private static ConnectionSettings Parse(string? conninfo, Dictionary<string, string?>? env = null, ReplicationMode? replication = null)
        => ConnectionSettings.Resolve(conninfo, replication, name => env?.GetValueOrDefault(name), s_defaults);

    [Fact]
    public void EmptyConninfoUsesDefaults()
    {
        ConnectionSettings s = Parse("");
        Assert.Equal("/var/run/postgresql", s.Host);
        Assert.True(s.IsUnixSocket);
        Assert.Equal(5432, s.Port);
        Assert.Equal("osuser", s.User);
        Assert.Equal("osuser", s.Database); // dbname defaults to the user name
        Assert.Null(s.Password);
        Assert.Equal(SslMode.Prefer, s.SslMode);
        Assert.Equal("pgark", s.ApplicationName);
        Assert.Equal("prefer", s.ChannelBinding);
        Assert.Equal(ReplicationMode.None, s.Replication);
        Assert.Equal(TimeSpan.FromSeconds(30), s.ConnectTimeout);
        Assert.Empty(s.StartupParameters);
    }

    [Theory]
    // conninfo, host, port, user, password, database
    [InlineData("postgresql://", "/var/run/postgresql", 5432, "osuser", null, "osuser")]
    [InlineData("postgres://db1", "db1", 5432, "osuser", null, "osuser")]
    [InlineData("postgresql://alice:s3cret@db1.example.com:6543/sales", "db1.example.com", 6543, "alice", "s3cret", "sales")]
    [InlineData("postgresql://alice@db1/sales?port=7000", "db1", 7000, "alice", null, "sales")]
    [InlineData("postgresql://al%40ice:p%3Aw%2Fd@db1/my%20db", "db1", 5432, "al@ice", "p:w/d", "my db")]
    [InlineData("postgresql://u:pa\U0001F600s%C3%A9@h/d", "h", 5432, "u", "pa\U0001F600s\u00E9", "d")] // literal non-BMP + encoded UTF-8
    [InlineData("postgresql://u:%F0%9F%98%80@h/d", "h", 5432, "u", "\U0001F600", "d")]
    [InlineData("postgresql://[::1]:5433/x", "::1", 5433, "osuser", null, "x")]
    [InlineData("postgresql://[2001:db8::7]/x", "2001:db8::7", 5432, "osuser", null, "x")]
    [InlineData("postgresql://%2Ftmp%2Fpg/x", "/tmp/pg", 5432, "osuser", null, "x")]
    [InlineData("postgresql:///x?host=/tmp/sock", "/tmp/sock", 5432, "osuser", null, "x")]
    [InlineData("postgresql://u:@h/d", "h", 5432, "u", null, "d")]                  // empty password is no password
    [InlineData("postgresql://h/d?user=bob&password=pw", "h", 5432, "bob", "pw", "d")]
    [InlineData("host=db1 port=6000 user=bob dbname=sales password=pw", "db1", 6000, "bob", "pw", "sales")]
    [InlineData("  host = db1   port=  6000 ", "db1", 6000, "osuser", null, "osuser")]
    [InlineData("password='a b\\'c\\\\d' host=h", "h", 5432, "osuser", "a b'c\\d", "osuser")]
    [InlineData("password=a\\ b host=h", "h", 5432, "osuser", "a b", "osuser")]
    [InlineData("password='' host=h", "h", 5432, "osuser", null, "osuser")]
    [InlineData("hostaddr=10.0.0.5", "10.0.0.5", 5432, "osuser", null, "osuser")]
    [InlineData("host=db1 hostaddr=10.0.0.5", "db1", 5432, "osuser", null, "osuser")]
    [InlineData("host=a host=b", "b", 5432, "osuser", null, "osuser")]              // the last occurrence wins
    [InlineData("host=/tmp", "/tmp", 5432, "osuser", null, "osuser")]
    public void ParsesConnectionStrings(string conninfo, string host, int port, string user, string? password, string database)
    {
        ConnectionSettings s = Parse(conninfo);
        Assert.Equal((host, port, user, password, database), (s.Host, s.Port, s.User, s.Password, s.Database));
    }

    [Fact]
    public void ParsesTheRemainingKeywords()
    {
        ConnectionSettings s = Parse("sslmode=verify-full sslrootcert=/etc/ca.pem application_name=nightly connect_timeout=7 "
                                     + "channel_binding=require replication=database options='-c work_mem=64MB' passfile=/nonexistent");
        Assert.Equal(SslMode.VerifyFull, s.SslMode);
        Assert.Equal("/etc/ca.pem", s.SslRootCert);
        Assert.Equal("nightly", s.ApplicationName);
        Assert.Equal(TimeSpan.FromSeconds(7), s.ConnectTimeout);
        Assert.Equal("require", s.ChannelBinding);
        Assert.Equal(ReplicationMode.Database, s.Replication);
        Assert.Equal("-c work_mem=64MB", s.StartupParameters["options"]);
        Assert.Equal("/nonexistent", s.PassFile);
    }

    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("allow", SslMode.Allow)]
    [InlineData("prefer", SslMode.Prefer)]
    [InlineData("require", SslMode.Require)]
    [InlineData("verify-ca", SslMode.VerifyCa)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    public void SslModes(string value, SslMode expected) => Assert.Equal(expected, Parse("sslmode=" + value).SslMode);

    [Fact]
    public void UriSslTrueMeansRequire() => Assert.Equal(SslMode.Require, Parse("postgresql://h/d?ssl=true").SslMode);

    [Theory]
    [InlineData("0", -1)]   // forever
    [InlineData("-5", -1)]
    [InlineData("1", 2)]    // libpq raises 1 s to 2 s
    [InlineData("15", 15)]
    public void ConnectTimeouts(string value, int seconds)
        => Assert.Equal(seconds < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(seconds), Parse("connect_timeout=" + value).ConnectTimeout);

    [Theory]
    [InlineData("true", ReplicationMode.Physical)]
    [InlineData("on", ReplicationMode.Physical)]
    [InlineData("1", ReplicationMode.Physical)]
    [InlineData("no", ReplicationMode.None)]
    [InlineData("database", ReplicationMode.Database)]
    public void ReplicationValues(string value, ReplicationMode expected) => Assert.Equal(expected, Parse("replication=" + value).Replication);

    [Fact]
    public void EnvironmentFillsWhatTheConninfoLeavesOpen()
    {
        var env = new Dictionary<string, string?>
        {
            ["PGHOST"] = "envhost", ["PGPORT"] = "6001", ["PGUSER"] = "envuser", ["PGPASSWORD"] = "envpw",
            ["PGDATABASE"] = "envdb", ["PGSSLMODE"] = "require", ["PGSSLROOTCERT"] = "/ca.pem", ["PGAPPNAME"] = "envapp",
            ["PGCONNECT_TIMEOUT"] = "9", ["PGCHANNELBINDING"] = "disable", ["PGPASSFILE"] = "/nonexistent/pgpass",
            ["PGOPTIONS"] = "-c x=y",
        };
        ConnectionSettings s = Parse("", env);
        Assert.Equal(("envhost", 6001, "envuser", "envpw", "envdb"), (s.Host, s.Port, s.User, s.Password, s.Database));
        Assert.Equal((SslMode.Require, "/ca.pem", "envapp"), (s.SslMode, s.SslRootCert, s.ApplicationName));
        Assert.Equal((TimeSpan.FromSeconds(9), "disable", "/nonexistent/pgpass"), (s.ConnectTimeout, s.ChannelBinding, s.PassFile));
        Assert.Equal("-c x=y", s.StartupParameters["options"]);

        ConnectionSettings explicitWins = Parse("host=h port=7 user=u password=p dbname=d sslmode=disable", env);
        Assert.Equal(("h", 7, "u", "p", "d", SslMode.Disable),
            (explicitWins.Host, explicitWins.Port, explicitWins.User, explicitWins.Password, explicitWins.Database, explicitWins.SslMode));
    }

    [Fact]
    public void ExplicitEmptyValueBlocksTheEnvironmentAndFallsBackToTheDefault()
    {
        var env = new Dictionary<string, string?> { ["PGHOST"] = "envhost", ["PGUSER"] = "envuser" };
        ConnectionSettings s = Parse("host='' user=''", env);
        Assert.Equal(("/var/run/postgresql", "osuser"), (s.Host, s.User));
    }

    [Fact]
    public void PhysicalReplicationDefaultsDatabaseToReplicationLikePgBasebackup()
    {
        var env = new Dictionary<string, string?> { ["PGDATABASE"] = "envdb" };
        ConnectionSettings s = Parse("user=backup", env, ReplicationMode.Physical);
        Assert.Equal((ReplicationMode.Physical, "replication"), (s.Replication, s.Database));
        Assert.Equal("mydb", Parse("dbname=mydb", env, ReplicationMode.Physical).Database);
        Assert.Equal(ReplicationMode.Physical, Parse("replication=database", env, ReplicationMode.Physical).Replication);
    }

    [Theory]
    [InlineData("hots=db1", "invalid connection option \"hots\"; known options are host, hostaddr, port, user, password, dbname, sslmode, sslrootcert, application_name, connect_timeout, passfile, channel_binding, replication, options")]
    [InlineData("postgresql://h/d?sslmod=require", "invalid connection option \"sslmod\"; known options are host, hostaddr, port, user, password, dbname, sslmode, sslrootcert, application_name, connect_timeout, passfile, channel_binding, replication, options")]
    [InlineData("port=abc", "invalid port value \"abc\"; allowed values are integers from 1 to 65535")]
    [InlineData("port=70000", "invalid port value \"70000\"; allowed values are integers from 1 to 65535")]
    [InlineData("postgresql://h:0/d", "invalid port value \"0\"; allowed values are integers from 1 to 65535")]
    [InlineData("sslmode=verify", "invalid sslmode value \"verify\"; allowed values are disable, allow, prefer, require, verify-ca, verify-full")]
    [InlineData("channel_binding=yes", "invalid channel_binding value \"yes\"; allowed values are disable, prefer, require")]
    [InlineData("replication=maybe", "invalid replication value \"maybe\"; allowed values are true, on, yes, 1, false, off, no, 0, database")]
    [InlineData("connect_timeout=5s", "invalid connect_timeout value \"5s\"; allowed values are whole seconds (0 waits forever)")]
    [InlineData("mydb", "missing \"=\" after \"mydb\" in connection info string; write key=value pairs such as \"host=db1 user=backup\" or a postgresql:// URI")]
    [InlineData("password='abc", "unterminated quoted string in connection info string; close the value with a single quote")]
    [InlineData("host=a,b", "multiple hosts not supported yet: host \"a,b\"; give a single host")]
    [InlineData("postgresql://a:5432,b:5433/d", "multiple hosts not supported yet: host \"a,b\"; give a single host")]
    [InlineData("port=5432,5433", "multiple hosts not supported yet: port \"5432,5433\"; give a single port")]
    [InlineData("postgresql://[::1/d", "missing \"]\" after the IPv6 address in URI \"postgresql://[::1/d\"")]
    [InlineData("postgresql://[]/d", "empty IPv6 address \"[]\" in URI \"postgresql://[]/d\"")]
    [InlineData("postgresql://[::1]x/d", "unexpected character \"x\" after the IPv6 address in URI \"postgresql://[::1]x/d\" (expected \":\", \"/\", \"?\" or \",\")")]
    [InlineData("postgresql://u:secret@h/d%zz", "invalid percent-encoding \"%zz\" in URI \"postgresql://u:***@h/d%zz\"; write %XX with two hex digits")]
    [InlineData("postgresql://h/d%zz?password=topsecret&sslmode=require", "invalid percent-encoding \"%zz\" in URI \"postgresql://h/d%zz?password=***&sslmode=require\"; write %XX with two hex digits")]
    [InlineData("postgresql://h/d%00", "forbidden value %00 in URI \"postgresql://h/d%00\"")]
    [InlineData("postgresql://h/d?sslmode", "missing \"=\" in URI query parameter \"sslmode\"; write ?key=value&key2=value2")]
    [InlineData("postgresql://h/d?options=a=b", "extra \"=\" in URI query parameter \"options=a=b\"; percent-encode it as %3D")]
    public void BadConninfoNamesTheProblem(string conninfo, string expected)
        => Assert.Equal(expected, Assert.Throws<ConnectionStringException>(() => Parse(conninfo)).Message);

    [Theory]
    [InlineData("PGPORT", "x", "invalid port value \"x\" (from PGPORT); allowed values are integers from 1 to 65535")]
    [InlineData("PGSSLMODE", "on", "invalid sslmode value \"on\" (from PGSSLMODE); allowed values are disable, allow, prefer, require, verify-ca, verify-full")]
    [InlineData("PGHOST", "a,b", "multiple hosts not supported yet: host \"a,b\" (from PGHOST); give a single host")]
    public void BadEnvironmentNamesTheVariable(string variable, string value, string expected)
        => Assert.Equal(expected, Assert.Throws<ConnectionStringException>(() => Parse("", new() { [variable] = value })).Message);

    [Fact]
    public void DisplayStringNeverShowsThePassword()
    {
        ConnectionSettings s = Parse("postgresql://alice:s3cret@db1:6543/sales");
        Assert.Equal("user=alice database=sales host=db1 port=6543", s.ToDisplayString());
    }

    [Fact]
    public void PublicParseReadsTheGivenEnvironmentOnly()
    {
        var env = new Dictionary<string, string?> { ["PGHOST"] = "only-here", ["PGUSER"] = "u1", ["HOME"] = "/nonexistent-home" };
        ConnectionSettings s = ConnectionSettings.Parse(null, env);
        Assert.Equal(("only-here", "u1", "/nonexistent-home/.pgpass"), (s.Host, s.User, s.PassFile));
    }
}
