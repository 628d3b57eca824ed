using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Pgark.Wal.Reader;

/// <summary>Throws kept out of the reader's hot methods so they stay small enough to inline.</summary>
internal static class WalThrowHelper
{
    [DoesNotReturn]
    public static void Throw(WalErrorKind kind, string segment, long offset, string detail) =>
        throw Create(kind, segment, offset, detail);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WalFormatException Create(WalErrorKind kind, string segment, long offset, string detail) =>
        new(kind, segment, offset, detail);
}
