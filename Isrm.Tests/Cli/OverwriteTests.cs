namespace Isrm.Tests.Cli;

/// <summary>
/// Nothing is overwritten without being asked: every command that writes a file or a folder refuses one that exists
/// (naming it and --force), and a user's file in the target survives.
/// </summary>
public class OverwriteTests(TinyCheckpointFixture tiny, ITestOutputHelper output) : IClassFixture<TinyCheckpointFixture>, IDisposable
{
    private readonly TempFolder _temp = new();
    private static readonly string Carry = Repository.Combine("checkpoints", "prefix-sums-carry");

    /// <summary>A folder holding a user's notes.txt.</summary>
    private string UserFolder(string name)
    {
        string folder = _temp.Combine(name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "my notes");
        return folder;
    }

    /// <summary>A user's file.</summary>
    private string UserFile(string name)
    {
        string file = _temp.Combine(name);
        File.WriteAllText(file, "my results");
        return file;
    }

    private void AssertRefused((int Code, string Out, string Err) result, string target)
    {
        output.WriteLine($"exit {result.Code}: {result.Err}");
        Assert.Equal(1, result.Code);
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--force", line);
        Assert.Contains(target, line);
        if (Directory.Exists(target)) Assert.Equal("my notes", File.ReadAllText(Path.Combine(target, "notes.txt")));
        else Assert.Equal("my results", File.ReadAllText(target));
    }

    private string PuzzleFile()
    {
        string file = _temp.Combine($"bits-{Guid.NewGuid():N}.txt");
        File.WriteAllText(file, "0110\n1011\n");
        return file;
    }

    [Fact]
    public void Export_import_and_train_refuse_a_folder_that_holds_a_users_file()
    {
        string d = UserFolder("export");
        AssertRefused(RunIsrm("export", "--checkpoint", tiny.Directory, "--out", d), d);
        AssertRefused(RunIsrm("export", "--checkpoint", Carry, "--out", d), d);
        AssertRefused(RunIsrm("import", "--checkpoint", tiny.Directory, "--out", d), d);
        using var corpus = new TinyCorpus();
        AssertRefused(RunIsrm("train", "--corpus", corpus.Directory, "--out", d, "--steps", "1"), d);
        AssertRefused(RunIsrm("train", "--task", "prefix-sums", "--sizes", "4", "--out", d, "--steps", "1"), d);
        AssertRefused(RunIsrm("data", "tokenizer", "--corpus", corpus.Directory, "--vocab", "260", "--out", d), d);
        AssertRefused(RunIsrm("data", "brown", "--out", d, "--registry", "http://127.0.0.1:9"), d);
    }

    [Fact]
    public void Commands_that_write_a_file_refuse_an_existing_one()
    {
        string f = UserFile("results.json");
        AssertRefused(RunIsrm("data", "task", "prefix-sums", "--sizes", "4", "--count", "2", "--out", f), f);
        AssertRefused(RunIsrm("solve", "--checkpoint", Carry, "--input", PuzzleFile(), "--k", "1", "--json", f), f);
        AssertRefused(RunIsrm("solve", "--checkpoint", Carry, "--input", PuzzleFile(), "--k", "1", "--plot", f), f);
        AssertRefused(RunIsrm("info", "--checkpoint", tiny.Directory, "--json", f), f);
        AssertRefused(RunIsrm("generate", "--checkpoint", tiny.Directory, "--prompt", "hi", "--max-tokens", "1", "--json", f), f);
        using var corpus = new TinyCorpus();
        AssertRefused(RunIsrm("eval", "--checkpoint", tiny.Directory, "--corpus", corpus.Directory, "--k", "1", "--windows", "1", "--json", f), f);
        string saved = _temp.Combine("saved.json");
        Assert.Equal(0, RunIsrm("solve", "--checkpoint", Carry, "--input", PuzzleFile(), "--k", "1", "--json", saved).ExitCode);
        AssertRefused(RunIsrm("solve", "plot", "--results", saved, "--size", "4", "--out", f), f);
    }

