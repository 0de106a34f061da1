namespace Isrm.Tests.Cli;

/// <summary><c>isrm solve table</c>: accuracy with n and a 95 % Wilson interval, K* and the overthinking check, from saved results.</summary>
public sealed class SolveTableTests
{
    [Theory]
    [InlineData(9, 10, 0.596, 0.982)]     // the 59×59 mazes: 9 of 10
    [InlineData(44, 50, 0.762, 0.944)]
    [InlineData(0, 50, 0.0, 0.071)]
    [InlineData(50, 50, 0.929, 1.0)]
    public void The_wilson_interval_matches_its_closed_form(int solved, int n, double low, double high)
    {
        var (l, h) = SolveTable.Wilson(solved, n);
        Assert.Equal(low, l, 3);
        Assert.Equal(high, h, 3);
    }

    [Fact]
    public void The_table_names_n_k_star_and_where_longer_thinking_falls_off()
    {
        using var temp = new TempFolder();
        string file = temp.Combine("r.json");
        File.WriteAllText(file, """
            {"task":"addition","checkpoint":"add-x","results":[
              {"size":10,"k":"1","instances":200,"solved":0,"accuracy":0,"positionAccuracy":0.5,"meanK":null},
              {"size":10,"k":"8","instances":200,"solved":190,"accuracy":0.95,"positionAccuracy":0.99,"meanK":null},
              {"size":10,"k":"16","instances":200,"solved":190,"accuracy":0.95,"positionAccuracy":0.99,"meanK":null},
              {"size":10,"k":"32","instances":200,"solved":150,"accuracy":0.75,"positionAccuracy":0.9,"meanK":null},
              {"size":10,"k":"inf","instances":200,"solved":189,"accuracy":0.945,"positionAccuracy":0.99,"meanK":12.5}]}
            """);
        var (code, table, err) = RunIsrm("solve", "table", "--results", file);
        Assert.True(code == 0, err);
        Assert.Contains("| 10 | 200 | 0 (0–1.9) | 95 (91–97.3) | 95 (91–97.3) | 75 (68.6–80.5) | 94.5 (90.4–96.9) (12.5) | 8 | yes, no (75), yes |", table);
        Assert.Contains("`add-x`", table);
        Assert.Equal(1, RunIsrm("solve", "table", "--results", temp.Path).ExitCode);   // a folder: one sentence
    }

    [Fact]
    public void Parts_of_one_measurement_add_up_per_size_and_k_and_parts_of_two_are_refused()
    {
        using var temp = new TempFolder();
        string a = temp.Combine("a.json"), b = temp.Combine("b.json"), other = temp.Combine("c.json");
        File.WriteAllText(a, """
            {"task":"mazes","checkpoint":"m","results":[{"size":59,"k":"inf","instances":10,"solved":9,"accuracy":0.9,"positionAccuracy":0.99,"meanK":400}]}
            """);
        File.WriteAllText(b, """
            {"task":"mazes","checkpoint":"m","results":[{"size":59,"k":"inf","instances":30,"solved":27,"accuracy":0.9,"positionAccuracy":0.97,"meanK":200}]}
            """);
        File.WriteAllText(other, """
            {"task":"mazes","checkpoint":"n","results":[{"size":59,"k":"inf","instances":10,"solved":9,"accuracy":0.9,"positionAccuracy":0.99,"meanK":400}]}
            """);
        var (code, table, err) = RunIsrm("solve", "table", "--results", a, b);
        Assert.True(code == 0, err);
        // 36 of 40; mean K over the 40: (10 × 400 + 30 × 200) / 40 = 250
        Assert.Contains("| 59 | 40 | 90 (76.9–96) (250) |", table);
        Assert.Contains("`a.json` + `b.json`", table);
        var (refused, _, sentence) = RunIsrm("solve", "table", "--results", a, other);
        Assert.Equal(1, refused);
        Assert.Contains("one table is one checkpoint", sentence);
    }
}
