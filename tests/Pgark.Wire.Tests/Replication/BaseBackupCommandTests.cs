using Pgark.Wire.Replication;

namespace Pgark.Wire.Tests.Replication;

/// <summary>BASE_BACKUP's text in each dialect (protocol-replication.html for 15+, the 13/14 keyword grammar before).</summary>
public sealed class BaseBackupCommandTests
{
    private static readonly BaseBackupOptions s_options = new() { Label = "it's pgark", TablespaceMap = true, MaxRateKilobytesPerSecond = 2048 };

    [Fact]
    public void PostgreSQL15UsesTheParenthesizedOptionList()
        => Assert.Equal(
            "BASE_BACKUP (LABEL 'it''s pgark', PROGRESS, CHECKPOINT 'fast', WAL false, WAIT false, MANIFEST 'yes', MANIFEST_CHECKSUMS 'SHA256', TABLESPACE_MAP, MAX_RATE 2048)",
            BaseBackupCommand.Build(s_options, 150004));

    [Fact]
    public void PostgreSQL14UsesKeywords()
        => Assert.Equal(
            "BASE_BACKUP LABEL 'it''s pgark' PROGRESS FAST NOWAIT TABLESPACE_MAP MAX_RATE 2048 MANIFEST 'yes' MANIFEST_CHECKSUMS 'SHA256'",
            BaseBackupCommand.Build(s_options, 140010));

    [Fact]
    public void SpreadCheckpointWithoutChecksumVerificationOrManifest()
    {
        var options = new BaseBackupOptions { Checkpoint = BaseBackupCheckpoint.Spread, VerifyChecksums = false, Manifest = false, Progress = false };
        Assert.Equal("BASE_BACKUP (LABEL 'pgark', CHECKPOINT 'spread', WAL false, WAIT false, VERIFY_CHECKSUMS false)", BaseBackupCommand.Build(options, 160000));
        Assert.Equal("BASE_BACKUP LABEL 'pgark' NOWAIT NOVERIFY_CHECKSUMS", BaseBackupCommand.Build(options, 130000));
    }

    [Fact]
    public void MaxRateOutsideTheServersRangeIsRejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BaseBackupCommand.Build(new BaseBackupOptions { MaxRateKilobytesPerSecond = 8 }, 150000));
        Assert.StartsWith("MAX_RATE must be 32..1048576 kB/s", error.Message);
    }
}
