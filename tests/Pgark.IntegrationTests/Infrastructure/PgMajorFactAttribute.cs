using Pgark.Cluster;

namespace Pgark.IntegrationTests.Infrastructure;

/// <summary>
/// A fact that needs the server programs of one PostgreSQL major. It is skipped, saying how to install them,
/// when they are not found (scripts/test.sh installs the majors CI tests with scripts/install-pg-major.sh).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PgMajorFactAttribute : FactAttribute
{
    public PgMajorFactAttribute(int major)
    {
        Major = major;
        if (PgBinaries.TryFind(major) is null)
        {
            Skip = $"PostgreSQL {major} server programs are not installed; run scripts/install-pg-major.sh {major}";
        }
    }

    public int Major { get; }
}
