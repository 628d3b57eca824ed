using BenchmarkDotNet.Attributes;
using Pgark.Repository.Codecs;

namespace Pgark.Benchmarks.Codecs;

/// <summary>
/// A table's COPY text hashed whole by one hasher against the same bytes hashed as two ranges (the halves, one after
/// the other on one thread) and joined: the range path must cost no more than the plain one.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Blake3ThroughputConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class Blake3RangeBenchmarks
{
    private const int Piece = 64 * 1024;
    private readonly byte[] _digest = new byte[32];
    private byte[] _input = [];

    [Params(64 * 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _input = new byte[Size];
        new Random(42).NextBytes(_input);
    }

    [Benchmark(Baseline = true)]
    public void Hasher()
    {
        var hasher = new Blake3Hasher();
        Feed(_input, hasher.Update);
        hasher.Finalize(_digest);
    }

    [Benchmark]
    public void TwoRangesAndRoot()
    {
        // Split near the middle at a chunk boundary that is not a power of two, as a restore would.
        int split = (Size / 2 + 5 * 1024 + 17) / 1024 * 1024;
        var first = new Blake3RangeHasher(0);
        Feed(_input.AsSpan(0, split), first.Update);
        var second = new Blake3RangeHasher((ulong)split);
        Feed(_input.AsSpan(split), second.Update);
        Blake3Range.Root([first.Complete(), second.Complete()], _digest);
    }

    private static void Feed(ReadOnlySpan<byte> input, SpanAction update)
    {
        for (int at = 0; at < input.Length; at += Piece)
        {
            update(input.Slice(at, Math.Min(Piece, input.Length - at)));
        }
    }

    private delegate void SpanAction(ReadOnlySpan<byte> piece);
}
