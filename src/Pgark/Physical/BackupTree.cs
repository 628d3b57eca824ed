using Pgark.Repository;
using Pgark.Repository.Snapshots;

namespace Pgark.Physical;

/// <summary>
/// The files of a backup as they arrive (in tar order), written to the session's tree in the canonical path order at
/// the end. Holds per file its entry and chunk or extent references (≈ 0.11% of relation data, 36 bytes per
/// FastCDC chunk): the one part of a backup whose memory grows with the cluster, see the report in spec/physical.md.
/// </summary>
internal sealed class BackupTree
{
    private readonly Dictionary<string, (FileEntry Entry, IReadOnlyList<ChunkRef> Chunks, IReadOnlyList<ExtentRef> Extents)> _files =
        new(StringComparer.Ordinal);

    public int Count => _files.Count;

    public bool Contains(string path) => _files.ContainsKey(path);

    public void Add(FileEntry entry, IReadOnlyList<ChunkRef> chunks, IReadOnlyList<ExtentRef> extents)
    {
        if (_files.TryGetValue(entry.Path, out var existing) && existing.Entry.Kind == Repository.Format.FileKind.Directory
            && entry.Kind == Repository.Format.FileKind.Directory)
        {
            // A tablespace's pg_tblspc/<oid> directory: announced by its archive and listed again in base.tar.
            _files[entry.Path] = (entry, chunks, extents);
            return;
        }
        if (!_files.TryAdd(entry.Path, (entry, chunks, extents)))
            throw new InvalidDataException($"the backup contains '{entry.Path}' twice");
    }

    public async Task WriteAsync(BackupSession session)
    {
        foreach (string path in _files.Keys.Order(StringComparer.Ordinal))
        {
            var (entry, chunks, extents) = _files[path];
            if (entry.Layout == Repository.Format.FileLayout.Paged)
                await session.AddPagedFileAsync(entry, extents).ConfigureAwait(false);
            else
                await session.AddFileAsync(entry, chunks).ConfigureAwait(false);
        }
    }
}
