namespace Pgark.Repository.Check;

/// <summary>
/// How far check has got through the packs, reported once per pack (the pass that takes the time: with read-data every
/// pack is read whole). Without read-data only headers are read and <paramref name="BytesToRead"/> is 0.
/// </summary>
/// <param name="PacksDone">Packs checked so far.</param>
/// <param name="TotalPacks">Packs the index lists.</param>
/// <param name="BytesRead">Bytes of the packs read whole so far.</param>
/// <param name="BytesToRead">Bytes of every pack that this run reads whole.</param>
public sealed record CheckProgress(int PacksDone, int TotalPacks, long BytesRead, long BytesToRead);
