using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pgark.Cluster;

/// <summary>
/// Finds PostgreSQL server programs. Search order: an explicit bin directory, the PG_BIN environment variable,
/// <c>pg_config --bindir</c>, the distribution's <c>/usr/lib/postgresql/*/bin</c>, and
/// <c>/opt/pgark/pg/*/bin</c> (PGARK_PG_ROOT overrides /opt/pgark/pg), where scripts/install-pg-major.sh puts
/// majors the distribution does not package. Each candidate is asked for its version, once per process.
/// </summary>
public static partial class PgBinaries
{
    public const int OldestSupportedMajor = 13;
    public const int NewestSupportedMajor = 18;

    private static readonly ConcurrentDictionary<string, PgInstallation?> s_probed = new();

    /// <summary>
    /// The installation to use: of <paramref name="major"/> if given, else the first one found in search order.
    /// Throws <see cref="LocalClusterException"/> naming every place searched and how to install one.
    /// </summary>
    public static PgInstallation Find(int? major = null, string? binDirectory = null)
        => Find(major, binDirectory, DefaultInstallRoots());

    /// <param name="installRoots">Directories searched as <c>root/*/bin</c> (tests point them elsewhere).</param>
    internal static PgInstallation Find(int? major, string? binDirectory, IReadOnlyList<string> installRoots)
    {
        if (major is { } m && (m < OldestSupportedMajor || m > NewestSupportedMajor))
        {
            throw new ArgumentOutOfRangeException(nameof(major), m,
                $"pgark supports PostgreSQL {OldestSupportedMajor} to {NewestSupportedMajor}");
        }
        List<(string Place, PgInstallation? Found)> searched = Search(binDirectory, installRoots);
        foreach ((_, PgInstallation? found) in searched)
        {
            if (found is not null && (major is null || found.Major == major))
            {
                return found;
            }
        }
        throw NotFound(major, searched);
    }

    /// <summary>Like <c>Find</c> but returns null instead of throwing when none is installed.</summary>
    public static PgInstallation? TryFind(int major, string? binDirectory = null)
        => Search(binDirectory, DefaultInstallRoots()).Select(s => s.Found).FirstOrDefault(f => f?.Major == major);

    /// <summary>Every distinct installation found, newest major first.</summary>
    public static IReadOnlyList<PgInstallation> Available(string? binDirectory = null)
        => Search(binDirectory, DefaultInstallRoots()).Select(s => s.Found).OfType<PgInstallation>()
            .DistinctBy(i => i.BinDirectory).OrderByDescending(i => i.Major).ToList();

    private static string[] DefaultInstallRoots()
        => ["/usr/lib/postgresql", Environment.GetEnvironmentVariable("PGARK_PG_ROOT") is { Length: > 0 } root ? root : "/opt/pgark/pg"];

    private static List<(string Place, PgInstallation? Found)> Search(string? binDirectory, IReadOnlyList<string> installRoots)
    {
        var searched = new List<(string, PgInstallation?)>();
        if (binDirectory is not null)
        {
            PgInstallation found = Probe(Path.GetFullPath(binDirectory), "option")
                ?? throw new LocalClusterException($"no runnable postgres in the bin directory given: {binDirectory}",
                    "pass the directory that holds initdb, pg_ctl and postgres");
            searched.Add(($"bin directory option {binDirectory}", found));
        }
        string? fromEnv = Environment.GetEnvironmentVariable("PG_BIN");
        searched.Add(fromEnv is { Length: > 0 } ? ($"PG_BIN={fromEnv}", Probe(fromEnv, "PG_BIN")) : ("PG_BIN (not set)", null));
        string? fromPgConfig = PgConfigBinDirectory();
        searched.Add(fromPgConfig is null ? ("pg_config --bindir (no pg_config)", null)
                                          : ($"pg_config --bindir = {fromPgConfig}", Probe(fromPgConfig, "pg_config")));
        foreach (string root in installRoots)
        {
            AddPattern(searched, root);
        }
        return searched;
    }

    private static void AddPattern(List<(string, PgInstallation?)> searched, string root)
    {
        string pattern = $"{root}/*/bin";
        string[] majors = Directory.Exists(root) ? Directory.GetDirectories(root) : [];
        int before = searched.Count;
        foreach (string dir in majors.OrderByDescending(d => int.TryParse(Path.GetFileName(d), out int n) ? n : 0))
        {
            if (Probe(Path.Combine(dir, "bin"), pattern) is { } found)
            {
                searched.Add(($"{pattern} ({found.Version})", found));
            }
        }
        if (searched.Count == before)
        {
            searched.Add(($"{pattern} (none)", null));
        }
    }

    private static PgInstallation? Probe(string binDirectory, string foundBy)
    {
        PgInstallation? probed = s_probed.GetOrAdd(Path.GetFullPath(binDirectory), ProbeUncached);
        return probed is null ? null : probed with { FoundBy = foundBy };
    }

    private static PgInstallation? ProbeUncached(string binDirectory)
    {
        string postgres = Path.Combine(binDirectory, "postgres");
        if (!File.Exists(postgres) || !File.Exists(Path.Combine(binDirectory, "initdb")))
        {
            return null;
        }
        // "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)", "postgres (PostgreSQL) 18beta1"
        Match match = VersionPattern().Match(RunQuietly(postgres, "--version") ?? "");
        return match.Success
            ? new PgInstallation(binDirectory, int.Parse(match.Groups[1].Value), match.Groups[1].Value + match.Groups[2].Value, "")
            : null;
    }

    private static readonly Lazy<string?> s_pgConfigBinDirectory =
        new(() => RunQuietly("pg_config", "--bindir")?.Trim() is { Length: > 0 } dir ? dir : null);

    private static string? PgConfigBinDirectory() => s_pgConfigBinDirectory.Value;

    private static string? RunQuietly(string program, string argument)
    {
        try
        {
            var info = new ProcessStartInfo(program, argument) { RedirectStandardOutput = true, RedirectStandardError = true };
            using Process process = Process.Start(info)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not installed
        }
    }

    private static LocalClusterException NotFound(int? major, List<(string Place, PgInstallation? Found)> searched)
    {
        string what = major is null ? "PostgreSQL server programs" : $"PostgreSQL {major} server programs";
        string install = major is null
            ? "apt-get install postgresql, or scripts/install-pg-major.sh 17, or set PG_BIN to the directory holding postgres"
            : $"scripts/install-pg-major.sh {major} (installs into /opt/pgark/pg/{major}), or apt-get install postgresql-{major} " +
              "from apt.postgresql.org, or set PG_BIN to its bin directory";
        return new LocalClusterException(
            $"no {what} (initdb, postgres) found; searched: {string.Join("; ", searched.Select(s => s.Place))}", install);
    }

    [GeneratedRegex(@"\(PostgreSQL\) (\d+)((?:\.\d+)?\S*)")]
    private static partial Regex VersionPattern();
}
