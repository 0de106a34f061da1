namespace Isrm.Tests.Research;

/// <summary>
/// <c>isrm-research table SPEC</c> (issue 26, point 1): a table of figures read from JSON results by placeholders —
/// single values through filters, computed figures (best, mean ± sd, Wilson and paired intervals) — and one sentence
/// for a spec that does not hold.
/// </summary>
public sealed class TableCommandTests
{
    private const string Losses = """
        [{"checkpoint": "a", "k": "1", "loss": 2.5},
         {"checkpoint": "a", "k": "8", "loss": 1.52512},
         {"checkpoint": "a", "k": "inf", "loss": 1.5253, "meanK": 6.04},
         {"checkpoint": "b", "k": "1", "loss": 1.5394}]
        """;

    /// <summary>A folder with the four result files a spec may name (losses, s1, s2, s3).</summary>
    private static TempFolder Sources()
    {
        var temp = new TempFolder();
        File.WriteAllText(temp.Combine("losses.json"), Losses);
        File.WriteAllText(temp.Combine("s1.json"), """{"rows": [{"name": "isrm", "loss": 1.50}, {"name": "tf", "loss": 1.52}], "solved": 44, "n": 50, "flops": 77700000000000, "params": 605089}""");
        File.WriteAllText(temp.Combine("s2.json"), """{"rows": [{"name": "isrm", "loss": 1.55}, {"name": "tf", "loss": 1.54}], "solved": 9, "n": 10}""");
        File.WriteAllText(temp.Combine("s3.json"), """{"rows": [{"name": "isrm", "loss": 1.52}, {"name": "tf", "loss": 1.56}]}""");
        return temp;
    }

    private static string Spec(TempFolder temp, string rows, string header = "[\"what\", \"figure\"]")
    {
        string file = temp.Combine("table.json");
        string sources = string.Join(", ", new[] { "losses", "s1", "s2", "s3" }.Select(s => $"\"{s}\": \"{temp.Combine(s + ".json").Replace("\\", "/")}\""));
        File.WriteAllText(file, $$"""{"sources": { {{sources}} }, "header": {{header}}, "rows": {{rows}} }""");
        return file;
    }

    /// <summary>The table that <paramref name="rows"/> over the four sources renders to.</summary>
    private static string Render(string rows)
    {
        using TempFolder temp = Sources();
        return TableCommand.Render(Spec(temp, rows));
    }

    [Fact]
    public void Placeholders_read_single_values_through_filters_and_format_them()
    {
        string table = Render("""
            [["K = 8", "{losses:[checkpoint=a,k=8].loss|F4}"],
             ["∞ (mean K)", "{losses:[checkpoint=a,k=inf].loss|F4} ({losses:[checkpoint=a,k=inf].meanK|F1})"],
             ["best K of a", "{=argmin raw losses:[checkpoint=a] loss k}, loss {=min F4 losses:[checkpoint=a].loss}"],
             ["params, FLOPs", "{s1:params|N0}, {s1:flops|E2}, {s1:params|F1/1000} k"],
             ["solved", "{s1:solved} of {s1:n} ({s1:solved|F0}, {=ratio P0 s1:solved s1:n} %, 95 % {=wilson P0 s1:solved s1:n} %)"],
             ["second row by index", "{s1:rows[1].name}"],
             ["two parts", "{=sum F0 s1:solved s2:solved} of {=sum F0 s1:n s2:n} ({=wilson P0 s1:solved+s2:solved s1:n+s2:n} %)"]]
            """);
        string[] lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("| what | figure |", lines[0]);
        Assert.Equal("| --- | --- |", lines[1]);
        Assert.Equal("| K = 8 | 1.5251 |", lines[2]);
        Assert.Equal("| ∞ (mean K) | 1.5253 (6.0) |", lines[3]);
        Assert.Equal("| best K of a | 8, loss 1.5251 |", lines[4]);
        Assert.Equal("| params, FLOPs | 605,089, 7.77e+13, 605.1 k |", lines[5]);
        Assert.Equal("| solved | 44 of 50 (44, 88 %, 95 % 76–94 %) |", lines[6]);
        Assert.Equal("| second row by index | tf |", lines[7]);
        Assert.Equal("| two parts | 53 of 60 (78–94 %) |", lines[8]);   // 44 of 50 and 9 of 10 added up
    }

