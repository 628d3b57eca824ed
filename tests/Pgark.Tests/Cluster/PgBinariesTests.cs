using Pgark.Cluster;

namespace Pgark.Tests.Cluster;

public sealed class PgBinariesTests
{
    [Theory]
    [InlineData(12)]
    [InlineData(19)]
    public void Unsupported_majors_are_refused(int major)
        => Assert.Throws<ArgumentOutOfRangeException>(() => PgBinaries.Find(major));

    [Fact]
    public void A_bin_directory_without_postgres_is_named_in_the_error()
    {
        var failure = Assert.Throws<LocalClusterException>(() => PgBinaries.Find(binDirectory: "/nonexistent/bin"));

        Assert.Contains("/nonexistent/bin", failure.Message);
    }

    [Fact]
    public void Found_installations_report_their_own_major_and_programs()
    {
        foreach (PgInstallation installation in PgBinaries.Available())
        {
            Assert.InRange(installation.Major, PgBinaries.OldestSupportedMajor, PgBinaries.NewestSupportedMajor);
            Assert.StartsWith(installation.Major.ToString(), installation.Version);
            Assert.True(File.Exists(installation.Initdb));
            Assert.True(File.Exists(installation.PgCtl));
            Assert.Equal(installation, PgBinaries.Find(binDirectory: installation.BinDirectory) with { FoundBy = installation.FoundBy });
        }
    }

    [Fact]
    public void An_explicit_bin_directory_wins_over_the_search()
    {
        PgInstallation? last = PgBinaries.Available().LastOrDefault();
        if (last is null)
        {
            return; // nothing installed: the refusal cases above still ran
        }

        Assert.Equal(last.BinDirectory, PgBinaries.Find(binDirectory: last.BinDirectory).BinDirectory);
        Assert.Equal("option", PgBinaries.Find(binDirectory: last.BinDirectory).FoundBy);
    }

    [Fact]
    public void Asking_for_a_missing_major_lists_every_place_searched_and_how_to_install()
    {
        // Search empty install roots, for a major that neither PG_BIN nor pg_config provides.
        var elsewhere = new HashSet<int?>([PgBinaries.Available().FirstOrDefault(i => i.FoundBy is "PG_BIN" or "pg_config")?.Major]);
        int missing = Enumerable.Range(PgBinaries.OldestSupportedMajor, 6).First(m => !elsewhere.Contains(m));
        string[] emptyRoots = ["/nonexistent/pgark/roots"];

        var failure = Assert.Throws<LocalClusterException>(() => PgBinaries.Find(missing, null, emptyRoots));

        Assert.StartsWith($"no PostgreSQL {missing} server programs (initdb, postgres) found; searched: PG_BIN", failure.Message);
        Assert.Contains("pg_config --bindir", failure.Message);
        Assert.Contains("/nonexistent/pgark/roots/*/bin (none)", failure.Message);
        Assert.StartsWith($"scripts/install-pg-major.sh {missing} (installs into /opt/pgark/pg/{missing})", failure.Hint);
        Assert.EndsWith($"hint: {failure.Hint}", failure.Message);
    }
}
