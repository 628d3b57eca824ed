// The README's "Embedding the engine" example, verbatim between the markers (EmbeddingExampleTests checks both the
// copy in README.md and that it runs). It uses only the public API listed in api/*.txt.
using Pgark.Physical;
using Pgark.Repository;
using Pgark.Repository.Storage;
using Pgark.Wire.Connection;

namespace Pgark.Tests.Api;

public static class EmbeddingExample
{
    // README begin
    public static async Task<PhysicalBackupResult> BackupAsync(string repositoryDirectory, string conninfo,
        IProgress<PhysicalBackupProgress> progress, CancellationToken cancellationToken)
    {
        // A repository is a directory: created once (InitAsync), opened after that.
        var store = new LocalStore(repositoryDirectory);
        Pgark.Repository.Repository repository = File.Exists(Path.Combine(repositoryDirectory, "config"))
            ? await Pgark.Repository.Repository.OpenAsync(store, cancellationToken: cancellationToken)
            : await Pgark.Repository.Repository.InitAsync(store, new RepositoryInitOptions(), cancellationToken: cancellationToken);

        // The server, as a libpq connection string (PG* variables may fill in the rest, as for psql).
        var environment = ConnectionSettings.EnvironmentVariables.ToDictionary(name => name, Environment.GetEnvironmentVariable);
        ConnectionSettings server = ConnectionSettings.Parse(conninfo, environment);

        // BASE_BACKUP plus the WAL that makes it consistent, deduplicated into the repository; the snapshot is
        // published last, so a cancelled or failed backup leaves no snapshot behind.
        var backup = new PhysicalBackup(repository, server, new PhysicalBackupOptions { Label = "nightly", Progress = progress });
        return await backup.RunAsync(cancellationToken);
    }
    // README end
}
