using Pgark.Wire.Replication;

namespace Pgark.Wire.Tests.Replication;

public class ReplicationCommandTests
{
    [Theory]
    [InlineData(150000, false, true, "CREATE_REPLICATION_SLOT s PHYSICAL (RESERVE_WAL)")]
    [InlineData(140005, false, true, "CREATE_REPLICATION_SLOT s PHYSICAL RESERVE_WAL")]
    [InlineData(130000, true, false, "CREATE_REPLICATION_SLOT s TEMPORARY PHYSICAL")]
    public void PhysicalSlotSyntaxFollowsTheServerVersion(int version, bool temporary, bool reserve, string expected) =>
        Assert.Equal(expected, ReplicationCommands.CreateReplicationSlotCommand("s",
            new CreateReplicationSlotOptions { Temporary = temporary, ReserveWal = reserve }, version));

    [Theory]
    [InlineData(170000, SlotSnapshotAction.Export, "CREATE_REPLICATION_SLOT s LOGICAL pgoutput (SNAPSHOT 'export')")]
    [InlineData(150000, SlotSnapshotAction.NoExport, "CREATE_REPLICATION_SLOT s LOGICAL pgoutput (SNAPSHOT 'nothing')")]
    [InlineData(160000, SlotSnapshotAction.Use, "CREATE_REPLICATION_SLOT s LOGICAL pgoutput (SNAPSHOT 'use')")]
    [InlineData(140000, SlotSnapshotAction.Export, "CREATE_REPLICATION_SLOT s LOGICAL pgoutput EXPORT_SNAPSHOT")]
    [InlineData(130000, SlotSnapshotAction.NoExport, "CREATE_REPLICATION_SLOT s LOGICAL pgoutput NOEXPORT_SNAPSHOT")]
    [InlineData(130000, SlotSnapshotAction.Use, "CREATE_REPLICATION_SLOT s LOGICAL pgoutput USE_SNAPSHOT")]
    [InlineData(130000, SlotSnapshotAction.Default, "CREATE_REPLICATION_SLOT s LOGICAL pgoutput")]
    public void LogicalSlotSyntaxFollowsTheServerVersion(int version, SlotSnapshotAction snapshot, string expected) =>
        Assert.Equal(expected, ReplicationCommands.CreateReplicationSlotCommand("s",
            new CreateReplicationSlotOptions { Kind = ReplicationSlotKind.Logical, OutputPlugin = "pgoutput", Snapshot = snapshot }, version));

    [Theory]
    [InlineData("Upper")]
    [InlineData("x; DROP")]
    [InlineData("")]
    public void SlotNamesAreValidated(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => ReplicationCommands.CreateReplicationSlotCommand(name, new(), 150000));
        Assert.StartsWith($"replication slot name \"{name}\" is invalid", e.Message);
    }

    [Fact]
    public void OptionsThatDoNotApplyAreRefused()
    {
        Assert.Throws<ArgumentException>(() => ReplicationCommands.CreateReplicationSlotCommand("s",
            new CreateReplicationSlotOptions { Kind = ReplicationSlotKind.Logical }, 150000));
        Assert.Throws<ArgumentException>(() => ReplicationCommands.CreateReplicationSlotCommand("s",
            new CreateReplicationSlotOptions { Snapshot = SlotSnapshotAction.Export }, 150000));
    }
}
