namespace Isrm.Tests.Cli;

/// <summary>
/// Every option of every command is checked at the edge: the test walks System.CommandLine's own model of the command
/// tree and feeds each numeric option 0, −1, a huge value, NaN and a non-number, each path option a missing path, a
/// folder and a file where the other is wanted — and expects one sentence naming the option for each value the option
/// does not take, and no complaint for a value it does.
/// </summary>
public class OptionEdgeTests(ITestOutputHelper output)
{
    private static readonly string[] Numbers = ["0", "-1", "99999999999999", "NaN", "abc"];

    /// <summary>Every command with its path from the root (e.g. "data task").</summary>
    private static IEnumerable<(string[] Path, Command Command)> Commands(Command command, string[] path)
    {
        yield return (path, command);
        foreach (Command sub in command.Subcommands)
            foreach (var found in Commands(sub, [.. path, sub.Name]))
                yield return found;
    }

    private static IEnumerable<(string[] Path, Command Command, Option Option)> AllOptions()
    {
        RootCommand root = IsrmCommandLine.Build();
        foreach (var (path, command) in Commands(root, []))
            foreach (Option option in command.Options.Where(o => o is not System.CommandLine.Help.HelpOption and not VersionOption))
                yield return (path, command, option);
    }

    private static string? Refusal(params string[] args)
    {
        RootCommand root = IsrmCommandLine.Build();
        return IsrmCommandLine.Refusal(root, root.Parse(args));
    }

    [Fact]
    public void Every_option_has_help_and_a_declared_domain()
    {
        var missing = AllOptions().Where(x => string.IsNullOrWhiteSpace(x.Option.Description)).Select(x => $"{string.Join(' ', x.Path)} {x.Option.Name}").ToList();
        Assert.True(missing.Count == 0, "no help text: " + string.Join(", ", missing));
        var undeclared = AllOptions().Where(x => CliOptions.DomainOf(x.Option) is null).Select(x => $"{string.Join(' ', x.Path)} {x.Option.Name}").ToList();
        Assert.True(undeclared.Count == 0, "no declared domain: " + string.Join(", ", undeclared));
        Assert.True(AllOptions().Count() > 100);
    }

