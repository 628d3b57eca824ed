namespace Pgark.Repository;

/// <summary>
/// Base of every error the repository layer raises on purpose. The CLI maps each subclass to one exit code;
/// CLR exceptions (ArgumentException, InvalidOperationException) mean the caller misused the API.
/// </summary>
public abstract class RepositoryException : Exception
{
    protected RepositoryException(string message, Exception? inner = null) : base(message, inner) { }

    /// <summary>What the user should do about it, ending the CLI message as "hint: ...".</summary>
    public virtual string Hint => "run 'pgark check' to see the state of the repository";
}

/// <summary>What a corruption most likely came from (spec §12). Persisted in check reports: values are frozen.</summary>
public enum CorruptionCause : byte
{
    /// <summary>The file no longer hashes to its name: its bytes changed at rest (disk, bit flip, truncation, torn write).</summary>
    StorageDamage = 1,
    /// <summary>The file is intact but inconsistent, or verification before publishing failed: pgark wrote it wrong.</summary>
    WriterBug = 2,
    /// <summary>Could not be classified.</summary>
    Unknown = 3,
}

/// <summary>Stored data failed verification: a hash, checksum, authentication tag or structural rule.</summary>
public sealed class RepositoryCorruptionException : RepositoryException
{
    public RepositoryCorruptionException(CorruptionCause cause, string fileName, string? objectId, string problem, Exception? inner = null)
        : base(Format(cause, fileName, objectId, problem), inner)
    {
        Cause = cause;
        FileName = fileName;
        ObjectId = objectId;
        Problem = problem;
    }

    public CorruptionCause Cause { get; }
    /// <summary>The blob-store name of the damaged file.</summary>
    public string FileName { get; }
    /// <summary>The chunk/snapshot/index id concerned, when narrower than the file.</summary>
    public string? ObjectId { get; }
    public string Problem { get; }

    public override string Hint => Cause switch
    {
        CorruptionCause.StorageDamage => "the stored bytes changed after they were written (hardware, bit flip or truncation); " +
                                         "restore the file from a copy of the repository or run 'pgark prune' to drop what it held",
        CorruptionCause.WriterBug => "the file is intact but its contents are inconsistent, which points to a bug in the writer; " +
                                     "please report it with the output of 'pgark check --read-data'",
        _ => "run 'pgark check --read-data' to classify the damage",
    };

    private static string Format(CorruptionCause cause, string fileName, string? objectId, string problem)
    {
        var what = objectId is null ? fileName : $"{fileName} (object {objectId})";
        var kind = cause switch
        {
            CorruptionCause.StorageDamage => "storage damage",
            CorruptionCause.WriterBug => "writer bug",
            _ => "cause unknown",
        };
        return $"repository corruption in {what}: {problem} [{kind}]";
    }
}

/// <summary>A file or object the repository needs is not there.</summary>
public sealed class RepositoryObjectMissingException : RepositoryException
{
    public RepositoryObjectMissingException(string fileName, string? objectId = null, string? detail = null)
        : base($"missing {(objectId is null ? fileName : $"object {objectId} (expected in {fileName})")}" +
               (detail is null ? "" : $": {detail}"))
    {
        FileName = fileName;
        ObjectId = objectId;
    }

    public string FileName { get; }
    public string? ObjectId { get; }
}

/// <summary>An immutable name was put twice.</summary>
public sealed class BlobAlreadyExistsException : RepositoryException
{
    public BlobAlreadyExistsException(string name) : base($"'{name}' already exists in the blob store") => Name = name;
    public string Name { get; }
    public override string Hint => "files in a repository are immutable; a second 'init' of the same location is refused";
}

/// <summary>The storage backend failed (I/O error, injected fault). May be transient.</summary>
public sealed class RepositoryStorageException : RepositoryException
{
    private readonly string? _hint;

    public RepositoryStorageException(string message, Exception? inner = null, string? hint = null) : base(message, inner) => _hint = hint;
    public override string Hint => _hint ?? "check the storage location (space, permissions, connectivity) and retry";
}

/// <summary>A live process holds a conflicting lock.</summary>
public sealed class RepositoryLockConflictException : RepositoryException
{
    public RepositoryLockConflictException(string message) : base(message) { }
    public override string Hint => "wait for the other process to finish; a lock is only considered stale when its process is gone " +
                                   "(same host) or its heartbeat is older than the stale limit (other hosts)";
}

/// <summary>No key file could be opened with the given passphrase.</summary>
public sealed class WrongPassphraseException : RepositoryException
{
    public WrongPassphraseException(int keyFiles)
        : base($"wrong passphrase: none of the {keyFiles} key file(s) of the repository accepts it") { }
    public override string Hint => "check the passphrase (PGARK_PASSPHRASE or --passphrase-file); nothing was written";
}

/// <summary>The repository (or one of its files) uses a format version this build does not read.</summary>
public sealed class RepositoryFormatVersionException : RepositoryException
{
    public RepositoryFormatVersionException(string fileName, int found, int supported)
        : base($"{fileName} has format version {found}, this pgark reads version {supported}")
    {
        Found = found;
        Supported = supported;
    }

    public int Found { get; }
    public int Supported { get; }
    public override string Hint => "use a pgark release that supports this repository format";
}

/// <summary>A complete WAL segment with different content is already archived under the same WAL file name.</summary>
public sealed class WalSegmentConflictException : RepositoryException
{
    public WalSegmentConflictException(string existing)
        : base($"a different complete WAL segment is already archived as {existing}") => Existing = existing;

    public string Existing { get; }
    public override string Hint => "two servers may be archiving into one repository, or a timeline was reused; check the archive configuration";
}
