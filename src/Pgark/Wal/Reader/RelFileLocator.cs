namespace Pgark.Wal.Reader;

/// <summary>
/// A relation's storage as WAL names it: tablespace OID, database OID, relfilenode number (RelFileNode before
/// PostgreSQL 16, RelFileLocator since; same 12 bytes). pg_waldump prints it as "spc/db/rel".
/// </summary>
public readonly record struct RelFileLocator(uint SpcOid, uint DbOid, uint RelNumber)
{
    public override string ToString() => $"{SpcOid}/{DbOid}/{RelNumber}";
}
