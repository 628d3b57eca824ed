using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Pgark.Repository.Codecs;

/// <summary>
/// How many chunks (or parent nodes) are compressed side by side, one per vector lane. Tests force each
/// backend to prove they agree; production code uses <see cref="Blake3Backends.Best"/>.
/// </summary>
internal enum Blake3Backend
{
    /// <summary>One block at a time: Blake3Compression (4x4 rows in a Vector128 when available, else plain integers).</summary>
    Scalar = 1,
    Vector128 = 4,
    Vector256 = 8,
    Vector512 = 16,
}

internal static class Blake3Backends
{
    public const int MaxDegree = 16;

    /// <summary>The widest backend this CPU runs natively, detected once.</summary>
    public static readonly Blake3Backend Best = Detect();

    public static bool IsSupported(Blake3Backend backend) => backend switch
    {
        Blake3Backend.Scalar => true,
        Blake3Backend.Vector128 => Sse2.IsSupported,
        Blake3Backend.Vector256 => Avx2.IsSupported,
        Blake3Backend.Vector512 => Avx512F.IsSupported && Vector512.IsHardwareAccelerated,
        _ => false,
    };

    /// <summary>
    /// Whether the backend computes correctly here, natively or not: the 512-bit path needs only AVX2 for its
    /// loads and stores and falls back to software Vector512 arithmetic, which lets tests check it anywhere.
    /// </summary>
    public static bool CanRun(Blake3Backend backend) =>
        backend == Blake3Backend.Vector512 ? Avx2.IsSupported : IsSupported(backend);

    /// <summary>
    /// The tree code splits input into subtrees of this many chunks. Scalar still uses two, so that every
    /// subtree reduces to a pair of chaining values the same way on every backend.
    /// </summary>
    public static int Degree(Blake3Backend backend) => Math.Max((int)backend, 2);

    private static Blake3Backend Detect()
    {
        foreach (Blake3Backend backend in (ReadOnlySpan<Blake3Backend>)[Blake3Backend.Vector512, Blake3Backend.Vector256, Blake3Backend.Vector128])
        {
            if (IsSupported(backend))
            {
                return backend;
            }
        }

        return Blake3Backend.Scalar;
    }
}