    [Fact]
    public void Every_numeric_option_refuses_what_it_does_not_take_in_one_sentence_naming_it()
    {
        int refused = 0, accepted = 0;
        foreach (var (path, _, option) in AllOptions())
        {
            if (CliOptions.DomainOf(option) is not OptionDomain.Range range) continue;
            foreach (string value in Numbers)
            {
                string? sentence = Refusal([.. path, option.Name, value]);
                bool allowed = double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v)
                    && !double.IsNaN(v) && range.Allows(v) && (!range.Integer || long.TryParse(value, out _));
                string where = $"{string.Join(' ', path)} {option.Name} {value}";
                if (allowed)
                {
                    // Accepted: whatever else the line lacks, the complaint is not about this value.
                    Assert.True(sentence is null || !sentence.Contains($"{option.Name} must"), $"{where}: {sentence}");
                    accepted++;
                    continue;
                }
                Assert.True(sentence is not null, $"{where} was accepted");
                Assert.StartsWith(option.Name, sentence);
                Assert.DoesNotContain('\n', sentence);
                Assert.DoesNotContain("System.", sentence);
                Assert.DoesNotContain("Exception", sentence);
                Assert.EndsWith(".", sentence);
                refused++;
            }
        }
        output.WriteLine($"{refused} values refused, {accepted} accepted");
        Assert.True(refused > 300);
    }

    [Fact]
    public void Every_path_option_refuses_a_missing_input_and_the_wrong_kind_of_path()
    {
        using var temp = new TempFolder();
        string folder = temp.Combine("a-folder"), file = temp.Combine("random.bin"), absent = temp.Combine("absent");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(file, RandomBytes(4096));
        int checkedPaths = 0;
        foreach (var (path, _, option) in AllOptions())
        {
            if (CliOptions.DomainOf(option) is not OptionDomain.Path domain) continue;
            (string value, string expected)[] cases = domain.Kind switch
            {
                PathKind.InputFile => [(absent, "does not exist"), (folder, "is a folder")],
                PathKind.InputFolder => [(absent, "does not exist"), (file, "is a file")],
                PathKind.OutputFile => [(folder, "is a folder")],
                _ => [(file, "is a file")],
            };
            foreach (var (value, expected) in cases)
            {
                string? sentence = Refusal([.. path, option.Name, value]);
                string where = $"{string.Join(' ', path)} {option.Name} {value}";
                Assert.True(sentence is not null && sentence.StartsWith(option.Name) && sentence.Contains(expected), $"{where}: {sentence}");
                checkedPaths++;
            }
        }
        Assert.True(checkedPaths > 25, $"{checkedPaths}");
    }

    [Theory]
    [InlineData("solve", "--input")]
    [InlineData("train", "--config")]
    public void A_file_of_random_bytes_given_as_input_is_one_sentence_with_nothing_left_behind(string command, string option)
    {
        using var temp = new TempFolder();
        string junk = temp.Combine("junk.txt");
        File.WriteAllBytes(junk, RandomBytes(2048));
        string[] args = command == "solve"
            ? ["solve", "--checkpoint", Path.Combine(Repository.Root, "checkpoints", "prefix-sums-carry"), option, junk, "--json", temp.Combine("out.json")]
            : ["train", "--corpus", temp.Path, "--out", temp.Combine("run"), option, junk];
        string[] before = Directory.GetFileSystemEntries(temp.Path);
        var (code, _, err) = CommandLineTests.RunIsrm(args);
        output.WriteLine(err);
        Assert.Equal(1, code);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", line);
        Assert.DoesNotMatch(@"[\u0000-\u0008\u000e-\u001f]", line);   // the bytes are not echoed raw
        Assert.Equal(before, Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void A_refused_value_exits_1_with_one_line_on_stderr_and_writes_nothing()
    {
        using var temp = new TempFolder();
        string tiny = Path.Combine(Repository.Root, "checkpoints", "isrm-default");
        foreach (string[] args in new[]
        {
            new[] { "eval", "--checkpoint", tiny, "--corpus", temp.Path, "--windows", "-5", "--json", temp.Combine("x.json") },
            new[] { "eval", "--checkpoint", tiny, "--corpus", temp.Path, "--k", "inf", "--inf-cap", "0" },
            new[] { "eval", "--checkpoint", tiny, "--corpus", temp.Path, "--kl-tolerance", "-1" },
            new[] { "eval", "--checkpoint", tiny, "--corpus", temp.Path, "--k", "1,,4" },
            new[] { "train", "--corpus", temp.Path, "--out", temp.Combine("run"), "--threads", "0" },
            new[] { "generate", "--checkpoint", tiny, "--prompt", "hi", "--threads", "0" },
            new[] { "solve", "--checkpoint", tiny, "--input", tiny, "--limit", "-1" },
        })
        {
            var (code, _, err) = CommandLineTests.RunIsrm(args);
            output.WriteLine($"{string.Join(' ', args)} → {code}: {err}");
            Assert.Equal(1, code);
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("   at ", err);
            Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
        }
    }

    [Fact]
    public void An_unknown_command_is_named_with_the_list_of_commands()
    {
        var (code, _, err) = CommandLineTests.RunIsrm("foo");
        Assert.Equal(1, code);
        Assert.Contains("Unknown command 'foo'", err);
        foreach (string name in new[] { "data", "train", "eval", "solve", "generate", "chat", "info", "export", "import" })
            Assert.Contains(name, err);
        Assert.Contains("brown, tokenizer, task", Refusal("data", "foo"));
    }

    [Fact]
    public void Old_option_names_still_work_and_say_the_new_one()
    {
        var (code, _, err) = CommandLineTests.RunIsrm("generate", "--checkpoint", Path.Combine(Repository.Root, "checkpoints", "isrm-default"),
            "--prompt", "The", "--loops", "2", "--max-loops", "4", "--max-tokens", "2", "--temperature", "0", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.Contains("--loops is the old name of --k", err);
        Assert.Contains("--max-loops is the old name of --cap", err);
    }

    private static byte[] RandomBytes(int n)
    {
        var bytes = new byte[n];
        new Random(5).NextBytes(bytes);
        return bytes;
    }
}
