namespace Pgark.Wire.Tests.Infrastructure;

/// <summary>Captured backend byte streams from a real PostgreSQL 15 (tests/testdata/wire).</summary>
internal static class Fixtures
{
    public static string Directory
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !System.IO.Directory.Exists(Path.Combine(dir, "tests", "testdata", "wire")))
                dir = Path.GetDirectoryName(dir);
            return Path.Combine(dir ?? throw new DirectoryNotFoundException("tests/testdata/wire not found above the test binaries"),
                "tests", "testdata", "wire");
        }
    }

    public static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory, name));

    public static IEnumerable<object[]> All() =>
        System.IO.Directory.GetFiles(Directory, "*.bin").Select(f => new object[] { Path.GetFileName(f) });
}
