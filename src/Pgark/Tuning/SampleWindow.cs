namespace Pgark.Tuning;

/// <summary>
/// One sampled window of a cluster file: up to <see cref="SampleCollector.WindowSize"/> bytes at a window-aligned offset.
/// Windows of relation files are aligned to every candidate extent size, so each candidate cuts them like a backup would.
/// </summary>
public sealed class SampleWindow(string path, long offset, bool isRelation, byte[] data)
{
    public string Path { get; } = path;
    public long Offset { get; } = offset;
    /// <summary>A relation file: stored as extents with page hashes (spec §7.1); otherwise cut with FastCDC.</summary>
    public bool IsRelation { get; } = isRelation;
    public byte[] Data { get; } = data;

    /// <summary>
    /// Whether each page of this window differs from the earlier backup's, by that backup's page hashes (spec §7.4; a page
    /// it did not have differs); null when there is no earlier backup of the file. Lets every candidate price a repeat
    /// backup without old data.
    /// </summary>
    public bool[]? ChangedPages { get; set; }
}
