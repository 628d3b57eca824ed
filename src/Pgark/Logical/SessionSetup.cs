namespace Pgark.Logical;

/// <summary>
/// Session settings of every pgark logical connection. An empty search_path makes the server qualify every name it
/// prints (pg_get_*def, format_type, regclass) and makes restored definitions resolve exactly as they were dumped;
/// fixed DateStyle/IntervalStyle/extra_float_digits make the COPY text the same on both sides (as pg_dump does).
/// synchronize_seqscans is off because a synchronized scan of a large table starts wherever another scan (or the
/// previous one) is, which would rotate the COPY text: that defeats deduplication between backups and makes the
/// read-back checksum after a restore differ from the backup's although the rows are the same.
/// </summary>
internal static class SessionSetup
{
    private const string Common = "SET search_path = ''; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; " +
        "SET extra_float_digits = 3; SET client_encoding = 'UTF8'; SET standard_conforming_strings = on; " +
        "SET synchronize_seqscans = off; ";

    public const string Read = Common + "SET statement_timeout = 0; SET lock_timeout = 0; ";

    public const string Write = Common + "SET check_function_bodies = false; SET client_min_messages = warning; " +
        "SET statement_timeout = 0; SET lock_timeout = 0; SET row_security = off; ";
}
