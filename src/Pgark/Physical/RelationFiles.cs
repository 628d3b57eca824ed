using System.Text.RegularExpressions;

namespace Pgark.Physical;

/// <summary>
/// Which data-directory paths are relation files: made of BLCKSZ pages, so they go through the repository's
/// extent and page-delta path instead of FastCDC. A relation file is
/// <c>global/&lt;relfilenode&gt;</c>, <c>base/&lt;dboid&gt;/&lt;relfilenode&gt;</c> or
/// <c>pg_tblspc/&lt;spcoid&gt;/&lt;version dir&gt;/&lt;dboid&gt;/&lt;relfilenode&gt;</c>, optionally with a fork suffix
/// (_fsm, _vm, _init) and a segment number (.1, .2, …), as in PostgreSQL's relpath.c / parse_filename_for_nontemp_relation.
/// Temporary relations (t&lt;backend&gt;_&lt;n&gt;) are never in a base backup.
/// </summary>
internal static partial class RelationFiles
{
    [GeneratedRegex(@"^(global|base/[0-9]+|pg_tblspc/[0-9]+/[^/]+/[0-9]+)/[0-9]+(_fsm|_vm|_init)?(\.[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsRelationFile(string path) => Pattern().IsMatch(path);
}
