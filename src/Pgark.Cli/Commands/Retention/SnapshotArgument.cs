using Pgark.Cli.Parsing;
using Pgark.Repository.Snapshots;
using Repo = Pgark.Repository.Repository;

namespace Pgark.Cli.Commands.Retention;

/// <summary>A snapshot named on the command line by a unique id prefix; a malformed or ambiguous prefix is a usage error.</summary>
internal static class SnapshotArgument
{
    public static async Task<SnapshotInfo> FindAsync(Repo repository, string prefix, CancellationToken cancellationToken)
    {
        try
        {
            return await repository.FindSnapshotAsync(prefix, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split(" (Parameter")[0], "name a snapshot by at least 4 lower-case hex digits of its id, as 'pgark snapshots' lists it");
        }
    }
}
