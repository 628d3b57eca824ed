using System.Buffers;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Packs;
using Pgark.Repository.Snapshots;

namespace Pgark.Repository.Ingest;

/// <summary>
/// One chunk or extent on its way into a pack. The session copies the bytes into a pooled buffer and queues the job on
/// the thread pool, where a worker hashes it, decides what to store, compresses and verifies it (the CPU-heavy part);
/// the session then retires jobs strictly in submission order (<see cref="BackupSession"/>), so packs, counters and the
/// caller's reference lists come out as if the work had been done inline.
/// </summary>
internal sealed class IngestJob : IThreadPoolWorkItem
{
    private readonly IngestContext _context;
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[]? _plain;

    private IngestJob(IngestContext context, ReadOnlySpan<byte> plaintext, ChunkKind kind)
    {
        _context = context;
        _plain = context.Buffers.Rent(Math.Max(1, plaintext.Length));
        plaintext.CopyTo(_plain);
        Length = plaintext.Length;
        Kind = kind;
    }

    public static IngestJob ForChunk(IngestContext context, ReadOnlySpan<byte> plaintext, ChunkKind kind, List<ChunkRef> into)
        => new(context, plaintext, kind) { ChunkTarget = into };

    public static IngestJob ForExtent(IngestContext context, ReadOnlySpan<byte> extent, int pageSize, int pagesPerExtent, ExtentRef? parent,
        List<ExtentRef> into)
        => new(context, extent, ChunkKind.Data) { PageSize = pageSize, PagesPerExtent = pagesPerExtent, Parent = parent, ExtentTarget = into };

    public int Length { get; }
    public ChunkKind Kind { get; }
    public int PageSize { get; private init; }
    public int PagesPerExtent { get; private init; }
    public ExtentRef? Parent { get; private init; }
    public List<ChunkRef>? ChunkTarget { get; private init; }
    public List<ExtentRef>? ExtentTarget { get; private init; }

    /// <summary>Completes (never faults) when the worker is done; read the results after it.</summary>
    public Task Done => _done.Task;
    public ChunkId Id { get; private set; }
    public ExtentRef? Extent { get; private set; }
    /// <summary>
    /// Non-null when the worker found the chunk absent and encoded it; null means deduplicated or unchanged. Its stored
    /// bytes are rented from the session's pool: the session releases them once appended (or found a duplicate after all).
    /// </summary>
    public RentedChunk? Encoded { get; private set; }
    public Exception? Error { get; private set; }

    public void Execute()
    {
        try
        {
            var plain = _plain.AsSpan(0, Length);
            if (ExtentTarget is null)
            {
                Id = _context.Hasher.Compute(plain);
                if (!_context.Has(Id))
                    Encoded = PackWriter.EncodeRented(_context.Codec, Id, Kind, plain, _context.Buffers);
                return;
            }
            var plan = ExtentPlan.Make(plain, PageSize, PagesPerExtent, Parent, _context.Hasher, _context.Has);
            Extent = plan.Result;
            Id = plan.StoreId;
            if (!plan.Unchanged && !_context.Has(plan.StoreId))
                Encoded = PackWriter.EncodeRented(_context.Codec, plan.StoreId, plan.StoreKind, plan.Delta ?? plain, _context.Buffers);
        }
        catch (Exception e)
        {
            Error = e;
        }
        finally
        {
            ReturnBuffer();
            _done.TrySetResult();
        }
    }

    private void ReturnBuffer()
    {
        if (_plain is not null)
            _context.Buffers.Return(_plain);
        _plain = null;
    }
}

/// <summary>
/// What a worker needs from its session: the codecs, a thread-safe "is this chunk stored?", and the pool the queued copies
/// and the encoded chunks come from. The pool is the session's own: the shared pool keeps only a few arrays per size per core, so with a window
/// of ~100 chunks in flight most rents there would allocate (and zero) a fresh array; this one keeps what the window
/// needed, at most a window's worth per size class, for the session's life.
/// </summary>
internal sealed record IngestContext(ChunkHasher Hasher, StoredChunkCodec Codec, Func<ChunkId, bool> Has, ArrayPool<byte> Buffers)
{
    public static ArrayPool<byte> CreateBufferPool(int windowBytes)
        => ArrayPool<byte>.Create(FormatConstants.MaxChunkSize, Math.Max(16, windowBytes / MinimumQueuedChunk));

    // Slots per size class: a window of 16 KiB chunks (half FastCDC's default minimum). Smaller chunks only mean a bucket
    // cannot keep a whole window of them, and the rest are allocated as the shared pool would.
    private const int MinimumQueuedChunk = 16 << 10;
}
