using Pgark.Cli;
using Pgark.Cli.Commands.Tune;
using Pgark.Tests.Cli;

namespace Pgark.Tests.Tuning;

/// <summary>tune's progress bar: drawn with "\r" redraws on a terminal, absent everywhere else.</summary>
public sealed class TuneProgressLineTests
{
    [Fact]
    public void On_a_terminal_the_bar_fills_redraws_in_place_and_is_erased()
    {
        var error = new StringWriter();
        var bar = new TuneProgressLine(error, enabled: true, width: 80);

        bar.Show(0, 4, "trial 1/4: zstd:3");
        bar.Show(1, 4, "trial 2/4: zstd:9");
        bar.Show(1, 4, "trial 2/4: zstd:9"); // the same line is not drawn twice
        bar.Show(9, 4, "done");               // past the end is clamped to 100%
        bar.Clear();

        Assert.Equal(
            "\r[------------------------]   0% trial 1/4: zstd:3"
            + "\r[######------------------]  25% trial 2/4: zstd:9"
            + "\r[########################] 100% done" + new string(' ', 13) // padded over the longer line before it
            + "\r" + new string(' ', 36) + "\r",
            error.ToString());
    }

    [Fact]
    public void A_line_wider_than_the_terminal_is_cut_so_it_cannot_wrap()
    {
        var error = new StringWriter();
        var bar = new TuneProgressLine(error, enabled: true, width: 40);

        bar.Show(1, 2, "sampling snapshot 3f2a9c1e: 120 MiB read");

        Assert.Equal("\r[############------------]  50% samplin", error.ToString());
        Assert.Equal(39, error.ToString().Length - 1);
    }

    [Fact]
    public void Without_a_terminal_or_with_json_nothing_is_written()
    {
        var error = new StringWriter();
        var captured = TuneProgressLine.For(new CliContext(new StringWriter(), error, _ => null, new CliRunner.RecordingProbe()), json: false);
        // The process's own stderr, but --json: tools read the output, a person is not watching.
        var json = TuneProgressLine.For(new CliContext(new StringWriter(), Console.Error, _ => null, new CliRunner.RecordingProbe()), json: true);

        Assert.False(captured.Enabled);
        Assert.False(json.Enabled);
        captured.Show(1, 2, "trial 2/4");
        captured.Clear();
        Assert.Equal("", error.ToString());
    }
}
