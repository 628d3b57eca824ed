using Pgark.Repository.Format;
using Pgark.Repository.Verification;

namespace Pgark.Repository;

public sealed partial class Repository
{
    /// <summary>The recorded verification state: the union of every <c>verify/</c> object (spec §17); empty when there is none.</summary>
    public async Task<VerifyState> LoadVerifyStateAsync(CancellationToken cancellationToken = default)
    {
        var states = new List<VerifyState>();
        await foreach (var info in Store.ListAsync(VerifyState.Directory, cancellationToken).ConfigureAwait(false))
        {
            var body = await LoadObjectAsync(info.Name, ObjectType.VerifyState, cancellationToken).ConfigureAwait(false);
            states.Add(Decode(info.Name, body, b => VerifyState.DecodeBody(b)));
        }
        return VerifyState.Merge(states);
    }

    /// <summary>Publishes <paramref name="state"/> and then deletes the older state objects it replaces.</summary>
    public async Task SaveVerifyStateAsync(VerifyState state, CancellationToken cancellationToken = default)
    {
        var old = new List<string>();
        await foreach (var info in Store.ListAsync(VerifyState.Directory, cancellationToken).ConfigureAwait(false))
            old.Add(info.Name);
        var id = await PutObjectAsync(VerifyState.Directory, ObjectType.VerifyState, state.EncodeBody(), cancellationToken).ConfigureAwait(false);
        foreach (var name in old.Where(n => n != VerifyState.Directory + id))
            await Store.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
    }
}
