using Pgark.Repository.Config;
using Pgark.Repository.Crypto;
using Pgark.Repository.Format;
using Pgark.Repository.Ids;
using Pgark.Repository.Objects;
using Pgark.Repository.Storage;

namespace Pgark.Repository;

// The repository's mutable storage settings (spec §4.1): immutable settings objects, the highest sequence wins.
public sealed partial class Repository
{
    /// <summary>What new data is written with: <see cref="RepositoryOptions.Storage"/>, else the stored settings, else the defaults.</summary>
    public StorageSettings Settings { get; }

    /// <summary>The settings object in force when the repository was opened; null when it has none (defaults apply).</summary>
    public StorageSettingsRecord? StoredSettings { get; }

    /// <summary>Why the stored settings could not be read; new backups are refused until a new settings object is saved.</summary>
    public RepositoryException? SettingsError { get; private init; }

    /// <summary>
    /// Records <paramref name="settings"/> as the repository's settings for every later writer: puts a settings object with the
    /// next sequence number, then deletes the older ones. This instance keeps writing with what it opened with.
    /// </summary>
    public async Task<StorageSettingsRecord> SaveSettingsAsync(StorageSettings settings, string note, CancellationToken cancellationToken = default)
    {
        settings.Validate();
        var names = await ListSettingsAsync(Store, cancellationToken).ConfigureAwait(false);
        var sequence = names.Count == 0 ? 1 : names[^1].Sequence + 1;
        var record = new StorageSettingsRecord(sequence, DateTimeOffset.UtcNow, settings, note);
        var file = ObjectEnvelope.Encode(ObjectType.Settings, record.EncodeBody(), compress: false, Box);
        await PutImmutableAsync(StorageSettingsRecord.FilePrefix(sequence) + ChunkHasher.FileId(file), file, cancellationToken).ConfigureAwait(false);
        // Readers take the highest sequence, so the new object is in force from here on and the old ones are only history.
        foreach (var (_, name) in names)
            await Store.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>The newest settings object, or null. A concurrent <see cref="SaveSettingsAsync"/> may delete what was listed: list again.</summary>
    private static async Task<StorageSettingsRecord?> LoadSettingsAsync(IBlobStore store, SealedBox? box, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var names = await ListSettingsAsync(store, cancellationToken).ConfigureAwait(false);
            if (names.Count == 0)
                return null;
            var name = names[^1].Name;
            byte[] bytes;
            try
            {
                bytes = await store.GetAsync(name, cancellationToken).ConfigureAwait(false);
            }
            catch (RepositoryObjectMissingException) when (attempt < 3)
            {
                continue;
            }
            if (ChunkHasher.FileId(bytes) != FileIdOf(name))
                throw new RepositoryCorruptionException(CorruptionCause.StorageDamage, name, null, "settings object does not hash to its name");
            try
            {
                var record = StorageSettingsRecord.DecodeBody(ObjectEnvelope.Decode(name, bytes, ObjectType.Settings, box));
                if (record.Sequence != names[^1].Sequence)
                    throw new InvalidDataException($"sequence {record.Sequence} differs from the file name's {names[^1].Sequence}");
                return record;
            }
            catch (InvalidDataException e)
            {
                throw new RepositoryCorruptionException(CorruptionCause.WriterBug, name, null, e.Message, e);
            }
        }
    }

    /// <summary>Settings objects sorted by (sequence, name): the last one is in force.</summary>
    private static async Task<List<(ulong Sequence, string Name)>> ListSettingsAsync(IBlobStore store, CancellationToken cancellationToken)
    {
        var names = new List<(ulong Sequence, string Name)>();
        await foreach (var info in store.ListAsync(StorageSettingsRecord.Directory, cancellationToken).ConfigureAwait(false))
        {
            if (StorageSettingsRecord.SequenceOf(info.Name) is { } sequence)
                names.Add((sequence, info.Name));
        }
        names.Sort((a, b) => a.Sequence != b.Sequence ? a.Sequence.CompareTo(b.Sequence) : string.CompareOrdinal(a.Name, b.Name));
        return names;
    }
}
