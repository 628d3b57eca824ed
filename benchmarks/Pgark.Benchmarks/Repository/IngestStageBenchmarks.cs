using BenchmarkDotNet.Attributes;
using System.Buffers;
using Pgark.Repository.Chunking;
using Pgark.Repository.Codecs;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;
using Pgark.Repository.Storage;

namespace Pgark.Benchmarks.Repository;

/// <summary>
/// Where new-data ingest spends its CPU: each stage of a chunk's way into a pack, single-threaded, over the same
/// FastCDC-cut bytes as <see cref="RepositoryIngestBenchmarks"/>. Divide MiB by the mean for a stage's MB/s per core; the sum of
/// the stages' times over two cores bounds what the parallel ingest can reach.
/// </summary>
[MemoryDiagnoser]
public class IngestStageBenchmarks
{
    private byte[] _data = [];
    private List<(int Offset, int Length)> _chunks = [];
    private byte[][] _compressed = [];
    private ChunkFlags[] _flags = [];
    private byte[] _scratch = [];
    private readonly StoredChunkCodec _codec = new(3, null);
    private byte[] _packs = [];
    private string _storeRoot = "";
    private int _putRound;

    [Params(64)]
    public int MiB { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_data, _chunks) = RepositoryBenchmarkData.Create(MiB);
        _scratch = new byte[Zstd.CompressBound(FormatConstants.MaxChunkSize)];
        _compressed = new byte[_chunks.Count][];
        _flags = new ChunkFlags[_chunks.Count];
        for (var i = 0; i < _chunks.Count; i++)
            _compressed[i] = _codec.Encode(_data.AsSpan(_chunks[i].Offset, _chunks[i].Length), [], out _flags[i]);
        // The stored bytes back to back, as the packs hold them (headers aside).
        _packs = new byte[_compressed.Sum(c => c.Length)];
        var at = 0;
        foreach (var stored in _compressed)
        {
            stored.CopyTo(_packs, at);
            at += stored.Length;
        }
        _storeRoot = Path.Combine(RepositoryBenchmarkData.ScratchRoot, $"pgark-bench-stage-{Environment.ProcessId}");
        Console.WriteLine($"// {_chunks.Count} chunks of {_data.Length} bytes: level 3 per chunk {Compress()} bytes, with large-input "
            + $"parameters {CompressLargeInputParameters()}, whole buffer {CompressWhole()}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_storeRoot))
            Directory.Delete(_storeRoot, recursive: true);
    }

    /// <summary>FastCDC over the whole buffer (what a stream backup does before any chunk reaches the session).</summary>
    [Benchmark]
    public int Chunk()
    {
        var cdc = new FastCdc(FastCdcOptions.Default);
        var count = 0;
        for (var at = 0; at < _data.Length; count++)
            at += cdc.FindCutPoint(_data.AsSpan(at), isFinal: true);
        return count;
    }

    /// <summary>The session's copy of every queued chunk into a pooled buffer (QueueChunkAsync lets the caller reuse its own).</summary>
    [Benchmark]
    public int CopyQueued()
    {
        var pool = ArrayPool<byte>.Shared;
        var sum = 0;
        foreach (var (offset, length) in _chunks)
        {
            var buffer = pool.Rent(length);
            _data.AsSpan(offset, length).CopyTo(buffer);
            sum += buffer[length / 2];
            pool.Return(buffer);
        }
        return sum;
    }

    /// <summary>BLAKE3 of the packs' bytes in 16 MiB pieces (each pack's file name is the hash of its bytes).</summary>
    [Benchmark]
    public int PackFileId()
    {
        var sum = 0;
        for (var at = 0; at < _packs.Length; at += 16 << 20)
            sum += ChunkHasher.FileId(_packs.AsSpan(at, Math.Min(16 << 20, _packs.Length - at))).GetHashCode();
        return sum;
    }

    /// <summary>The packs' bytes put into a LocalStore in 16 MiB files (write, fsync, link, directory fsync) on the scratch filesystem.</summary>
    [Benchmark]
    public async Task<int> PutPacks()
    {
        var store = new LocalStore(Path.Combine(_storeRoot, $"round-{_putRound++}"));
        var files = 0;
        for (var at = 0; at < _packs.Length; at += 16 << 20, files++)
            await store.PutAsync($"data/{files:x2}", _packs.AsMemory(at, Math.Min(16 << 20, _packs.Length - at)));
        return files;
    }

    /// <summary>BLAKE3 of every chunk (the chunk id).</summary>
    [Benchmark]
    public int Hash()
    {
        var sum = 0;
        foreach (var (offset, length) in _chunks)
            sum += ChunkHasher.Unkeyed.Compute(_data.AsSpan(offset, length)).GetHashCode();
        return sum;
    }

    /// <summary>zstd level 3 of every chunk into one reused buffer (the compressor alone).</summary>
    [Benchmark]
    public long Compress()
    {
        long total = 0;
        foreach (var (offset, length) in _chunks)
            total += Zstd.Compress(_data.AsSpan(offset, length), _scratch, 3);
        return total;
    }

    /// <summary>As <see cref="Compress"/> with level 3's large-input parameters for every chunk (ZstdCompressor largeInputParameters).</summary>
    [Benchmark]
    public long CompressLargeInputParameters()
    {
        using var compressor = new ZstdCompressor(3, largeInputParameters: true);
        long total = 0;
        foreach (var (offset, length) in _chunks)
            total += compressor.Compress(_data.AsSpan(offset, length), _scratch);
        return total;
    }

    /// <summary>zstd level 3 of the whole buffer as one frame (what the CLI does, less its threads and I/O).</summary>
    [Benchmark]
    public long CompressWhole()
    {
        using var compressor = new ZstdCompressor(3);
        var destination = new byte[Zstd.CompressBound(_data.Length)];
        return compressor.Compress(_data, destination);
    }

    /// <summary>Decompress every stored chunk and compare it with its plaintext (verify-before-publish alone).</summary>
    [Benchmark]
    public int Verify()
    {
        var matches = 0;
        for (var i = 0; i < _chunks.Count; i++)
        {
            var (offset, length) = _chunks[i];
            matches += _codec.DecodesTo(_compressed[i], _flags[i], _data.AsSpan(offset, length), []) ? 1 : 0;
        }
        return matches;
    }

    /// <summary>Everything a worker does for a new chunk: hash, compress, verify (PackWriter.Encode).</summary>
    [Benchmark]
    public long HashEncode()
    {
        long total = 0;
        foreach (var (offset, length) in _chunks)
        {
            var plain = _data.AsSpan(offset, length);
            total += PackWriter.Encode(_codec, ChunkHasher.Unkeyed, ChunkHasher.Unkeyed.Compute(plain), ChunkKind.Data, plain).Stored.Length;
        }
        return total;
    }
}
