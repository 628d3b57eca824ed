using System.Reflection;
using System.Runtime.InteropServices;

namespace Pgark.Repository.Codecs;

/// <summary>
/// Finds and checks the system libzstd once per process. Everything that creates a zstd context calls
/// <see cref="EnsureLoaded"/> first, so a machine without libzstd fails with one clear, typed error at first use
/// instead of a bare <see cref="DllNotFoundException"/> (or a TypeInitializationException) deep in a backup.
/// </summary>
internal static class ZstdLibrary
{
    /// <summary>Names tried in order: the soname Debian/RHEL runtime packages ship, then the -dev symlinks.</summary>
    internal static readonly string[] s_candidateNames = ["libzstd.so.1", "libzstd", "libzstd.so"];

    // ZSTD_compressStream2 and the ZSTD_c_* parameter API became stable in v1.4.0.
    private const uint MinimumVersionNumber = 1_04_00;

    private static readonly object s_loadLock = new();
    private static volatile bool s_loaded;
    private static nint s_libraryHandle;
    private static uint s_versionNumber;
    private static int s_minLevel;
    private static int s_maxLevel;

    /// <summary>ZSTD_versionNumber() of the loaded library, e.g. 10504 for 1.5.4.</summary>
    public static uint VersionNumber
    {
        get
        {
            EnsureLoaded();
            return s_versionNumber;
        }
    }

    /// <summary>ZSTD_minCLevel(): the fastest (most negative) level this libzstd accepts.</summary>
    public static int MinLevel
    {
        get
        {
            EnsureLoaded();
            return s_minLevel;
        }
    }

    /// <summary>ZSTD_maxCLevel(): the strongest level this libzstd accepts.</summary>
    public static int MaxLevel
    {
        get
        {
            EnsureLoaded();
            return s_maxLevel;
        }
    }

    public static void EnsureLoaded()
    {
        if (!s_loaded)
        {
            Load();
        }
    }

    /// <summary>
    /// The parameters <paramref name="level"/> has for inputs of unknown (large) size, ZSTD_getCParams(level, 0, 0); null when
    /// this libzstd does not export that advanced-API function, and the caller then leaves the choice to the level.
    /// </summary>
    internal static ZstdNative.CompressionParameters? LargeInputParameters(int level)
    {
        EnsureLoaded();
        try
        {
            return ZstdNative.GetCompressionParameters(level, 0, 0);
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Throws a clear <see cref="ArgumentOutOfRangeException"/> unless libzstd accepts <paramref name="level"/>.</summary>
    public static void ValidateLevel(int level)
    {
        EnsureLoaded();
        if (level < s_minLevel || level > s_maxLevel)
        {
            ZstdThrowHelper.ThrowLevelOutOfRange(level, s_minLevel, s_maxLevel);
        }
    }

    /// <summary>Loads the first of <paramref name="names"/> that the dynamic loader finds, or throws the typed not-found error.</summary>
    internal static nint LoadFirst(IReadOnlyList<string> names)
    {
        foreach (string name in names)
        {
            if (NativeLibrary.TryLoad(name, out nint handle))
            {
                return handle;
            }
        }

        throw ZstdLibraryNotFoundException.NotFound(string.Join(", ", names), innerException: null);
    }

    private static void Load()
    {
        lock (s_loadLock)
        {
            if (s_loaded)
            {
                return;
            }

            try
            {
                s_libraryHandle = LoadFirst(s_candidateNames);
                InstallResolver();
                s_versionNumber = ZstdNative.VersionNumber();
            }
            catch (DllNotFoundException e)
            {
                throw ZstdLibraryNotFoundException.NotFound(string.Join(", ", s_candidateNames), e);
            }

            if (s_versionNumber < MinimumVersionNumber)
            {
                ZstdThrowHelper.ThrowVersionTooOld(s_versionNumber);
            }

            s_minLevel = ZstdNative.MinCompressionLevel();
            s_maxLevel = ZstdNative.MaxCompressionLevel();
            s_loaded = true;
        }
    }

    private static void InstallResolver()
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(ZstdLibrary).Assembly, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The runtime allows one resolver per assembly. If other code in Pgark.Repository installed one first,
            // "libzstd.so.1" still loads through default probing, and a failure there becomes the typed error below.
        }
    }

    // Only libzstd is ours to resolve; every other DllImport in the assembly keeps the runtime's default probing.
    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        return libraryName == ZstdNative.LibraryName ? s_libraryHandle : IntPtr.Zero;
    }
}
