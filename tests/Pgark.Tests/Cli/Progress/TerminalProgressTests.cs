using Pgark.Cli;
using Pgark.Cli.Progress;

namespace Pgark.Tests.Cli.Progress;

/// <summary>The terminal progress bar: its line for a scripted series of reports, throttled by an injected clock.</summary>
public sealed class TerminalProgressTests
{
    private const long GiB = 1L << 30, MiB = 1L << 20;

    private readonly StringWriter _error = new();
    private readonly ManualClock _clock = new();

    private TerminalProgress Bar(int width = 120) => new(_error, enabled: true, width, _clock);

    [Fact]
    public void A_backup_draws_its_bar_rate_and_eta_at_most_ten_times_a_second_and_erases_it()
    {
        var bar = Bar();
        bar.Report("backup", 0, 4 * GiB, "0 files");
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        bar.Report("backup", 10 * MiB, 4 * GiB, "3 files");      // 50 ms after the last draw: not drawn
        _clock.Advance(TimeSpan.FromMilliseconds(1950));
        bar.Report("backup", GiB, 4 * GiB, "12 files");          // 2 s into the phase: 512 MiB/s, 3 GiB left
        bar.Report("backup", 4 * GiB, 4 * GiB, "40 files");      // at once: the work reached its total
        bar.Report("backup", 4 * GiB, 4 * GiB, "40 files");      // the same line again: not redrawn
        bar.Dispose();

        const string first = "backup [----------------]   0%  0 B of 4.0 GiB  0 files";
        const string second = "backup [####------------]  25%  1.0 GiB of 4.0 GiB  512.0 MiB/s  ETA 0:06  12 files";
        const string last = "backup [################] 100%  4.0 GiB of 4.0 GiB  2.0 GiB/s  40 files";
        Assert.Equal("\r" + first + "\r" + second + "\r" + last.PadRight(second.Length) + "\r" + new string(' ', last.Length) + "\r",
            _error.ToString());
    }

    [Fact]
    public void Reports_closer_than_the_redraw_interval_are_dropped_and_the_next_one_after_it_is_drawn()
    {
        var bar = Bar();
        for (var i = 0; i <= 30; i++)
        {
            bar.Report("restore", i * MiB, 100 * MiB);
            _clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        // 31 reports over 300 ms: drawn at 0, 100, 200 and 300 ms.
        Assert.Equal(["0 B", "10.0 MiB", "20.0 MiB", "30.0 MiB"],
            _error.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split("%  ")[1].Split(" of ")[0]));
    }

    [Fact]
    public void Without_a_total_there_is_no_bar_nor_eta_only_the_amount_and_the_rate()
    {
        var bar = Bar();
        bar.Report("backup", 0, null);
        _clock.Advance(TimeSpan.FromSeconds(4));
        bar.Report("backup", 2 * GiB, null, "900 files");

        Assert.Equal("\rbackup  0 B\rbackup  2.0 GiB  512.0 MiB/s  900 files", _error.ToString());
    }

    [Fact]
    public void Items_are_counted_by_name_and_a_new_phase_is_drawn_at_once_with_its_own_rate()
    {
        var bar = Bar();
        bar.Report("prune: marking", 0, 4, unit: "snapshots");
        _clock.Advance(TimeSpan.FromSeconds(1));
        bar.Report("prune: marking", 2, 4, unit: "snapshots");
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        bar.Report("prune: deleting", 5, 10, unit: "packs"); // 1 ms later, but a new phase: drawn, and no rate yet

        const string marking = "prune: marking [########--------]  50%  2 of 4 snapshots  2.0/s  ETA 0:01";
        Assert.Equal(
            "\rprune: marking [----------------]   0%  0 of 4 snapshots"
            + "\r" + marking
            + "\r" + "prune: deleting [########--------]  50%  5 of 10 packs".PadRight(marking.Length),
            _error.ToString());
    }

    [Fact]
    public void A_line_written_above_the_bar_erases_it_first_and_the_next_report_draws_it_again()
    {
        var bar = Bar();
        bar.Report("restore", MiB, 2 * MiB);
        bar.WriteLine("pgark: starting the scratch server");
        bar.Report("restore", MiB + 1, 2 * MiB); // inside the redraw interval, but the line is gone: drawn again

        const string line = "restore [########--------]  50%  1.0 MiB of 2.0 MiB";
        Assert.Equal("\r" + line + "\r" + new string(' ', line.Length) + "\r" + "pgark: starting the scratch server" + Environment.NewLine
            + "\r" + line, _error.ToString());
    }

    [Fact]
    public void Past_the_total_is_held_at_100_percent_and_on_a_narrow_terminal_the_detail_goes_first_then_the_tail()
    {
        new TerminalProgress(_error, enabled: true, width: 60, _clock).Report("backup", 5 * GiB, 4 * GiB, "an estimate is only an estimate");
        Assert.Equal("\rbackup [################] 100%  5.0 GiB of 4.0 GiB", _error.ToString());

        _error.GetStringBuilder().Clear();
        new TerminalProgress(_error, enabled: true, width: 40, _clock).Report("backup", 5 * GiB, 4 * GiB, "an estimate is only an estimate");
        Assert.Equal("\rbackup [################] 100%  5.0 GiB", _error.ToString()); // 39 columns: never wraps
    }

    [Fact]
    public void Disabled_it_writes_nothing_and_hands_the_engine_no_progress_but_still_writes_whole_lines()
    {
        var bar = new TerminalProgress(_error, enabled: false, 80, _clock);

        bar.Report("check", 1, 2);
        bar.Clear();
        Assert.Null(bar.Reporter<int>((b, i) => b.Report("x", i, 10)));
        Assert.Equal("", _error.ToString());
        bar.WriteLine("pgark: restoring");
        Assert.Equal("pgark: restoring" + Environment.NewLine, _error.ToString());
    }

    [Fact]
    public void Off_unless_stderr_is_the_process_terminal_and_json_was_not_asked()
    {
        // A captured stderr (tests, or any writer that is not the console's); and --json even on the console.
        var captured = TerminalProgress.For(new CliContext(new StringWriter(), _error, _ => null, new CliRunner.RecordingProbe()), json: false);
        var json = TerminalProgress.For(new CliContext(new StringWriter(), Console.Error, _ => null, new CliRunner.RecordingProbe()), json: true);

        Assert.False(captured.Enabled);
        Assert.False(json.Enabled);
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(1536 * 1024, "1.5 MiB")]
    [InlineData(3L << 40, "3.0 TiB")]
    public void Bytes_are_written_in_binary_units(long bytes, string text) => Assert.Equal(text, ProgressText.Bytes(bytes));

    [Theory]
    [InlineData(0.0, "0:00")]
    [InlineData(6.2, "0:07")]
    [InlineData(725, "12:05")]
    [InlineData(10961, "3:02:41")]
    [InlineData(400000, ">99h")]
    public void Durations_round_up_to_the_second(double seconds, string text) => Assert.Equal(text, ProgressText.Duration(seconds));

    /// <summary>A clock that moves only when told: throttling, rate and ETA without sleeping.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private long _ticks = 1_000_000;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Advance(TimeSpan by) => _ticks += by.Ticks;
    }
}
