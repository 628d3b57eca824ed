namespace Pgark.Wal;

/// <summary>The archive already holds different bytes under the same WAL file name (two histories diverged, or a wrong push).</summary>
public sealed class WalConflictException : Exception
{
    public WalConflictException(string walFileName, string existingObject)
        : base($"the archive already holds a different {walFileName} ({existingObject})")
    {
        WalFileName = walFileName;
        ExistingObject = existingObject;
    }

    public string WalFileName { get; }

    public string ExistingObject { get; }

    public string Hint => "two servers with different histories are archiving into one repository, or the file pushed is not the one "
        + "PostgreSQL archived; check which server owns this repository and never overwrite archived WAL";
}
