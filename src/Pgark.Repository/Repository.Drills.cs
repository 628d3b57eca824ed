using Pgark.Repository.Drills;
using Pgark.Repository.Format;

namespace Pgark.Repository;

public sealed partial class Repository
{
    /// <summary>Stores a drill result (spec §18); returns its file name. Takes no lock: the file is new and immutable.</summary>
    public async Task<string> SaveDrillRecordAsync(DrillRecord record, CancellationToken cancellationToken = default)
        => DrillRecord.Directory + await PutObjectAsync(DrillRecord.Directory, ObjectType.DrillResult, record.EncodeBody(), cancellationToken)
            .ConfigureAwait(false);

    /// <summary>Every drill result, oldest first (by when it finished).</summary>
    public async Task<IReadOnlyList<DrillRecord>> ListDrillRecordsAsync(CancellationToken cancellationToken = default)
    {
        var records = new List<DrillRecord>();
        await foreach (var info in Store.ListAsync(DrillRecord.Directory, cancellationToken).ConfigureAwait(false))
        {
            var body = await LoadObjectAsync(info.Name, ObjectType.DrillResult, cancellationToken).ConfigureAwait(false);
            records.Add(Decode(info.Name, body, DrillRecord.DecodeBody));
        }
        return records.OrderBy(r => r.FinishedAt).ToList();
    }
}
