namespace Pgark.Cluster;

/// <summary>Unix file modes, in one place that states the scratch cluster's platform (Linux) to the analyzers.</summary>
internal static class UnixFiles
{
    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode Readable = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    public const UnixFileMode PrivateDirectory = Private | UnixFileMode.UserExecute;
    public const UnixFileMode OpenDirectory = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private const string NotSupported = "pgark's scratch clusters run on Linux";

    public static void SetMode(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(NotSupported);
        }
        File.SetUnixFileMode(path, mode);
    }

    public static UnixFileMode GetMode(string path) => OperatingSystem.IsWindows()
        ? throw new PlatformNotSupportedException(NotSupported)
        : File.GetUnixFileMode(path);

    public static void CreateDirectory(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException(NotSupported);
        }
        Directory.CreateDirectory(path, mode);
    }
}
