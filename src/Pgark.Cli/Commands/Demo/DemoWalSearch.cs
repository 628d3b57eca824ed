using Pgark.Wal;
using Pgark.Wal.Show;

namespace Pgark.Cli.Commands;

/// <summary>
/// Finding the mistake the way an operator would with <c>pgark wal show --around TIME</c>: the transactions that ended
/// around the moment someone noticed, read from the archive's WAL, and among them the one that deleted many rows.
/// </summary>
internal static class DemoWalSearch
{
    /// <returns>The committed transaction that deleted the most rows around <paramref name="around"/>, with its row count; null if none.</returns>
    public static async Task<(WalShowTransaction Transaction, long Deleted)?> FindMassDeleteAsync(Repository.Repository repository, DateTimeOffset around,
        CancellationToken cancellationToken)
    {
        WalStore store = await WalClusters.OpenAsync(repository, null, cancellationToken).ConfigureAwait(false);
        WalShow show = await WalShow.PlanAsync(store, new WalShowRequest { Around = around, Window = TimeSpan.FromSeconds(10) },
            cancellationToken).ConfigureAwait(false);
        (WalShowTransaction Transaction, long Deleted)? found = null;
        foreach (WalShowTransaction transaction in show.Transactions(cancellationToken))
        {
            long deleted = transaction.Relations.Sum(r => r.Deleted);
            if (transaction.IsCommit && deleted > 0 && (found is null || deleted > found.Value.Deleted))
                found = (transaction, deleted);
        }
        return found;
    }
}
