namespace Pgark.Repository.Storage;

/// <summary>Rules for blob names, shared by every store so a repository copies between backends unchanged.</summary>
public static class BlobName
{
    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="name"/> is a valid blob name.</summary>
    public static void Validate(string name)
    {
        if (!IsValid(name))
            throw new ArgumentException($"invalid blob name '{name}': use '/'-separated segments of [A-Za-z0-9._-] not starting with '.'",
                nameof(name));
    }

    public static bool IsValid(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 512)
            return false;
        foreach (var segment in name.Split('/'))
        {
            // Segments starting with '.' are reserved for a store's temporary files, which is also what keeps ".." out.
            if (segment.Length == 0 || segment[0] == '.')
                return false;
            foreach (var c in segment)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
                    return false;
            }
        }
        return true;
    }

    /// <summary>A list prefix may end in a partial segment ("wal/00000001") or a '/' ("packs/").</summary>
    public static void ValidatePrefix(string prefix)
    {
        if (prefix.Length == 0)
            return;
        var trimmed = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        if (!IsValid(trimmed))
            throw new ArgumentException($"invalid blob name prefix '{prefix}'", nameof(prefix));
    }
}
