using System.Text;
using System.Text.Json;
using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;
using Pgark.Repository.Storage;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Tests.Cli;

/// <summary>init, check, stats, snapshots, cat and prune run in-process against a repository in a temporary directory.</summary>
public sealed class RepositoryCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pgark-repocli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string RepoDir => Path.Combine(_root, "repo");

    [Fact]
    public void InitThenCheckIsClean()
    {
        var init = CliRunner.Run(["init", "--repo", RepoDir]);
        Assert.Equal((0, ""), (init.ExitCode, init.Error));
        Assert.Matches(@"^created repository [0-9a-f]{16} at .*repo \(format v1, not encrypted\)\n$", init.Out);

        var check = CliRunner.Run(["check", "--repo", RepoDir]);
        Assert.Equal(0, check.ExitCode);
        Assert.Equal("checked 0 snapshot(s), 0 pack(s), 0 chunk(s) read: 0 error(s), 0 warning(s)\n", check.Out);
    }

    [Fact]
    public void SecondInitOfTheSameDirectoryIsRefused()
    {
        Assert.Equal(0, CliRunner.Run(["init", "--repo", RepoDir]).ExitCode);
        var again = CliRunner.Run(["init", "--repo", RepoDir]);
        Assert.Equal(7, again.ExitCode);
        Assert.Equal("pgark: 'config' already exists in the blob store\n"
            + "hint: files in a repository are immutable; a second 'init' of the same location is refused\n", again.Error);
    }

    [Fact]
    public void EncryptWithoutPassphraseIsAUsageError()
    {
        var result = CliRunner.Run(["init", "--repo", RepoDir, "--encrypt"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("pgark: --encrypt needs a passphrase\nhint: set PGARK_PASSPHRASE or give --passphrase-file FILE\n", result.Error);
        Assert.False(Directory.Exists(RepoDir));
    }

    [Fact]
    public void EncryptedRepositoryOpensWithThePassphraseFileAndRefusesAWrongOne()
    {
        var file = Path.Combine(_root, "passphrase");
        File.WriteAllText(file, "correct horse\n");
        var init = CliRunner.Run(["init", "--repo", RepoDir, "--encrypt", "--passphrase-file", file]);
        Assert.Equal(0, init.ExitCode);
        Assert.EndsWith("(format v1, encrypted)\n", init.Out);

        Assert.Equal(0, CliRunner.Run(["check", "--repo", RepoDir], new() { ["PGARK_PASSPHRASE"] = "correct horse" }).ExitCode);
        var wrong = CliRunner.Run(["check", "--repo", RepoDir], new() { ["PGARK_PASSPHRASE"] = "wrong" });
        Assert.Equal(7, wrong.ExitCode);
        Assert.Contains("hint: check the passphrase (PGARK_PASSPHRASE or --passphrase-file)", wrong.Error);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("stats")]
    [InlineData("snapshots")]
    [InlineData("prune")]
    public void MissingOrForeignDirectoryIsARepositoryError(string command)
    {
        var missing = CliRunner.Run([command, "--repo", Path.Combine(_root, "nope")]);
        Assert.Equal(7, missing.ExitCode);
        Assert.Equal($"pgark: no pgark repository at '{Path.Combine(_root, "nope")}': the directory does not exist\n"
            + "hint: check --repo (or PGARK_REPO); create a repository there with 'pgark init --repo DIR'\n", missing.Error);

        var foreign = CliRunner.Run([command, "--repo", _root]);
        Assert.Equal(7, foreign.ExitCode);
        Assert.Contains("it has no config file, so it is not a pgark repository", foreign.Error);
    }

    [Fact]
    public void BadCompressionIsAUsageError()
    {
        var result = CliRunner.Run(["init", "--repo", RepoDir, "--compression", "gzip:9"]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("pgark: invalid --compression \"gzip:9\"\n", result.Error);
    }

    [Fact]
    public async Task BackupThenCheckStatsAndCatAgree()
    {
        var sizes = await BuildRepositoryAsync();

        var check = CliRunner.Run(["check", "--repo", RepoDir, "--read-data"]);
        Assert.Equal((0, ""), (check.ExitCode, check.Error));
        Assert.Matches(@"^checked 2 snapshot\(s\), 1 pack\(s\), \d+ chunk\(s\) read: 0 error\(s\), 0 warning\(s\)\n$", check.Out);

        var stats = CliRunner.Run(["stats", "--repo", RepoDir, "--json"]);
        Assert.Equal(0, stats.ExitCode);
        using var json = JsonDocument.Parse(stats.Out);
        var root = json.RootElement;
        Assert.Equal(2, root.GetProperty("snapshots").GetInt32());
        Assert.Equal(2 * sizes.Sum(), root.GetProperty("logical_bytes").GetInt64());
        // The second snapshot repeats the first, and file c repeats file a: unique data is a and b once.
        Assert.Equal(sizes[0] + sizes[1], root.GetProperty("unique_bytes").GetInt64());
        Assert.Equal(root.GetProperty("data_chunks").GetInt64() + root.GetProperty("tree_chunks").GetInt64(), root.GetProperty("chunks").GetInt64());
        Assert.Equal((double)root.GetProperty("logical_bytes").GetInt64() / root.GetProperty("unique_bytes").GetInt64(),
            root.GetProperty("dedup_ratio").GetDouble(), 3);
        Assert.True(root.GetProperty("compression_ratio").GetDouble() > 2, "repetitive text must compress");

        var list = CliRunner.Run(["snapshots", "--repo", RepoDir]);
        var lines = list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^[0-9a-f]{8}  2026-11-01 10:00:00   physical  first$", lines[1]);
        Assert.EndsWith("physical  second", lines[2]);

        var cat = CliRunner.Run(["cat", "snapshot", lines[2][..8], "--repo", RepoDir]);
        Assert.Equal(0, cat.ExitCode);
        using var snapshot = JsonDocument.Parse(cat.Out);
        var files = snapshot.RootElement.GetProperty("files").EnumerateArray().Select(f => (f.GetProperty("path").GetString(), f.GetProperty("size").GetInt64()));
        Assert.Equal([("base/1/a", sizes[0]), ("base/1/b", sizes[1]), ("base/1/c", sizes[2])], files);
    }

    [Fact]
    public async Task CatPackListsTheChunksTheIndexNames()
    {
        await BuildRepositoryAsync();
        var pack = Directory.GetFiles(Path.Combine(RepoDir, "packs"), "*", SearchOption.AllDirectories).Single();
        var index = Directory.GetFiles(Path.Combine(RepoDir, "index")).Single();

        var catPack = CliRunner.Run(["cat", "pack", Path.GetFileName(pack)[..10], "--repo", RepoDir]);
        Assert.Equal(0, catPack.ExitCode);
        using var packJson = JsonDocument.Parse(catPack.Out);
        var catIndex = CliRunner.Run(["cat", "index", Path.GetFileName(index), "--repo", RepoDir]);
        Assert.Equal(0, catIndex.ExitCode);
        using var indexJson = JsonDocument.Parse(catIndex.Out);

        Assert.Equal(Path.GetFileName(pack), packJson.RootElement.GetProperty("pack").GetString());
        Assert.Equal([Path.GetFileName(pack)], indexJson.RootElement.GetProperty("packs").EnumerateArray().Select(p => p.GetString()));
        static string[] Ids(JsonElement array) => array.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).Order().ToArray();
        Assert.Equal(Ids(packJson.RootElement.GetProperty("chunks")), Ids(indexJson.RootElement.GetProperty("entries")));
    }

    [Fact]
    public async Task FlippedByteInAPackFailsReadDataNamingThePack()
    {
        await BuildRepositoryAsync();
        var pack = Directory.GetFiles(Path.Combine(RepoDir, "packs"), "*", SearchOption.AllDirectories).Single();
        var bytes = File.ReadAllBytes(pack);
        bytes[10] ^= 0x40; // inside the first chunk: the header sits at the end of the pack
        File.WriteAllBytes(pack, bytes);

        var check = CliRunner.Run(["check", "--repo", RepoDir, "--read-data"]);
        Assert.Equal(1, check.ExitCode);
        var packName = "packs/" + Path.GetFileName(Path.GetDirectoryName(pack)) + "/" + Path.GetFileName(pack);
        var error = Assert.Single(check.Out.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        // --read-data hashes the whole pack first, so a flipped byte is named as storage damage of that pack.
        Assert.Matches($"^error: {packName}: pack content hashes to [0-9a-f]{{12}}, not to its name \\[StorageDamage\\]$", error);
        Assert.EndsWith(": 1 error(s), 0 warning(s)\n", check.Out);
    }

    [Fact]
    public async Task PruneAfterForgetRemovesTheUnreachablePack()
    {
        await BuildRepositoryAsync();
        var store = new LocalStore(RepoDir);
        var repository = await Repo.OpenAsync(store);
        foreach (var s in await repository.ListSnapshotsAsync())
            await repository.ForgetAsync(s.Id);

        var prune = CliRunner.Run(["prune", "--repo", RepoDir]);
        Assert.Equal((0, ""), (prune.ExitCode, prune.Error));
        Assert.Contains("packs deleted:      1 (0 repacked into 0)", prune.Out);
        Assert.Empty(Directory.GetFiles(Path.Combine(RepoDir, "packs"), "*", SearchOption.AllDirectories));
        Assert.Equal(0, CliRunner.Run(["check", "--repo", RepoDir]).ExitCode);
    }

    [Fact]
    public async Task PinUnpinAndForgetWithoutPruneDoNotReadTheChunkIndex()
    {
        // They touch snapshot records, pins and WAL objects only, so a damaged index delta (which stops what reads chunks)
        // does not stop them; forget --prune reads the index and refuses.
        await BuildRepositoryAsync();
        var first = (await (await Repo.OpenAsync(new LocalStore(RepoDir))).ListSnapshotsAsync())[0].Id.ToString()[..8];
        await File.WriteAllBytesAsync(Path.Combine(RepoDir, "index", new string('b', 64)), [1, 2, 3]);

        Assert.Equal(7, CliRunner.Run(["stats", "--repo", RepoDir]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["pin", "--repo", RepoDir, first]).ExitCode);
        Assert.Equal(0, CliRunner.Run(["unpin", "--repo", RepoDir, first]).ExitCode);
        var pruning = CliRunner.Run(["forget", "--repo", RepoDir, "--keep-last", "1", "--prune"]);
        Assert.Equal(7, pruning.ExitCode);
        Assert.StartsWith("pgark: repository corruption in index/", pruning.Error);
        var forget = CliRunner.Run(["forget", "--repo", RepoDir, "--keep-last", "1"]);
        Assert.Equal((0, ""), (forget.ExitCode, forget.Error));
        Assert.Single(Directory.GetFiles(Path.Combine(RepoDir, "snapshots")));
    }

    /// <summary>Two snapshots of three files (c repeats a; the second snapshot repeats the first). Returns the file sizes.</summary>
    private async Task<long[]> BuildRepositoryAsync()
    {
        Assert.Equal(0, CliRunner.Run(["init", "--repo", RepoDir]).ExitCode);
        var repository = await Repo.OpenAsync(new LocalStore(RepoDir));
        byte[] a = Text("alpha", 300_000), b = Text("bravo", 200_000);
        (string Path, byte[] Content)[] files = [("base/1/a", a), ("base/1/b", b), ("base/1/c", a)];
        foreach (var (label, day) in new[] { ("first", 1), ("second", 2) })
        {
            await using var session = await repository.BeginBackupAsync();
            foreach (var (path, content) in files)
            {
                var chunks = new List<ChunkRef>();
                for (var at = 0; at < content.Length; at += 64 * 1024)
                    chunks.Add(await session.AddChunkAsync(content.AsMemory(at, Math.Min(64 * 1024, content.Length - at))));
                await session.AddFileAsync(FileEntry.Regular(path, content.Length, DateTimeOffset.UnixEpoch), chunks);
            }
            var start = new DateTimeOffset(2026, 11, day, 10, 0, 0, TimeSpan.Zero);
            await session.CommitAsync(new SnapshotMetadata(SnapshotKind.Physical, 7301234567890123456UL, 150008, 1, 0x3000028, 0x3000138,
                start, start.AddMinutes(1), label, "db1"));
        }
        return [a.Length, b.Length, a.Length];
    }

    /// <summary>Compressible, non-repeating-within-64-KiB text: numbered lines.</summary>
    private static byte[] Text(string word, int size)
    {
        var builder = new StringBuilder(size + 64);
        for (var line = 0; builder.Length < size; line++)
            builder.Append(word).Append(' ').Append(line).Append(" of a table row with some padding\n");
        return Encoding.ASCII.GetBytes(builder.ToString(0, size));
    }
}
