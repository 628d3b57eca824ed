using Pgark.Repository;
using Pgark.Repository.Format;
using Pgark.Repository.Snapshots;

namespace Pgark.Physical.Restore;

// ContinueOnDamage: restore what reads back, zero-fill what does not, remember which files were hit.
public sealed partial class PhysicalRestore
{
    private readonly List<DamagedFile> _damaged = [];

    /// <summary>
    /// Writes <paramref name="file"/> piece by piece (extents of a paged file, chunks of a chunked one). A piece that
    /// fails verification is written as zeros of its length: an all-zero page is one PostgreSQL accepts as new and empty,
    /// so the server still starts and the damage shows as missing rows in the table it belongs to.
    /// </summary>
    /// <returns>true when some piece was damaged (the file is then recorded and must not be checked against the manifest).</returns>
    private async Task<bool> RestoreToleratingDamageAsync(TreeFile file, Stream destination, CancellationToken cancellationToken)
    {
        FileEntry entry = file.Entry;
        string? problem = null;
        if (entry.Layout == FileLayout.Paged)
        {
            for (int i = 0; i < file.Extents.Count; i++)
            {
                int length = entry.ExtentLength(i);
                byte[] bytes;
                try
                {
                    bytes = await _repository.ReadExtentAsync(entry, i, file.Extents[i], cancellationToken).ConfigureAwait(false);
                }
                catch (RepositoryException e)
                {
                    problem ??= $"extent {i}: {e.Message}";
                    bytes = new byte[length];
                }
                await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            for (int i = 0; i < file.Chunks.Count; i++)
            {
                byte[] bytes;
                try
                {
                    bytes = await _repository.ReadChunkAsync(file.Chunks[i].Id, cancellationToken).ConfigureAwait(false);
                }
                catch (RepositoryException e)
                {
                    problem ??= $"chunk {i}: {e.Message}";
                    bytes = new byte[file.Chunks[i].PlainLength];
                }
                await destination.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
        }
        if (problem is not null)
            _damaged.Add(new DamagedFile(entry.Path, problem));
        return problem is not null;
    }
}
