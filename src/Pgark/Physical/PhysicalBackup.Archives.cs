using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Pgark.Physical.Tar;
using Pgark.Repository;
using Pgark.Repository.Snapshots;
using Pgark.Wire.Replication;

namespace Pgark.Physical;

// Routing the tar members of BASE_BACKUP's archives into the repository, one CopyData at a time.
public sealed partial class PhysicalBackup
{
    private const uint RegularFileType = 0x8000, DirectoryType = 0x4000, SymlinkType = 0xA000;

    private TarStreamParser? _archive;
    private string _archivePrefix = "";
    private TarEntry? _member;
    private PagedFileSink? _paged;
    private ChunkedFileSink? _chunked;

    /// <summary>Reads the whole backup stream; returns backup_manifest's bytes (empty if the server sent none).</summary>
    private async Task<byte[]> ReceiveArchivesAsync(BaseBackupStream backup, BackupSession session, CancellationToken cancellationToken)
    {
        using var manifest = new MemoryStream();
        try
        {
            while (true)
            {
                long readStart = Stopwatch.GetTimestamp();
                BaseBackupMessageKind message = await backup.ReadAsync(cancellationToken).ConfigureAwait(false);
                _serverWaitTicks += Stopwatch.GetTimestamp() - readStart;
                switch (message)
                {
                    case BaseBackupMessageKind.ArchiveStarted:
                        EndArchive();
                        BeginArchive(backup.Archive!);
                        break;
                    case BaseBackupMessageKind.ArchiveData:
                        _receivedBytes += backup.Data.Length;
                        foreach (ReadOnlyMemory<byte> piece in backup.Data)
                            await FeedAsync(piece, session, cancellationToken).ConfigureAwait(false);
                        ReportProgress(backup, final: false);
                        break;
                    case BaseBackupMessageKind.ManifestStarted:
                        EndArchive();
                        break;
                    case BaseBackupMessageKind.ManifestData:
                        foreach (ReadOnlyMemory<byte> piece in backup.Data)
                            manifest.Write(piece.Span);
                        break;
                    case BaseBackupMessageKind.End:
                        EndArchive();
                        ReportProgress(backup, final: true);
                        return manifest.ToArray();
                }
            }
        }
        finally
        {
            _paged?.Dispose();
            _chunked?.Dispose();
        }
    }

    private void BeginArchive(BaseBackupArchive archive)
    {
        _archive = new TarStreamParser();
        _archivePrefix = archive.TablespaceOid is { } oid ? "pg_tblspc/" + oid.ToString(CultureInfo.InvariantCulture) + "/" : "";
        if (archive.TablespaceOid is not null && !_tree.Contains(_archivePrefix.TrimEnd('/')))
        {
            // Without TABLESPACE_MAP's directory entry in base.tar (or before it arrives), the tablespace still needs one.
            _tree.Add(FileEntry.Directory(_archivePrefix.TrimEnd('/'), DateTimeOffset.UtcNow), [], []);
        }
    }

    private void EndArchive()
    {
        if (_archive is null)
            return;
        _archive.Complete();
        _archive = null;
    }

    private async ValueTask FeedAsync(ReadOnlyMemory<byte> input, BackupSession session, CancellationToken cancellationToken)
    {
        TarStreamParser parser = _archive ?? throw new InvalidDataException("BASE_BACKUP sent archive data outside an archive");
        while (true)
        {
            TarEventKind kind = parser.Read(input, out int consumed, out ReadOnlyMemory<byte> data);
            input = input[consumed..];
            switch (kind)
            {
                case TarEventKind.NeedMoreData:
                    return;
                case TarEventKind.EntryStarted:
                    BeginMember(parser.Entry!, session);
                    break;
                case TarEventKind.Data:
                    if (_paged is not null)
                        await _paged.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                    else
                        await _chunked!.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                    break;
                case TarEventKind.EntryEnded:
                    await EndMemberAsync(cancellationToken).ConfigureAwait(false);
                    break;
                case TarEventKind.EndOfArchive:
                    break;
            }
        }
    }

    private void BeginMember(TarEntry entry, BackupSession session)
    {
        _member = entry;
        string path = _archivePrefix + entry.Name;
        if (entry.Type == TarEntryType.Regular)
        {
            if (RelationFiles.IsRelationFile(path))
                _paged = new PagedFileSink(session, _parent.ExtentsOf(path), _repository.Settings.ExtentSize);
            else
                _chunked = new ChunkedFileSink(session, _chunker);
        }
    }

    private async ValueTask EndMemberAsync(CancellationToken cancellationToken)
    {
        TarEntry entry = _member!;
        string path = _archivePrefix + entry.Name;
        switch (entry.Type)
        {
            case TarEntryType.Directory when entry.Name == ".":
                break; // the archive's own root
            case TarEntryType.Directory:
                _tree.Add(FileEntry.Directory(path, entry.ModifiedTime, DirectoryType | entry.Mode), [], []);
                break;
            case TarEntryType.Symlink:
                _tree.Add(FileEntry.Symlink(path, entry.LinkName, entry.ModifiedTime), [], []);
                break;
            case TarEntryType.Regular when _paged is not null:
                var extents = await _paged.FinishAsync(cancellationToken).ConfigureAwait(false);
                CheckLength(path, entry.Size, _paged.Length);
                _tree.Add(FileEntry.Paged(path, entry.Size, entry.ModifiedTime, RegularFileType | entry.Mode,
                    extentSize: _repository.Settings.ExtentSize), [], extents);
                _paged.Dispose();
                _paged = null;
                break;
            default:
                var chunks = await _chunked!.FinishAsync(cancellationToken).ConfigureAwait(false);
                CheckLength(path, entry.Size, _chunked.Length);
                _tree.Add(FileEntry.Regular(path, entry.Size, entry.ModifiedTime, RegularFileType | entry.Mode), chunks, []);
                _chunked.Dispose();
                _chunked = null;
                break;
        }
        _member = null;
    }

    private static void CheckLength(string path, long declared, long received)
    {
        if (declared != received)
            throw new InvalidDataException($"tar member '{path}' declared {declared} bytes but carried {received}");
    }
}
