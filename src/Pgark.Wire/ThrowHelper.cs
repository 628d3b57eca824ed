using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Pgark.Wire;

/// <summary>Throws kept out of the hot parsing methods so those stay small enough to inline.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowProtocol(string message) => throw CreateProtocol(message);

    [DoesNotReturn]
    public static T ThrowProtocol<T>(string message) => throw CreateProtocol(message);

    [DoesNotReturn]
    public static void ThrowTruncated(string messageName) =>
        throw CreateProtocol($"{messageName} message is shorter than its fields require (connection desynchronized)");

    [DoesNotReturn]
    public static void ThrowLost(string message, Exception? inner = null) =>
        throw new PgConnectionException(PgConnectionFailure.Lost, message, inner);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static PgProtocolException CreateProtocol(string message) => new(message);
}
