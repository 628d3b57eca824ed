using System.Diagnostics;
using System.Globalization;
using Pgark.Physical;
using Pgark.Physical.Tar;
using Pgark.Wire.Connection;
using Pgark.Wire.Replication;

namespace Pgark.Tuning;

/// <summary>
/// Samples a live cluster over the replication protocol: one BASE_BACKUP (PROGRESS for the size estimate, no WAL, no
/// manifest, no checksum verification), its tar streams parsed as a backup would, every k-th 1 MiB window kept
/// (<see cref="SampleCollector"/>). Reading stops at the end of the stream, when the sample budget is full, or at the
/// deadline; an abandoned BASE_BACKUP is ended by closing the connection, which the server treats as an aborted backup.
/// </summary>
public static class ClusterSampler
{
    public static async Task<TuneSample> SampleAsync(ConnectionSettings settings, long budget, TimeSpan timeLimit,
        Action<long, long>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        settings = settings.Replication == ReplicationMode.Physical ? settings : settings with { Replication = ReplicationMode.Physical };
        var connection = await PgConnection.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var system = await connection.IdentifySystemAsync(cancellationToken).ConfigureAwait(false);
            var options = new BaseBackupOptions
            {
                Label = "pgark tune", Progress = true, Manifest = false, VerifyChecksums = false, TablespaceMap = false,
            };
            var backup = await BaseBackupStream.StartAsync(connection, options, cancellationToken).ConfigureAwait(false);
            await using (backup.ConfigureAwait(false))
            {
                var estimate = backup.Tablespaces.Sum(t => (t.Size ?? 0) * 1024);
                var collector = new SampleCollector(Math.Max(estimate, budget), budget);
                var reader = new ArchiveReader(collector);
                var complete = true;
                while (true)
                {
                    var kind = await backup.ReadAsync(cancellationToken).ConfigureAwait(false);
                    if (kind == BaseBackupMessageKind.End || kind == BaseBackupMessageKind.ManifestStarted)
                        break;
                    if (kind == BaseBackupMessageKind.ArchiveStarted)
                        reader.BeginArchive(backup.Archive!);
                    else if (kind == BaseBackupMessageKind.ArchiveData)
                    {
                        foreach (var piece in backup.Data)
                            reader.Feed(piece);
                        progress?.Invoke(reader.ReadBytes, estimate);
                    }
                    // Without an estimate (no PROGRESS sizes) only reading on tells the cluster's size, so a full budget does not stop it.
                    if ((collector.BudgetReached && estimate > 0) || clock.Elapsed > timeLimit)
                    {
                        complete = false;
                        break;
                    }
                }
                reader.EndFile();
                // Bytes not read are split between the classes as in what was read.
                var seen = collector.RelationBytesSeen + collector.OtherBytesSeen;
                var total = complete ? seen : Math.Max(seen, estimate);
                var relation = seen == 0 ? 0 : (long)(total * (collector.RelationBytesSeen / (double)seen));
                return new TuneSample($"cluster {system.SystemId.ToString(CultureInfo.InvariantCulture)}", collector.Windows, relation,
                    total - relation, reader.ReadBytes, complete, SystemIdentifier: system.SystemId);
            }
        }
    }

    /// <summary>Routes tar members to the collector: regular files only, relation files marked as such.</summary>
    private sealed class ArchiveReader(SampleCollector collector)
    {
        private TarStreamParser? _parser;
        private string _prefix = "";
        private bool _inFile;

        public long ReadBytes { get; private set; }

        public void BeginArchive(BaseBackupArchive archive)
        {
            EndFile();
            _parser = new TarStreamParser();
            _prefix = archive.TablespaceOid is { } oid ? "pg_tblspc/" + oid.ToString(CultureInfo.InvariantCulture) + "/" : "";
        }

        public void Feed(ReadOnlyMemory<byte> input)
        {
            var parser = _parser ?? throw new InvalidDataException("BASE_BACKUP sent archive data outside an archive");
            ReadBytes += input.Length;
            while (true)
            {
                var kind = parser.Read(input, out var consumed, out var data);
                input = input[consumed..];
                switch (kind)
                {
                    case TarEventKind.NeedMoreData:
                        return;
                    case TarEventKind.EntryStarted when parser.Entry!.Type == TarEntryType.Regular:
                        var path = _prefix + parser.Entry.Name;
                        collector.BeginFile(path, RelationFiles.IsRelationFile(path));
                        _inFile = true;
                        break;
                    case TarEventKind.Data when _inFile:
                        collector.Write(data.Span);
                        break;
                    case TarEventKind.EntryEnded:
                        EndFile();
                        break;
                }
            }
        }

        public void EndFile()
        {
            if (_inFile)
                collector.EndFile();
            _inFile = false;
        }
    }
}