    [Fact]
    public void Json_lines_are_read_as_one_array_a_negative_index_counts_from_the_end_and_a_slice_takes_a_run()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.Combine("metrics.jsonl"), "{\"step\": 1, \"elapsedSec\": 2.5}\n{\"step\": 2, \"elapsedSec\": 5.25}\n\n{\"step\": 3, \"elapsedSec\": 2399.4}\n");
        string file = temp.Combine("table.json");
        File.WriteAllText(file, $$"""{"sources": { "m": "{{temp.Combine("metrics.jsonl").Replace("\\", "/")}}" }, "header": ["what", "figure"], "rows": [["last", "{m:[-1].elapsedSec|F1/60} min at step {m:[-1].step}"], ["first", "{m:[0].step}"], ["max", "{=max F2 m:[-1].elapsedSec m:[-2].elapsedSec}"], ["last two", "{=mean F3 m:[-2:].elapsedSec} of {=count F0 m:[-2:].step}"], ["all", "{=count F0 m:[:].step}, {=sum F2 m:[1:2].elapsedSec}"]] }""");
        string[] lines = TableCommand.Render(file).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("| last | 40.0 min at step 3 |", lines[2]);
        Assert.Equal("| first | 1 |", lines[3]);
        Assert.Equal("| max | 2399.40 |", lines[4]);
        Assert.Equal("| last two | 1202.325 of 2 |", lines[5]);   // a slice [-2:] takes the last two elements
        Assert.Equal("| all | 3, 5.25 |", lines[6]);
    }

    [Fact]
    public void Seeds_give_mean_and_sd_and_a_paired_t_interval()
    {
        string table = Render("""
            [["isrm", "{=meansd F3 s1:rows[name=isrm].loss s2:rows[name=isrm].loss s3:rows[name=isrm].loss}"],
             ["isrm − tf", "{=paired F3 s1:rows[name=isrm].loss s2:rows[name=isrm].loss s3:rows[name=isrm].loss ; s1:rows[name=tf].loss s2:rows[name=tf].loss s3:rows[name=tf].loss}"]]
            """);
        // isrm: 1.50, 1.55, 1.52 → mean 1.5233, sd 0.0252; differences −0.02, 0.01, −0.04 → mean −0.0167,
        // sd 0.0252, half-width 4.3027 × 0.0252 / √3 = 0.0626
        Assert.Contains("| isrm | 1.523 ± 0.025 |", table);
        Assert.Contains("| isrm − tf | -0.017 (95 % -0.079 to 0.046, n = 3) |", table);
    }

    [Theory]
    [InlineData("[[\"x\", \"{losses:[checkpoint=a].loss}\"]]", "the path matches 3 values; a cell needs one.")]
    [InlineData("[[\"x\", \"{losses:[checkpoint=c].loss|F2}\"]]", "the path matches 0 values; a cell needs one.")]
    [InlineData("[[\"x\", \"{nowhere:a}\"]]", "no source named 'nowhere'")]
    [InlineData("[[\"x\", \"{s1:solved|Q2}\"]]", "unknown format 'Q2'")]
    [InlineData("[[\"x\", \"{=median F2 s1:solved}\"]]", "unknown function 'median'")]
    [InlineData("[[\"x\"]]", "row 1 has 1 cells; the header has 2.")]
    [InlineData("[[\"x\", \"{s1:rows[0].nothing}\"]]", "no property 'nothing'")]
    public void A_spec_that_does_not_hold_is_one_sentence_naming_the_row(string rows, string expected)
    {
        using TempFolder temp = Sources();
        string spec = Spec(temp, rows);
        var e = Assert.Throws<ArgumentException>(() => TableCommand.Render(spec));
        Assert.Contains(expected, e.Message);
        if (!expected.StartsWith("row", StringComparison.Ordinal)) Assert.Contains("row 1", e.Message);

        var (code, _, errors) = BenchCommandTests.RunResearch("table", spec);
        Assert.Equal(1, code);
        Assert.Contains(expected, errors);
        Assert.DoesNotContain("   at ", errors);
    }
}
