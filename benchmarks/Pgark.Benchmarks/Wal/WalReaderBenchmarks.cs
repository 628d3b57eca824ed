using BenchmarkDotNet.Attributes;
using Pgark.Wal.Reader;

namespace Pgark.Benchmarks.Wal;

/// <summary>
/// Decoding throughput of the WAL reader over real pgbench WAL held in memory (so disk speed is out of the figure).
/// Generate the WAL locally (not committed) and point PGARK_WAL_BENCH_DIR at the directory of consecutive segments;
/// compare with <c>pg_waldump --stats</c> over the same files (see benchmarks/Pgark.Benchmarks/Wal/README.md).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 1, iterationCount: 5)]
public class WalReaderBenchmarks
{
    private List<(string Name, byte[] Bytes)> _segments = [];

    /// <summary>Records in the WAL set, counted once in setup (records/s = Records / mean time).</summary>
    public long Records { get; private set; }

    /// <summary>Bytes of WAL in the set (MB/s = Bytes / mean time).</summary>
    public long Bytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        string dir = Environment.GetEnvironmentVariable("PGARK_WAL_BENCH_DIR")
            ?? throw new InvalidOperationException("set PGARK_WAL_BENCH_DIR to a directory of consecutive WAL segments (see Wal/README.md)");
        _segments = Directory.GetFiles(dir).Where(f => Path.GetFileName(f).Length == 24).Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToList();
        Bytes = _segments.Sum(s => (long)s.Bytes.Length);
        Records = ReadAll();
        Console.WriteLine($"// WAL set: {_segments.Count} segments, {Bytes} bytes, {Records} records");
    }

    /// <summary>Reads and validates every record (page headers, CRC, block references, xact/checkpoint decoding).</summary>
    [Benchmark]
    public long ReadAll()
    {
        using var reader = new WalReader(_segments.Select(s => WalSegmentInput.FromMemory(s.Name, s.Bytes)));
        long count = 0;
        while (reader.MoveNext())
        {
            count++;
        }

        return count;
    }
}
