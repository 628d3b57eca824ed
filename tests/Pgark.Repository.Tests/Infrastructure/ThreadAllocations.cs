namespace Pgark.Repository.Tests.Infrastructure;

/// <summary>
/// Bytes the test's own thread allocates in a piece of code, for the "steady state allocates nothing" tests.
/// </summary>
/// <remarks>
/// GC.GetAllocatedBytesForCurrentThread is exact only while no collection runs: a collection triggered by a test
/// running in parallel retires this thread's allocation context and can move the counter by part of an allocation
/// quantum without this thread allocating anything (a clean-clone CI run saw 7800 bytes in a zstd loop that
/// allocates none). So a run that a gen-0 collection interrupted is repeated; code that really allocates does so
/// in every run and still fails.
/// </remarks>
internal static class ThreadAllocations
{
    private const int Attempts = 5;

    /// <summary>Runs <paramref name="setUp"/> (not measured) then <paramref name="measured"/>, until a run sees no collection.</summary>
    public static long Of(Action setUp, Action measured)
    {
        long allocated = 0;
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            setUp();
            int collections = GC.CollectionCount(0);
            long before = GC.GetAllocatedBytesForCurrentThread();
            measured();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (GC.CollectionCount(0) == collections)
            {
                break;
            }
        }

        return allocated;
    }

    /// <summary><see cref="Of(Action, Action)"/> for code that needs no set-up between runs.</summary>
    public static long Of(Action measured) => Of(static () => { }, measured);
}
