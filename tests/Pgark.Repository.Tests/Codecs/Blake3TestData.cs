using System.Text.Json;
using Pgark.Repository.Codecs;

namespace Pgark.Repository.Tests.Codecs;

/// <summary>The official BLAKE3 test vectors (tests/testdata/blake3/test_vectors.json) and shared helpers.</summary>
internal static class Blake3TestData
{
    private static readonly Lazy<VectorFile> s_vectors = new(Load);

    public static VectorFile Vectors => s_vectors.Value;

    /// <summary>The vectors' input: the repeating byte sequence 0, 1, …, 250.</summary>
    public static byte[] PatternInput(int length)
    {
        var input = new byte[length];
        for (int i = 0; i < length; i++)
        {
            input[i] = (byte)(i % 251);
        }

        return input;
    }

    public static IEnumerable<Blake3Backend> SupportedBackends() =>
        Enum.GetValues<Blake3Backend>().Where(Blake3Backends.CanRun);

    public static string FindTestData(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "testdata", relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"tests/testdata/{relativePath} not found above {AppContext.BaseDirectory}");
    }

    private static VectorFile Load()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(FindTestData("blake3/test_vectors.json")));
        JsonElement root = doc.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new VectorCase(
            c.GetProperty("input_len").GetInt32(),
            Convert.FromHexString(c.GetProperty("hash").GetString()!),
            Convert.FromHexString(c.GetProperty("keyed_hash").GetString()!),
            Convert.FromHexString(c.GetProperty("derive_key").GetString()!))).ToArray();
        return new VectorFile(
            System.Text.Encoding.ASCII.GetBytes(root.GetProperty("key").GetString()!),
            root.GetProperty("context_string").GetString()!,
            cases);
    }

    internal sealed record VectorFile(byte[] Key, string Context, VectorCase[] Cases);

    internal sealed record VectorCase(int InputLength, byte[] Hash, byte[] KeyedHash, byte[] DeriveKey);
}
