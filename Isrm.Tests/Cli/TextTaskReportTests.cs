namespace Isrm.Tests.Cli;

/// <summary>reports/text-tasks.md holds every table exactly as <c>isrm solve table</c> writes it from the committed results.</summary>
public sealed partial class TextTaskReportTests
{
    [Fact]
    public void Every_table_of_the_text_task_report_is_regenerated_from_its_json()
    {
        string report = File.ReadAllText(Repository.Combine("reports", "text-tasks.md"));
        string[] files = Source().Matches(report).Select(m => m.Groups[1].Value).Distinct().ToArray();
        Assert.True(files.Length >= 6, $"{files.Length} tables");
        foreach (string file in files)
        {
            string table = SolveTable.Markdown(SolveTable.Read(Repository.Combine(file.Split('/'))), [file], 2);
            Assert.True(report.Contains(table, StringComparison.Ordinal), $"the table of {file} differs from what isrm solve table writes");
        }
    }

    [GeneratedRegex(@"Written by `isrm solve table --results (\S+\.json)`")]
    private static partial Regex Source();
}
