namespace Pgark.Wire.Connection;

/// <summary>
/// What the last tier of libpq's precedence (after explicit values and PG* variables) comes from: the operating
/// system. A separate record so tests can pin it and stay hermetic.
/// </summary>
internal sealed record ConnectionDefaults(string OsUserName, string? HomeDirectory, string SocketDirectory)
{
    /// <summary>
    /// libpq compiles its socket directory in (DEFAULT_PGSOCKET_DIR): "/tmp" upstream, "/var/run/postgresql" on
    /// Debian/Ubuntu and Red Hat builds. pgark is one binary for all of them, so it takes the first that exists.
    /// </summary>
    internal static readonly string[] SocketDirectoryCandidates = ["/var/run/postgresql", "/tmp"];

    /// <summary>The running process's user, home (HOME first, as libpq's pqGetHomeDirectory) and socket directory.</summary>
    public static ConnectionDefaults FromSystem(Func<string, string?> environment)
    {
        string? home = environment("HOME");
        if (string.IsNullOrEmpty(home))
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string socketDirectory = SocketDirectoryCandidates.FirstOrDefault(Directory.Exists) ?? SocketDirectoryCandidates[0];
        return new ConnectionDefaults(Environment.UserName, string.IsNullOrEmpty(home) ? null : home, socketDirectory);
    }
}
