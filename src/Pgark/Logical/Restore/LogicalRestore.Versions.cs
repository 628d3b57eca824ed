namespace Pgark.Logical.Restore;

// Restores across majors: onto an older one refused up front, a failure on a newer one explained.
public static partial class LogicalRestore
{
    /// <summary>
    /// A logical backup restores onto the same or a newer major: an older server may lack what the definitions use (and
    /// pg_dump promises nothing there either). Checked before anything is created.
    /// </summary>
    private static void CheckTargetVersion(int targetVersion, LogicalManifest manifest, string snapshotId)
    {
        if (Major(targetVersion) < Major(manifest.ServerVersionNumber))
        {
            throw new LogicalException($"backup {snapshotId} was taken on PostgreSQL {manifest.ServerVersion} and the target server runs " +
                $"PostgreSQL {VersionText(targetVersion)}: a logical backup restores onto the same or a newer major version only; " +
                $"hint: restore onto a PostgreSQL {Major(manifest.ServerVersionNumber)} or newer server");
        }
    }

    /// <summary>A hint for a statement that failed on another major than the backup's: the target may have dropped or changed a feature.</summary>
    private static string VersionHint(int sourceVersion, int targetVersion) =>
        sourceVersion == 0 || Major(sourceVersion) == Major(targetVersion) ? "" :
            $"; hint: the backup was taken on PostgreSQL {VersionText(sourceVersion)} and the target runs {VersionText(targetVersion)}; " +
            $"if PostgreSQL {Major(targetVersion)} no longer accepts this definition, change the object on the source (or after a restore " +
            $"onto PostgreSQL {Major(sourceVersion)}) and take a new backup";

    private static int Major(int versionNumber) => versionNumber / 10000;

    private static string VersionText(int versionNumber) => $"{versionNumber / 10000}.{versionNumber % 10000}";
}
