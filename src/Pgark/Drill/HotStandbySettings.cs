using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Pgark.Cluster;

namespace Pgark.Drill;

/// <summary>
/// Recovery of a primary's WAL with hot_standby on requires max_connections, max_worker_processes, max_wal_senders,
/// max_prepared_transactions and max_locks_per_transaction at least as high as the primary had (recorded in
/// pg_control and in parameter-change WAL records); a lower value stops recovery with "insufficient parameter
/// settings". The drill reads them from the restored pg_control with pg_controldata and runs with the same values.
/// </summary>
internal static partial class HotStandbySettings
{
    private static readonly (string Control, string Setting)[] s_parameters =
    [
        ("max_connections setting", "max_connections"),
        ("max_worker_processes setting", "max_worker_processes"),
        ("max_wal_senders setting", "max_wal_senders"),
        ("max_prepared_xacts setting", "max_prepared_transactions"),
        ("max_locks_per_xact setting", "max_locks_per_transaction"),
    ];

    [GeneratedRegex(@"^(?<name>[^:]+):\s+(?<value>[0-9]+)\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ControlLine();

    /// <summary>The five settings as pg_control records them; empty when pg_controldata cannot be run or read.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(PgInstallation installation, string dataDirectory,
        CancellationToken cancellationToken)
    {
        string program = Path.Combine(installation.BinDirectory, "pg_controldata");
        if (!File.Exists(program))
            return new Dictionary<string, string>();
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-D");
        info.ArgumentList.Add(dataDirectory);
        info.Environment["LC_ALL"] = "C"; // the labels are translated otherwise
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
        Task<string> error = process.StandardError.ReadToEndAsync(cancellationToken);
        string output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        await error.ConfigureAwait(false);
        return process.ExitCode == 0 ? Parse(output) : new Dictionary<string, string>();
    }

    internal static Dictionary<string, string> Parse(string controlData)
    {
        var values = ControlLine().Matches(controlData).ToDictionary(m => m.Groups["name"].Value.Trim(), m => m.Groups["value"].Value);
        var settings = new Dictionary<string, string>();
        foreach ((string control, string setting) in s_parameters)
        {
            if (values.TryGetValue(control, out string? value) && long.Parse(value, CultureInfo.InvariantCulture) > 0)
                settings[setting] = value;
        }
        return settings;
    }
}
