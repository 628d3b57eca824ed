using System.Buffers.Binary;
using Pgark.Recovery;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Tests.Cli;
using Pgark.Wal;
using Pgark.Wire.Replication;

namespace Pgark.Tests.Wal;

/// <summary>
/// Several clusters' WAL in one repository (repository-format.md §8.2): --system-id parsing, choosing the cluster, wal push
/// filing each segment under its own cluster, wal get choosing (or refusing to guess), and restore_command naming the cluster.
/// </summary>
public sealed class WalClustersTests : IDisposable
{
    private const int SegmentSize = 1 << 20;
    private const ulong First = 7_312_345_678_901_234_567;
    private const ulong Second = 7_399_000_000_000_000_001;
    private const string Name = "000000010000000000000003";
    private readonly string _root = Directory.CreateTempSubdirectory("pgark-walclusters-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string RepoDir => Path.Combine(_root, "repo");

    /// <summary>Segment 3 of timeline 1 as <paramref name="systemId"/>'s server writes it: long header, then its own bytes.</summary>
    private static byte[] Segment(ulong systemId)
    {
        var bytes = new byte[SegmentSize];
        new Random((int)(systemId % 1000)).NextBytes(bytes.AsSpan(64));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 0xD110);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(WalPageHeader.InfoOffset), WalPageHeader.LongHeaderFlag);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(WalPageHeader.TimelineOffset), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(WalPageHeader.PageAddressOffset), 3UL * SegmentSize);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(WalPageHeader.SystemIdOffset), systemId);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(WalPageHeader.SegmentSizeOffset), SegmentSize);
        return bytes;
    }

    /// <summary>Writes a data directory's pg_wal/NAME and global/pg_control (whose first u64 is the system identifier).</summary>
    private string DataDirectoryFile(ulong systemId, string name, byte[] content)
    {
        string data = Path.Combine(_root, $"data-{systemId}");
        Directory.CreateDirectory(Path.Combine(data, "pg_wal"));
        Directory.CreateDirectory(Path.Combine(data, "global"));
        byte[] control = new byte[8192];
        BinaryPrimitives.WriteUInt64LittleEndian(control, systemId);
        File.WriteAllBytes(Path.Combine(data, "global", "pg_control"), control);
        string path = Path.Combine(data, "pg_wal", name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private async Task<Pgark.Repository.Repository> InitAsync()
        => await Pgark.Repository.Repository.InitAsync(new LocalStore(RepoDir), new RepositoryInitOptions());

    [Theory]
    [InlineData("7312345678901234567", 7_312_345_678_901_234_567UL)]
    [InlineData("657AABA709C54B87", 7_312_345_678_901_234_567UL)]
    [InlineData("657aaba709c54b87", 7_312_345_678_901_234_567UL)]
    [InlineData("0x657AABA709C54B87", 7_312_345_678_901_234_567UL)]
    [InlineData("42", 42UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void System_identifiers_parse_as_postgresql_prints_them_or_as_wal_directories_name_them(string text, ulong expected)
    {
        Assert.True(WalClusters.TryParse(text, out ulong parsed));
        Assert.Equal(expected, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("18446744073709551616")]
    [InlineData("0x")]
    [InlineData("657AABA709C54B8Z")]
    [InlineData(" 42")]
    [InlineData("1e5")]
    public void Other_text_is_not_a_system_identifier(string text) => Assert.False(WalClusters.TryParse(text, out _));

    [Fact]
    public async Task Push_files_each_clusters_segment_under_its_own_directory_and_get_serves_each_by_system_id()
    {
        var repository = await InitAsync();
        byte[] first = Segment(First), second = Segment(Second);
        Assert.Equal(WalPushOutcome.Stored, await WalPush.PushAsync(repository, DataDirectoryFile(First, Name, first)));
        Assert.Equal(WalPushOutcome.Stored, await WalPush.PushAsync(repository, DataDirectoryFile(Second, Name, second)));
        Assert.Equal(WalPushOutcome.AlreadyArchived, await WalPush.PushAsync(repository, DataDirectoryFile(First, Name, first)));
        // History files name no cluster: the pg_control beside pg_wal decides.
        byte[] history = "1\t0/3000000\tno recovery target specified\n"u8.ToArray();
        Assert.Equal(WalPushOutcome.Stored, await WalPush.PushAsync(repository, DataDirectoryFile(Second, "00000002.history", history)));
        Assert.Equal([First, Second], await repository.Wal.ListClustersAsync());
        Assert.DoesNotContain(await new WalStore(repository, First).ListAsync(), o => o.Kind == Pgark.Repository.Format.WalKind.History);

        var e = await Assert.ThrowsAsync<WalPushException>(() => WalPush.PushAsync(repository, DataDirectoryFile(First, Name, first), Second));
        Assert.Equal($"\"{Name}\" is WAL of system {First}, not of --system-id {Second}", e.Message);

        string destination = Path.Combine(_root, "RECOVERYXLOG");
        foreach ((ulong system, byte[] expected, string asGiven) in new[] { (First, first, "7312345678901234567"), (Second, second, "66AE874C651D8001") })
        {
            CliRunner.Result got = CliRunner.Run(["wal", "get", "--repo", RepoDir, "--system-id", asGiven, Name, destination]);
            Assert.Equal((0, ""), (got.ExitCode, got.Error));
            Assert.Equal(expected, await File.ReadAllBytesAsync(destination));
            Assert.Equal(system, Pgark.Wal.WalPageHeader.TryReadSystemIdentifier(await File.ReadAllBytesAsync(destination)));
        }
        CliRunner.Result historyOfFirst = CliRunner.Run(["wal", "get", "--repo", RepoDir, "--system-id", First.ToString(), "00000002.history", destination]);
        Assert.Equal(1, historyOfFirst.ExitCode);
    }

    [Fact]
    public async Task Get_without_system_id_reads_the_only_cluster_and_refuses_to_guess_among_several_with_restore_commands_fatal_status()
    {
        var repository = await InitAsync();
        string destination = Path.Combine(_root, "RECOVERYXLOG");
        Assert.Equal(1, CliRunner.Run(["wal", "get", "--repo", RepoDir, Name, destination]).ExitCode);
        await WalPush.PushAsync(repository, DataDirectoryFile(First, Name, Segment(First)));
        Assert.Equal(0, CliRunner.Run(["wal", "get", "--repo", RepoDir, Name, destination]).ExitCode);
        await WalPush.PushAsync(repository, DataDirectoryFile(Second, Name, Segment(Second)));
        File.Delete(destination);

        CliRunner.Result result = CliRunner.Run(["wal", "get", "--repo", RepoDir, Name, destination]);
        Assert.Equal(126, result.ExitCode);
        Assert.StartsWith($"pgark: the repository holds WAL of 2 clusters: {First} (657AABA709C54B87), {Second} (66AE874C651D8001)\n"
            + "hint: pass --system-id with the cluster's system identifier", result.Error);
        Assert.False(File.Exists(destination));
        // A cluster with no WAL here: not in the archive, as for any missing file.
        Assert.Equal(1, CliRunner.Run(["wal", "get", "--repo", RepoDir, "--system-id", "42", Name, destination]).ExitCode);
        Assert.Equal(126, CliRunner.Run(["wal", "get", "--repo", RepoDir, "--system-id", "nope", Name, destination]).ExitCode);
    }

    [Fact]
    public async Task A_history_file_pushed_from_outside_a_data_directory_goes_to_the_only_cluster_or_needs_system_id()
    {
        var repository = await InitAsync();
        string loose = Path.Combine(_root, "00000002.history");
        await File.WriteAllBytesAsync(loose, "1\t0/3000000\tno recovery target specified\n"u8.ToArray());
        var none = await Assert.ThrowsAsync<WalPushException>(() => WalPush.PushAsync(repository, loose));
        Assert.StartsWith("\"00000002.history\" is a timeline history file, which names no cluster, and the repository holds no WAL yet", none.Message);

        await WalPush.PushAsync(repository, DataDirectoryFile(First, Name, Segment(First)));
        Assert.Equal(WalPushOutcome.Stored, await WalPush.PushAsync(repository, loose));
        Assert.Single(await new WalStore(repository, First).ListAsync(new TimelineId(2)));

        await WalPush.PushAsync(repository, DataDirectoryFile(Second, Name, Segment(Second)));
        await Assert.ThrowsAsync<WalClusterChoiceException>(() => WalPush.PushAsync(repository, loose));
        Assert.Equal(WalPushOutcome.Stored, await WalPush.PushAsync(repository, loose, Second));
    }

    [Fact]
    public void Restore_command_names_the_cluster_before_the_placeholders()
    {
        string plain = RestoreCommandLine.For(["/usr/bin/pgark"], "/backups/r");
        Assert.Equal("'/usr/bin/pgark' wal get --repo '/backups/r' %f %p", plain);
        Assert.Equal("'/usr/bin/pgark' wal get --repo '/backups/r' --system-id 7312345678901234567 %f %p", RestoreCommandLine.ForCluster(plain, First));
        Assert.Equal(RestoreCommandLine.For(["/usr/bin/pgark"], "/backups/r", systemIdentifier: First), RestoreCommandLine.ForCluster(plain, First));
        // A command that already names a cluster, or one the user wrote, is left alone.
        string named = RestoreCommandLine.ForCluster(plain, First);
        Assert.Equal(named, RestoreCommandLine.ForCluster(named, Second));
        Assert.Equal("cp /archive/%f %p", RestoreCommandLine.ForCluster("cp /archive/%f %p", First));
    }
}
