using System.Globalization;
using System.Text;

namespace Pgark.Wire.Replication;

/// <summary>
/// Builds the BASE_BACKUP command text. PostgreSQL 15 replaced the keyword list with a parenthesized option list and
/// a single CopyOut stream (protocol-replication.html, "BASE_BACKUP"); 13 and 14 only know the keywords.
/// </summary>
public static class BaseBackupCommand
{
    /// <summary>First server_version_num with the parenthesized syntax and the 'n'/'d'/'p'/'m' stream.</summary>
    public const int ModernVersion = 150000;

    public static string Build(BaseBackupOptions options, int serverVersion)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxRateKilobytesPerSecond is { } rate && rate is < 32 or > 1048576)
            throw new ArgumentOutOfRangeException(nameof(options), rate, "MAX_RATE must be 32..1048576 kB/s");
        return serverVersion >= ModernVersion ? Modern(options) : Legacy(options);
    }

    private static string Modern(BaseBackupOptions options)
    {
        var items = new List<string> { $"LABEL {Quote(options.Label)}" };
        if (options.Progress)
            items.Add("PROGRESS");
        items.Add(options.Checkpoint == BaseBackupCheckpoint.Fast ? "CHECKPOINT 'fast'" : "CHECKPOINT 'spread'");
        items.Add("WAL false");
        // The caller streams the WAL beside the backup (as pg_basebackup -X stream does), so the end of the backup need not
        // wait for the archiver to take the last segment: with archive_mode on that wait costs a whole archive_command.
        items.Add("WAIT false");
        if (options.Manifest)
        {
            items.Add("MANIFEST 'yes'");
            items.Add($"MANIFEST_CHECKSUMS {Quote(ChecksumName(options.ManifestChecksum))}");
        }
        if (options.TablespaceMap)
            items.Add("TABLESPACE_MAP");
        if (!options.VerifyChecksums)
            items.Add("VERIFY_CHECKSUMS false");
        if (options.MaxRateKilobytesPerSecond is { } rate)
            items.Add("MAX_RATE " + rate.ToString(CultureInfo.InvariantCulture));
        return "BASE_BACKUP (" + string.Join(", ", items) + ")";
    }

    private static string Legacy(BaseBackupOptions options)
    {
        var sql = new StringBuilder("BASE_BACKUP LABEL ").Append(Quote(options.Label));
        if (options.Progress)
            sql.Append(" PROGRESS");
        if (options.Checkpoint == BaseBackupCheckpoint.Fast)
            sql.Append(" FAST");
        sql.Append(" NOWAIT"); // see Modern: the WAL is streamed, not waited for in the archive
        if (options.TablespaceMap)
            sql.Append(" TABLESPACE_MAP");
        if (!options.VerifyChecksums)
            sql.Append(" NOVERIFY_CHECKSUMS");
        if (options.MaxRateKilobytesPerSecond is { } rate)
            sql.Append(" MAX_RATE ").Append(rate.ToString(CultureInfo.InvariantCulture));
        if (options.Manifest)
            sql.Append(" MANIFEST 'yes' MANIFEST_CHECKSUMS ").Append(Quote(ChecksumName(options.ManifestChecksum)));
        return sql.ToString();
    }

    private static string ChecksumName(ManifestChecksum checksum) => checksum switch
    {
        ManifestChecksum.Sha256 => "SHA256",
        ManifestChecksum.Crc32C => "CRC32C",
        _ => "NONE",
    };

    /// <summary>A replication-grammar string literal: single quotes doubled; NUL cannot be sent at all.</summary>
    internal static string Quote(string value)
    {
        if (value.Contains('\0'))
            throw new ArgumentException("a backup label cannot contain NUL", nameof(value));
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }
}
