namespace Pgark.IntegrationTests.Infrastructure;

/// <summary>A fact about running as root (switching to the server account); skipped otherwise.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "only a root process starts the server as another account";
        }
    }
}
