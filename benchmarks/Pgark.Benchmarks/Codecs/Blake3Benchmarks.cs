using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Pgark.Repository.Codecs;

namespace Pgark.Benchmarks.Codecs;

/// <summary>BLAKE3 one-shot and incremental against SHA-256 (SHA-NI via the OS library) per input size.</summary>
[MemoryDiagnoser]
[Config(typeof(Blake3ThroughputConfig))]
public class Blake3Benchmarks
{
    private readonly byte[] _digest = new byte[32];
    private byte[] _input = [];
    private Blake3Hasher _hasher = new();

    [Params(1024, 8 * 1024, 64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _input = new byte[Size];
        new Random(42).NextBytes(_input);
        _hasher = new Blake3Hasher();
    }

    [Benchmark(Baseline = true)]
    public void Sha256() => SHA256.HashData(_input, _digest);

    [Benchmark]
    public void Blake3Hash() => Blake3.Hash(_input, _digest);

    [Benchmark]
    public void Blake3Incremental()
    {
        // 16 KiB updates, as a stream reader would feed them.
        _hasher.Reset();
        for (int offset = 0; offset < _input.Length; offset += 16 * 1024)
        {
            _hasher.Update(_input.AsSpan(offset, Math.Min(16 * 1024, _input.Length - offset)));
        }

        _hasher.Finalize(_digest);
    }
}

/// <summary>The same one-shot hash forced onto each backend, to show what each vector width buys.</summary>
[Config(typeof(Blake3ThroughputConfig))]
public class Blake3BackendBenchmarks
{
    private readonly byte[] _digest = new byte[32];
    private byte[] _input = [];

    // Lanes per compression (1 = scalar); the backend enum is internal, so the generated runner sets an int.
    [Params(1, 4, 8)]
    public int Lanes { get; set; }

    [Params(1024, 64 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _input = new byte[Size];
        new Random(42).NextBytes(_input);
    }

    [Benchmark]
    public void Blake3Hash() => Blake3.HashCore((Blake3Backend)Lanes, _input, Blake3Constants.IVBytes, 0, _digest);
}

/// <summary>Adds a GB/s column (input bytes of the Size parameter over the mean time).</summary>
internal sealed class Blake3ThroughputConfig : ManualConfig
{
    public Blake3ThroughputConfig() => AddColumn(new ThroughputColumn());
}
