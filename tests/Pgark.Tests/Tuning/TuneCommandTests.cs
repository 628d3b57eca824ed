using System.Text.Json;
using Pgark.Repository;
using Pgark.Repository.Codecs;
using Pgark.Repository.Config;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Pgark.Tests.Cli;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Tests.Tuning;

/// <summary>pgark tune against a physical snapshot in a repository (no server), and init's settings options.</summary>
public sealed class TuneCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pgark-tunecli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string RepoDir => Path.Combine(_root, "repo");

    [Fact]
    public async Task Tune_on_a_backup_recommends_and_apply_makes_later_backups_use_it()
    {
        var snapshotId = await WriteSnapshotAsync();
        var report = Path.Combine(_root, "tune.html");

        var run = CliRunner.Run(["tune", "--repo", RepoDir, "--backup", snapshotId[..8], "--sample", "3MB", "--time", "2min", "--goal", "smallest",
            "--json", "--apply", "--report", report]);
        Assert.True(run.ExitCode == 0, run.Error);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal("snapshot " + snapshotId[..8], root.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("earlier_backup").ValueKind);
        Assert.True(root.GetProperty("sampled_bytes").GetInt64() is > 0 and <= 3 << 20);
        Assert.Equal(8 * 3 + 2, root.GetProperty("candidates").GetArrayLength());
        var recommended = root.GetProperty("recommendation").GetProperty("settings");
        var level = recommended.GetProperty("compression_level").GetInt32();
        var extent = recommended.GetProperty("extent_size").GetInt32();
        Assert.Equal(256 << 10, extent); // no earlier backup: the extent size is kept
        Assert.True(level > 3, $"smallest on text-like data picked level {level}");
        // stderr is not a terminal here (and --json is given): no progress bar, only the note of what was applied.
        Assert.Matches("^applied:      settings 2 of repository [0-9a-f]{16}\n$", run.Error);
        Assert.Contains("<svg", File.ReadAllText(report));

        // The repository now records the choice, and a new backup session compresses at that level.
        var repository = await Repo.OpenAsync(new LocalStore(RepoDir));
        Assert.Equal(level, repository.Settings.CompressionLevel);
        Assert.Equal(2UL, repository.StoredSettings!.Sequence);
        Assert.StartsWith("pgark tune --goal smallest on snapshot", repository.StoredSettings.Note);
        var plain = TuneData.Compressible(200_000, seed: 77);
        await using (var session = await repository.BeginBackupAsync())
        {
            await session.AddChunkAsync(plain);
            Assert.Equal(1, session.StoredChunks);
            var expected = new byte[Zstd.CompressBound(plain.Length)];
            Assert.Equal(Zstd.Compress(plain, expected, level), session.StoredBytes);
            Assert.NotEqual(Zstd.Compress(plain, expected, 3), session.StoredBytes);
        }
    }

    [Fact]
    public void Tune_refuses_apply_or_backup_without_a_repository_and_bad_values()
    {
        var apply = CliRunner.Run(["tune", "--apply", "--db", "host=/nonexistent"]);
        Assert.Equal((2, "pgark: --apply needs a repository to write the settings into\nhint: add --repo DIR\n"), (apply.ExitCode, apply.Error));
        var backup = CliRunner.Run(["tune", "--backup", "abcd"]);
        Assert.Equal(2, backup.ExitCode);
        Assert.Contains("add --repo DIR", backup.Error);
        var size = CliRunner.Run(["tune", "--sample", "12XB"]);
        Assert.Equal("pgark: invalid size \"12XB\" for --sample\nhint: give a number and a unit (B, kB, MB, GB, TB), e.g. --sample 256MB\n", size.Error);
        var goal = CliRunner.Run(["tune", "--goal", "cheapest"]);
        Assert.Contains("--goal 'cheapest' is not fastest, smallest or balanced", goal.Error);
        var time = CliRunner.Run(["tune", "--time", "5 minutes"]);
        Assert.Contains("invalid duration \"5 minutes\" for --time", time.Error);
    }

    [Fact]
    public async Task Tune_refuses_a_logical_backup_with_a_hint()
    {
        Assert.Equal(0, CliRunner.Run(["init", "--repo", RepoDir]).ExitCode);
        var repository = await Repo.OpenAsync(new LocalStore(RepoDir));
        var time = new DateTimeOffset(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);
        SnapshotInfo snapshot;
        await using (var session = await repository.BeginBackupAsync())
        {
            await session.AddFileAsync(FileEntry.Regular("t.copy", 4, time), [await session.AddChunkAsync("1\tx\n"u8.ToArray())]);
            snapshot = await session.CommitAsync(new SnapshotMetadata(SnapshotKind.Logical, 0, 150004, 1, 0, 0, time, time, "logical shop", "testhost"));
        }
        var run = CliRunner.Run(["tune", "--repo", RepoDir, "--backup", snapshot.ShortId]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"pgark: snapshot {snapshot.ShortId} is a logical backup\nhint: tune measures physical data", run.Error);
    }

    [Fact]
    public async Task Init_records_the_settings_it_is_given()
    {
        var init = CliRunner.Run(["init", "--repo", RepoDir, "--compression", "zstd:-3", "--pack-size", "8", "--extent-size", "64", "--chunk-size", "64"]);
        Assert.Equal(0, init.ExitCode);
        var repository = await Repo.OpenAsync(new LocalStore(RepoDir));
        Assert.Equal(new StorageSettings(-3, 8 << 20, 64 << 10, new Pgark.Repository.Chunking.FastCdcOptions(16 << 10, 64 << 10, 256 << 10)),
            repository.Settings);
        Assert.Equal("init", repository.StoredSettings!.Note);

        var bad = CliRunner.Run(["init", "--repo", Path.Combine(_root, "other"), "--extent-size", "96"]);
        Assert.Equal("pgark: invalid --extent-size 96\nhint: use a power of two from 8 to 4096 (KiB), e.g. 256\n", bad.Error);
    }

    /// <summary>A physical snapshot with two relation files and a config file, written through the session API.</summary>
    private async Task<string> WriteSnapshotAsync()
    {
        Assert.Equal(0, CliRunner.Run(["init", "--repo", RepoDir]).ExitCode);
        var repository = await Repo.OpenAsync(new LocalStore(RepoDir));
        var time = new DateTimeOffset(2026, 11, 21, 3, 0, 0, TimeSpan.Zero);
        await using var session = await repository.BeginBackupAsync();
        await session.AddFileAsync(FileEntry.Directory("base", time), []);
        foreach (var (path, seed) in new[] { ("base/16384", 1), ("base/16385", 2) })
        {
            var data = TuneData.Compressible(3 << 20, seed);
            var file = FileEntry.Paged(path, data.Length, time);
            var extents = new List<ExtentRef>();
            for (var e = 0; e < file.ExtentCount; e++)
                extents.Add(await session.AddExtentAsync(data.AsMemory(e * file.ExtentSize, file.ExtentSize), file.PageSize, file.PagesPerExtent, null));
            await session.AddPagedFileAsync(file, extents);
        }
        var conf = TuneData.Compressible(30_000, seed: 3);
        await session.AddFileAsync(FileEntry.Regular("postgresql.conf", conf.Length, time), [await session.AddChunkAsync(conf)]);
        var snapshot = await session.CommitAsync(new SnapshotMetadata(SnapshotKind.Physical, 7_301_234_567_890_123_456UL, 150004, 1, 0x3000028,
            0x3000100, time, time.AddMinutes(1), "tune test", "testhost"));
        return snapshot.Id.ToString();
    }
}
