using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Pgark.Repository.Codecs;
using Pgark.Repository.Ids;

namespace Pgark.Benchmarks.Codecs;

/// <summary>
/// What a backup hashes per extent of a relation file (spec §7.4): the id and every page's hash. One pass
/// (<see cref="ChunkHasher.ComputeExtent"/>: pages as subtrees of the extent's tree) against the two passes of the
/// earlier format (every page hashed alone, then the extent), with the extent's plain BLAKE3 as the floor.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Blake3ThroughputConfig))]
public class ExtentHashBenchmarks
{
    private const int PageSize = 8192;
    private readonly byte[] _digest = new byte[32];
    private byte[] _extent = [];
    private ulong[] _pageHashes = [];

    [Params(256 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _extent = new byte[Size];
        new Random(42).NextBytes(_extent);
        _pageHashes = new ulong[Size / PageSize];
    }

    [Benchmark(Baseline = true)]
    public void ExtentOnly() => Blake3.Hash(_extent, _digest);

    [Benchmark]
    public ChunkId OnePass() => ChunkHasher.Unkeyed.ComputeExtent(_extent, PageSize, _pageHashes);

    [Benchmark]
    public ChunkId TwoPasses()
    {
        ChunkHasher.Unkeyed.ContentPageHashes(_extent, PageSize, _pageHashes);
        return ChunkHasher.Unkeyed.Compute(_extent);
    }
}
