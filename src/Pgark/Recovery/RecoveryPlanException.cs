namespace Pgark.Recovery;

/// <summary>A plan refused: the target is unreachable with what the repository holds. The message says precisely why.</summary>
public sealed class RecoveryPlanException(RecoveryRefusal refusal, string message, string hint) : Exception(message)
{
    public RecoveryRefusal Refusal { get; } = refusal;

    /// <summary>What the user can do about it.</summary>
    public string Hint { get; } = hint;
}
