namespace Pgark.Physical.Tar;

/// <summary>The member kinds PostgreSQL puts into a base backup archive.</summary>
internal enum TarEntryType
{
    Regular,
    Directory,
    Symlink,
}

/// <summary>One member of a tar archive, with pax and GNU long-name overrides already applied.</summary>
/// <param name="Name">Path inside the archive, without a trailing '/'.</param>
/// <param name="Mode">Permission bits (the low 12 bits of st_mode).</param>
internal sealed record TarEntry(string Name, TarEntryType Type, long Size, uint Mode, DateTimeOffset ModifiedTime, string LinkName);

/// <summary>Malformed tar input: names the archive offset and what is wrong.</summary>
public sealed class TarFormatException(string message) : FormatException(message);
