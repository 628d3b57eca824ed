using System.Text;
using Pgark.Logical.Restore;
using Xunit;

namespace Pgark.Tests.Logical;

/// <summary>
/// A table loaded in parts (TableParts): the parts must send every row exactly once, whole, in order, and hash exactly the
/// byte ranges whose BLAKE3 subtrees combine into the whole text's hash, however the text is cut into stored pieces.
/// </summary>
public class TablePartCursorTests
{
    [Theory]
    [InlineData(1, 2, 40)]
    [InlineData(2, 3, 12)]
    [InlineData(3, 4, 300)]
    [InlineData(4, 5, 2000)]
    [InlineData(5, 2, 5000)]
    public void Parts_send_every_row_once_and_hash_contiguous_ranges(int seed, int parts, int maxRowLength)
    {
        var random = new Random(seed);
        for (int round = 0; round < 40; round++)
        {
            byte[] text = CopyText(random, rows: random.Next(1, 400), maxRowLength);
            if (text.Length < parts * 1024)
                continue;
            List<byte[]> pieces = Cut(random, text);
            long[] bounds = TableParts.HashBounds(text.Length, parts);
            var sent = new MemoryStream();
            long hashedUpTo = 0, sentBefore = 0;
            for (int part = 0; part < parts; part++)
            {
                long[] starts = PieceStarts(pieces);
                int first = Array.BinarySearch(starts, 0, pieces.Count, bounds[part]);
                first = first >= 0 ? first : ~first - 1;
                var cursor = new TablePartCursor(bounds[part], bounds[part + 1], text.Length, starts[first], part == 0, part == parts - 1);
                long position = starts[first];
                for (int i = first; i < pieces.Count && !cursor.Done; i++)
                {
                    var (hash, send) = cursor.Next(pieces[i]);
                    var (hashOffset, hashLength) = hash.GetOffsetAndLength(pieces[i].Length);
                    if (hashLength > 0)
                    {
                        Assert.Equal(hashedUpTo, position + hashOffset); // hashed ranges are contiguous, in order
                        hashedUpTo += hashLength;
                    }
                    sent.Write(pieces[i].AsSpan(send));
                    position += pieces[i].Length;
                }
                Assert.Equal(bounds[part + 1], hashedUpTo);
                // What the part says it sent is what it sent, starting where the previous part's ended.
                Assert.Equal(sentBefore, cursor.SentStart == text.Length ? sent.Length : cursor.SentStart);
                Assert.Equal(sent.Length, cursor.SentEnd);
                sentBefore = sent.Length;
                // A part ends on a row boundary: what has been sent so far is whole rows.
                Assert.True(sent.Length == 0 || sent.GetBuffer()[sent.Length - 1] == (byte)'\n', $"part {part} ends mid-row");
            }
            Assert.Equal(text, sent.ToArray());
        }
    }

    [Fact]
    public void A_row_longer_than_a_part_goes_whole_to_the_part_it_starts_in()
    {
        // One short row, one row spanning both later boundaries, one short row: the middle part sends nothing.
        byte[] text = Encoding.ASCII.GetBytes("a\n" + new string('x', 5000) + "\nb\n");
        long[] bounds = TableParts.HashBounds(text.Length, 3);
        var sentByPart = new List<string>();
        for (int part = 0; part < 3; part++)
        {
            var cursor = new TablePartCursor(bounds[part], bounds[part + 1], text.Length, 0, part == 0, part == 2);
            var (_, send) = cursor.Next(text);
            sentByPart.Add(Encoding.ASCII.GetString(text.AsSpan(send)));
            Assert.True(cursor.Done);
        }
        Assert.Equal(["a\n" + new string('x', 5000) + "\n", "", "b\n"], sentByPart);
    }

    [Fact]
    public void Parts_are_planned_only_for_a_table_that_outlasts_the_others()
    {
        long mib = 1L << 20;
        Assert.Equal(1, TableParts.CountFor(200 * mib, 300 * mib, jobs: 1));
        Assert.Equal(2, TableParts.CountFor(200 * mib, 300 * mib, jobs: 2));  // 200 > 150, the share of each of 2 workers
        Assert.Equal(1, TableParts.CountFor(100 * mib, 300 * mib, jobs: 2));  // 100 <= 150: whole
        Assert.Equal(4, TableParts.CountFor(900 * mib, 1000 * mib, jobs: 4));
        Assert.Equal(2, TableParts.CountFor(400 * mib, 1000 * mib, jobs: 4)); // 400 over shares of 250: 2 parts
        Assert.Equal(1, TableParts.CountFor(60 * mib, 60 * mib, jobs: 2));    // parts under 32 MiB are not worth it
        Assert.Equal(2, TableParts.CountFor(70 * mib, 72 * mib, jobs: 4));    // 3 shares of 34 MiB would make parts under 32 MiB
    }

    private static byte[] CopyText(Random random, int rows, int maxRowLength)
    {
        var text = new StringBuilder();
        for (int row = 0; row < rows; row++)
        {
            int length = random.Next(0, maxRowLength);
            for (int i = 0; i < length; i++)
                text.Append((char)random.Next('0', 'z'));
            text.Append('\n');
        }
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static List<byte[]> Cut(Random random, byte[] text)
    {
        var pieces = new List<byte[]>();
        for (int offset = 0; offset < text.Length;)
        {
            int length = Math.Min(text.Length - offset, random.Next(1, 3000));
            pieces.Add(text.AsSpan(offset, length).ToArray());
            offset += length;
        }
        return pieces;
    }

    private static long[] PieceStarts(List<byte[]> pieces)
    {
        var starts = new long[pieces.Count + 1];
        for (int i = 0; i < pieces.Count; i++)
            starts[i + 1] = starts[i] + pieces[i].Length;
        return starts;
    }
}
