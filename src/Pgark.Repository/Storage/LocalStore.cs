using System.Runtime.CompilerServices;

namespace Pgark.Repository.Storage;

/// <summary>
/// A directory on a local filesystem. Put writes "&lt;dir&gt;/.tmp-&lt;random&gt;", fsyncs it, links it into place without
/// replacing anything, and fsyncs the directory: a crash leaves either the whole file or a temporary file that
/// <see cref="ListAsync"/> never shows and prune removes.
/// </summary>
public sealed class LocalStore : IBlobStore
{
    private readonly string _root;

    public LocalStore(string root)
    {
        _root = Path.GetFullPath(root);
        Directory.CreateDirectory(_root);
    }

    public string Root => _root;

    public async ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        var directory = Path.GetDirectoryName(path)!;
        if (File.Exists(path))
            throw new BlobAlreadyExistsException(name);
        var temporary = Path.Combine(directory, $".tmp-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(directory);
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            // link(2), not rename(2): a concurrent writer's file under the same name is never replaced.
            if (!NoReplaceLink.TryLink(temporary, path))
                throw new BlobAlreadyExistsException(name);
            File.Delete(temporary);
            DirectorySync.Fsync(directory);
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            TryDelete(temporary);
            throw new RepositoryStorageException($"the repository's filesystem is full: cannot write '{name}' under {_root} ({e.Message})", e,
                "free space on that filesystem or move the repository, then run the command again; what it wrote so far is "
                + "unreferenced and pgark prune removes it");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new RepositoryStorageException($"cannot write '{name}' under {_root}: {e.Message}", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public async ValueTask<int> ReadAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        using var handle = OpenRead(name);
        var total = 0;
        while (total < destination.Length)
        {
            var read = await RandomAccess.ReadAsync(handle, destination[total..], offset + total, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                break;
            total += read;
        }
        return total;
    }

    public async ValueTask<byte[]> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        using var handle = OpenRead(name);
        var length = RandomAccess.GetLength(handle);
        var bytes = new byte[length];
        var total = 0;
        while (total < bytes.Length)
        {
            var read = await RandomAccess.ReadAsync(handle, bytes.AsMemory(total), total, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                throw new RepositoryStorageException($"'{name}' shrank while being read");
            total += read;
        }
        return bytes;
    }

    public ValueTask<BlobInfo?> StatAsync(string name, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(PathOf(name));
        return ValueTask.FromResult(info.Exists ? new BlobInfo(name, info.Length) : (BlobInfo?)null);
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        BlobName.ValidatePrefix(prefix);
        var slash = prefix.LastIndexOf('/');
        var directory = slash < 0 ? _root : Path.Combine(_root, prefix[..slash]);
        var found = new List<BlobInfo>();
        try
        {
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories))
            {
                var name = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (!name.StartsWith(prefix, StringComparison.Ordinal) || !BlobName.IsValid(name))
                    continue;
                long length;
                try
                {
                    length = file.Length; // a stat of its own, after the directory was read
                }
                catch (FileNotFoundException)
                {
                    continue; // deleted between the two (a streamer replacing pieces): not there, as a later listing would say
                }
                found.Add(new BlobInfo(name, length));
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing was ever stored under this prefix. Only ENOENT means that: Directory.Exists would also answer false
            // for a directory it may not look into, and "empty" must never stand for "unreadable" (wal get as
            // restore_command would then end recovery instead of stopping it).
        }
        found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var info in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return info;
        }
        await Task.CompletedTask;
    }

    public ValueTask<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
            return ValueTask.FromResult(false);
        File.Delete(path);
        DirectorySync.Fsync(Path.GetDirectoryName(path)!);
        return ValueTask.FromResult(true);
    }

    /// <summary>ENOSPC (28) or EDQUOT (122): .NET reports both as a plain IOException carrying the errno as its HResult.</summary>
    private static bool IsDiskFull(IOException e) => e.HResult is 28 or 122 || e.Message.Contains("No space left", StringComparison.Ordinal);

    /// <summary>Temporary files older than <paramref name="olderThan"/> left by crashed writers (prune deletes them).</summary>
    public IEnumerable<string> FindTemporaryFiles(TimeSpan olderThan)
    {
        var limit = DateTime.UtcNow - olderThan;
        return Directory.EnumerateFiles(_root, ".tmp-*", SearchOption.AllDirectories)
            .Where(f => File.GetLastWriteTimeUtc(f) < limit);
    }

    private Microsoft.Win32.SafeHandles.SafeFileHandle OpenRead(string name)
    {
        try
        {
            return File.OpenHandle(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RepositoryObjectMissingException(name);
        }
    }

    private string PathOf(string name)
    {
        BlobName.Validate(name);
        return Path.Combine(_root, name.Replace('/', Path.DirectorySeparatorChar));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left for prune: a temporary file is never listed.
        }
    }
}
