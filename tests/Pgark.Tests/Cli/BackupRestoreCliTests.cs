using System.Text.Json;

namespace Pgark.Tests.Cli;

/// <summary>pgark init, backup and restore end to end against a real PostgreSQL, with exit codes.</summary>
[Trait("Category", "Integration")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class BackupRestoreCliTests(ScratchServer server) : IClassFixture<ScratchServer>, IDisposable
{
    private readonly string _repository = Path.Combine("/tmp", "pgark-cli-repo-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _target = Path.Combine("/tmp", "pgark-cli-restore-" + Guid.NewGuid().ToString("N")[..8]);

    private string Db => $"host={server.SocketDirectory} port={server.Port} user=postgres";

    [Fact]
    public void InitBackupRestoreAndRefuseANonEmptyTarget()
    {
        CliRunner.Result init = CliRunner.Run(["init", "--repo", _repository]);
        Assert.Equal((0, ""), (init.ExitCode, init.Error));
        Assert.Equal(7, CliRunner.Run(["init", "--repo", _repository]).ExitCode); // a repository is there already

        CliRunner.Result backup = CliRunner.Run(["backup", "--repo", _repository, "--db", Db, "--label", "cli test", "--json"]);
        Assert.Equal((0, ""), (backup.ExitCode, backup.Error));
        using JsonDocument json = JsonDocument.Parse(backup.Out);
        Assert.Equal(server.SystemIdentifier, json.RootElement.GetProperty("system_identifier").GetString());
        Assert.Equal("cli test", json.RootElement.GetProperty("label").GetString());
        Assert.True(json.RootElement.GetProperty("stored_bytes").GetInt64() > 0);

        CliRunner.Result restore = CliRunner.Run(["restore", "--repo", _repository, "--backup", "latest", "--target", _target]);
        Assert.Equal((0, ""), (restore.ExitCode, restore.Error));
        Assert.StartsWith($"restored {json.RootElement.GetProperty("snapshot").GetString()![..8]} into {_target}: ", restore.Out);
        Assert.True(File.Exists(Path.Combine(_target, "global", "pg_control")));

        CliRunner.Result again = CliRunner.Run(["restore", "--repo", _repository, "--target", _target]);
        Assert.Equal(2, again.ExitCode);
        Assert.Equal($"pgark: the target directory {_target} is not empty\nhint: restore into a new or empty directory, or pass --force to delete what it holds\n",
            again.Error);
        Assert.Equal(0, CliRunner.Run(["restore", "--repo", _repository, "--target", _target, "--force"]).ExitCode);
    }

    [Fact]
    public void BackupWithABadCheckpointIsAUsageError()
    {
        CliRunner.Result result = CliRunner.Run(["backup", "--repo", _repository, "--db", Db, "--checkpoint", "slow"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--checkpoint 'slow' is not fast or spread", result.Error);
    }

    public void Dispose()
    {
        foreach (string directory in new[] { _repository, _target })
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
    }
}
