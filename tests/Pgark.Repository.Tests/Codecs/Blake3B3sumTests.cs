using System.Diagnostics;
using Pgark.Repository.Codecs;

namespace Pgark.Repository.Tests.Codecs;

/// <summary>
/// Cross-checks against b3sum, the BLAKE3 team's own tool, on random inputs of many sizes. The test suite's
/// install step provides it, so its absence is a failure, not a skip.
/// </summary>
public sealed class Blake3B3sumTests : IDisposable
{
    private const int OutputLength = 72;
    private readonly string _directory = Directory.CreateTempSubdirectory("pgark-blake3-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void HashMatchesB3sumOnRandomInputs()
    {
        int[] sizes = Sizes();
        string[] files = WriteRandomFiles(sizes);
        string[] expected = RunB3sum(["--no-names", "--length", $"{OutputLength}", .. files], stdin: null);
        for (int i = 0; i < files.Length; i++)
        {
            byte[] input = File.ReadAllBytes(files[i]);
            Assert.Equal(expected[i], Hex(output => Blake3.Hash(input, output)));
            Assert.True(expected[i] == Hex(output => Blake3.HashParallel(input, output)), $"HashParallel, {sizes[i]} bytes");
        }
    }

    [Fact]
    public void KeyedHashMatchesB3sum()
    {
        byte[] key = Blake3IncrementalTests.RandomInput(32, seed: 99);
        int[] sizes = [0, 1, 1024, 1025, 70_000, 1_100_000];
        string[] files = WriteRandomFiles(sizes);
        string[] expected = RunB3sum(["--keyed", "--no-names", "--length", $"{OutputLength}", .. files], stdin: key);
        for (int i = 0; i < files.Length; i++)
        {
            byte[] input = File.ReadAllBytes(files[i]);
            Assert.True(expected[i] == Hex(output => Blake3.KeyedHash(key, input, output)), $"keyed, {sizes[i]} bytes");
        }
    }

    [Fact]
    public void DeriveKeyMatchesB3sum()
    {
        const string context = "pgark 2026-11-21 blake3 cross-check";
        int[] sizes = [0, 32, 1025, 9000];
        string[] files = WriteRandomFiles(sizes);
        string[] expected = RunB3sum(["--derive-key", context, "--no-names", "--length", $"{OutputLength}", .. files], stdin: null);
        for (int i = 0; i < files.Length; i++)
        {
            byte[] input = File.ReadAllBytes(files[i]);
            Assert.True(expected[i] == Hex(output => Blake3.DeriveKey(context, input, output)), $"derive_key, {sizes[i]} bytes");
        }
    }

    private static int[] Sizes()
    {
        var random = new Random(20261121);
        var sizes = new List<int> { 0, 1, 63, 64, 65, 1023, 1024, 1025, 4096, 8191, 16 * 1024 + 1, 1 << 20, (1 << 20) + 1 };
        for (int i = 0; i < 24; i++)
        {
            sizes.Add(random.Next(0, i < 16 ? 300_000 : 5_000_000));
        }

        return [.. sizes];
    }

    private string[] WriteRandomFiles(int[] sizes)
    {
        var files = new string[sizes.Length];
        for (int i = 0; i < sizes.Length; i++)
        {
            files[i] = Path.Combine(_directory, $"input-{i}-{sizes[i]}");
            File.WriteAllBytes(files[i], Blake3IncrementalTests.RandomInput(sizes[i], seed: 1000 + i));
        }

        return files;
    }

    private delegate void Hasher(Span<byte> output);

    private static string Hex(Hasher hash)
    {
        var output = new byte[OutputLength];
        hash(output);
        return Convert.ToHexStringLower(output);
    }

    private static string[] RunB3sum(string[] arguments, byte[]? stdin)
    {
        string? b3sum = Environment.GetEnvironmentVariable("PATH")?.Split(':')
            .Select(dir => Path.Combine(dir, "b3sum")).FirstOrDefault(File.Exists);
        Assert.True(b3sum is not null,
            "b3sum (the BLAKE3 reference tool) is not on PATH; install the Debian package b3sum (scripts/install-deps.sh does) so pgark's BLAKE3 can be cross-checked.");

        var start = new ProcessStartInfo(b3sum!) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        if (stdin is not null)
        {
            process.StandardInput.BaseStream.Write(stdin);
        }

        process.StandardInput.Close();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"b3sum exited with {process.ExitCode}: {stderr.Result}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