    [Fact]
    public void Force_replaces_and_a_re_save_keeps_a_users_file()
    {
        string d = UserFolder("forced");
        var (code, _, err) = RunIsrm("export", "--checkpoint", tiny.Directory, "--out", d, "--force");
        Assert.True(code == 0, err);
        Assert.True(File.Exists(Path.Combine(d, Checkpoint.SafeTensorsFile)));
        Assert.False(File.Exists(Path.Combine(d, "notes.txt")));   // --force: the folder was replaced, as asked

        // A training run's own folder: a file the user adds survives the next save.
        using var corpus = new TinyCorpus();
        Assert.Equal(0, RunIsrm("train", "--corpus", corpus.Directory, "--out", corpus.Out, "--steps", "2", "--width", "48", "--batch", "2", "--context", "16", "--k-max", "2", "--json").ExitCode);
        File.WriteAllText(Path.Combine(corpus.Out, "notes.txt"), "my notes");
        (code, _, err) = RunIsrm("train", "--out", corpus.Out, "--resume", "--steps", "3", "--json");
        Assert.True(code == 0, err);
        Assert.Equal("my notes", File.ReadAllText(Path.Combine(corpus.Out, "notes.txt")));
    }

    [Fact]
    public void Export_then_import_keeps_what_evaluation_needs()
    {
        using var corpus = new TinyCorpus();
        Assert.Equal(0, RunIsrm("train", "--corpus", corpus.Directory, "--out", corpus.Out, "--steps", "2", "--width", "48", "--batch", "2", "--context", "24", "--k-max", "2", "--json").ExitCode);
        string exported = _temp.Combine("exported"), imported = _temp.Combine("imported");
        Assert.Equal(0, RunIsrm("export", "--checkpoint", corpus.Out, "--out", exported).ExitCode);
        Assert.Equal(0, RunIsrm("import", "--checkpoint", exported, "--out", imported).ExitCode);
        Assert.True(File.Exists(Path.Combine(imported, Trainer.SplitFile)));
        string before = _temp.Combine("before.json"), after = _temp.Combine("after.json");
        Assert.Equal(0, RunIsrm("eval", "--checkpoint", corpus.Out, "--corpus", corpus.Directory, "--k", "1,2", "--windows", "4", "--json", before).ExitCode);
        var (code, _, err) = RunIsrm("eval", "--checkpoint", imported, "--corpus", corpus.Directory, "--k", "1,2", "--windows", "4", "--json", after);
        Assert.True(code == 0, err);
        static (double Loss, long Positions)[] Read(string file) => JsonDocument.Parse(File.ReadAllText(file)).RootElement.EnumerateArray()
            .Select(r => (r.GetProperty("lossNatsPerToken").GetDouble(), r.GetProperty("positions").GetInt64())).ToArray();
        var (a, b) = (Read(before), Read(after));
        Assert.Equal(a.Select(x => x.Positions), b.Select(x => x.Positions));
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i].Loss, b[i].Loss, 4);
    }

    [Fact]
    public void Puzzle_checkpoints_work_with_info_export_and_import()
    {
        var (code, text, err) = RunIsrm("info", "--checkpoint", Carry);
        Assert.True(code == 0, err);
        Assert.Contains("prefix-sums", text);
        var (jsonCode, json, _) = RunIsrm("info", "--checkpoint", Carry, "--json");
        Assert.Equal(0, jsonCode);
        using (JsonDocument described = JsonDocument.Parse(json))
        {
            Assert.Equal("puzzle", described.RootElement.GetProperty("kind").GetString());
            Assert.Equal("prefix-sums", described.RootElement.GetProperty("task").GetString());
            Assert.Equal("carry", described.RootElement.GetProperty("network").GetString());
        }
        string exported = _temp.Combine("carry-st"), imported = _temp.Combine("carry-back");
        Assert.Equal(0, RunIsrm("export", "--checkpoint", Carry, "--out", exported).ExitCode);
        Assert.True(File.Exists(Path.Combine(exported, Checkpoint.SafeTensorsFile)));
        (code, _, err) = RunIsrm("import", "--checkpoint", exported, "--out", imported);
        Assert.True(code == 0, err);
        string bits = PuzzleFile(), first = _temp.Combine("a.json"), second = _temp.Combine("b.json");
        Assert.Equal(0, RunIsrm("solve", "--checkpoint", Carry, "--input", bits, "--k", "1,8", "--json", first).ExitCode);
        Assert.Equal(0, RunIsrm("solve", "--checkpoint", imported, "--input", bits, "--k", "1,8", "--json", second).ExitCode);
        // the same results, each file naming the checkpoint it was measured on
        Assert.Equal(File.ReadAllText(first).Replace("\"checkpoint\": \"prefix-sums-carry\"", "\"checkpoint\": \"carry-back\""), File.ReadAllText(second));
        Assert.Contains("\"checkpoint\": \"carry-back\"", File.ReadAllText(second));
        var refused = RunIsrm("generate", "--checkpoint", Carry, "--prompt", "hi");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("isrm solve", refused.Err);
    }

    public void Dispose() => _temp.Dispose();
}
