using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using Pgark.Wire.Messages;

namespace Pgark.Wire.Replication;

// The CopyData payloads of both dialects, turned into the one event sequence.
public sealed partial class BaseBackupStream
{
    private const byte NewArchive = (byte)'n';
    private const byte ArchiveOrManifestData = (byte)'d';
    private const byte ProgressReport = (byte)'p';
    private const byte ManifestFollows = (byte)'m';

    /// <summary>PostgreSQL 15+: the first byte of each CopyData says what it carries.</summary>
    private bool TryModernCopyData(out BaseBackupMessageKind kind)
    {
        ReadOnlySequence<byte> payload = Connection.Messages.Payload;
        var reader = new PayloadReader(payload, "BASE_BACKUP CopyData");
        byte type = payload.IsEmpty ? (byte)0 : reader.ReadByte();
        switch (type)
        {
            case NewArchive:
                string name = reader.ReadCString();
                string location = reader.ReadCString();
                reader.ExpectEnd();
                Archive = new BaseBackupArchive(name, location.Length == 0 ? null : location, TablespaceOidOf(name, location));
                kind = BaseBackupMessageKind.ArchiveStarted;
                return true;
            case ArchiveOrManifestData:
                if (Archive is null && !_inManifest)
                    throw Connection.Fail(new PgProtocolException("BASE_BACKUP sent archive data before any 'n' (new archive) message"));
                Data = payload.Slice(1);
                kind = _inManifest ? BaseBackupMessageKind.ManifestData : BaseBackupMessageKind.ArchiveData;
                return true;
            case ProgressReport:
                ProgressBytes = reader.ReadInt64();
                reader.ExpectEnd();
                kind = BaseBackupMessageKind.Progress;
                return true;
            case ManifestFollows:
                reader.ExpectEnd();
                _inManifest = true;
                Archive = null;
                kind = BaseBackupMessageKind.ManifestStarted;
                return true;
            default:
                throw Connection.Fail(new PgProtocolException(
                    $"BASE_BACKUP sent an unknown CopyData type 0x{type:X2}; pgark knows 'n', 'd', 'p' and 'm' (PostgreSQL 15-18)"));
        }
    }

    /// <summary>
    /// PostgreSQL 13/14: COPY number k (1-based) is the archive of tablespace row k, the one after the last row is
    /// backup_manifest; the first CopyData of each COPY announces it.
    /// </summary>
    private bool TryLegacyCopyData(out BaseBackupMessageKind kind)
    {
        int archiveIndex = _legacyCopyIndex; // 0-based: the first COPY came with the header
        if (archiveIndex < _tablespaces.Count)
        {
            BaseBackupTablespace tablespace = _tablespaces[archiveIndex];
            string name = tablespace.Oid is { } oid ? oid.ToString(CultureInfo.InvariantCulture) + ".tar" : "base.tar";
            if (Archive?.Name != name)
            {
                Archive = new BaseBackupArchive(name, tablespace.Location, tablespace.Oid);
                _pendingData = true;
                kind = BaseBackupMessageKind.ArchiveStarted;
                return true;
            }
        }
        else if (!_inManifest)
        {
            _inManifest = true;
            Archive = null;
            _pendingData = true;
            kind = BaseBackupMessageKind.ManifestStarted;
            return true;
        }
        _pendingData = false;
        Data = Connection.Messages.Payload;
        kind = _inManifest ? BaseBackupMessageKind.ManifestData : BaseBackupMessageKind.ArchiveData;
        return true;
    }

    private static uint? TablespaceOidOf(string archiveName, string location)
    {
        if (location.Length == 0 || !archiveName.EndsWith(".tar", StringComparison.Ordinal))
            return null;
        return uint.TryParse(archiveName.AsSpan(0, archiveName.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out uint oid)
            ? oid
            : null;
    }
}
