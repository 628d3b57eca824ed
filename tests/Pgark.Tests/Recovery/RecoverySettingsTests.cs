using Pgark.Recovery;
using Pgark.Wire.Replication;

namespace Pgark.Tests.Recovery;

/// <summary>restore_command quoting and what restore writes into a data directory.</summary>
public sealed class RecoverySettingsTests
{
    [Fact]
    public void Restore_command_quotes_for_the_shell_and_doubles_percent_signs()
    {
        string command = RestoreCommandLine.For(["/opt/it's/pgark"], "/backups/100% sure");
        Assert.Equal("'/opt/it'\\''s/pgark' wal get --repo '/backups/100%% sure' %f %p", command);
        // postgresql.conf: quotes doubled, and the backslash doubled too (the config scanner reads \' as an escape).
        Assert.Equal(@"'''/opt/it''\\''''s/pgark'' wal get --repo ''/backups/100%% sure'' %f %p'", RecoverySettings.QuoteValue(command));
    }

    [Fact]
    public void The_writer_replaces_earlier_recovery_lines_and_creates_recovery_signal()
    {
        string data = Path.Combine(Path.GetTempPath(), $"pgark-recovery-conf-{Guid.NewGuid():N}");
        Directory.CreateDirectory(data);
        try
        {
            File.WriteAllText(Path.Combine(data, "postgresql.auto.conf"), "# Do not edit\nwork_mem = '8MB'\nrestore_command = 'cp /old/%f %p'\n");
            RecoveryConfigWriter.Write(data, [new("restore_command", "'/p' wal get --repo '/r' %f %p"), new("recovery_target_lsn", "0/3000148"),
                new("recovery_target_inclusive", "off")], "backup aa, target lsn 0/3000148");
            Assert.Equal("# Do not edit\nwork_mem = '8MB'\n# pgark restore: backup aa, target lsn 0/3000148\n"
                + "restore_command = '''/p'' wal get --repo ''/r'' %f %p'\nrecovery_target_lsn = '0/3000148'\nrecovery_target_inclusive = 'off'\n",
                File.ReadAllText(Path.Combine(data, "postgresql.auto.conf")));
            Assert.Equal(0, new FileInfo(Path.Combine(data, "recovery.signal")).Length);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void Settings_name_the_exact_lsn_and_the_target_timeline()
    {
        var backup = new BackupCandidate(new string('a', 64), new TimelineId(1), new Lsn(0x2000028), new Lsn(0x2000100), DateTimeOffset.UnixEpoch, 1);
        var stop = new RecoveryStop(new Lsn(0x5001A28), Inclusive: false, null, null, null);
        var plan = new RecoveryPlan(RecoveryTarget.AtTime(DateTimeOffset.UnixEpoch), backup, TimelinePath.Single(new TimelineId(3)), stop,
            stop.Lsn, new WalSpan(backup.StartLsn, stop.Lsn, []), 16 << 20, 0);
        Assert.Equal(
            [("restore_command", "rc"), ("recovery_target_timeline", "3"), ("recovery_target_lsn", "0/5001A28"), ("recovery_target_inclusive", "off"),
             ("recovery_target_action", "pause")],
            RecoverySettings.For(plan, "rc", RecoveryTargetAction.Pause).Select(s => (s.Key, s.Value)));
        Assert.DoesNotContain(RecoverySettings.For(plan with { Target = RecoveryTarget.Latest }, "rc", RecoveryTargetAction.Promote),
            s => s.Key.StartsWith("recovery_target_", StringComparison.Ordinal) && s.Key != "recovery_target_timeline");
    }
}
