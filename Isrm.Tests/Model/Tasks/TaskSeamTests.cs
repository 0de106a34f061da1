namespace Isrm.Tests.Model.Tasks;

/// <summary>
/// The task seam (issue 24.5): a task is a folder under Isrm.Model/Tasks, registered in <see cref="TaskRegistry"/>, and
/// the shared code — sources, files, tensors, networks — works for a task it has never heard of.
/// </summary>
public sealed class TaskSeamTests
{
    /// <summary>
    /// A task written here and nowhere else: strings of bits whose answer is the bit two places back (0 before the
    /// start), in the symbols 'a' and 'b'. It exists to show that the shared code asks the task, not its name.
    /// </summary>
    private sealed class EchoTask() : PuzzleTask("echo", "Echo (the bit two places back)", "echo string", twoDimensional: false,
        inputChannels: 2, stream: 7, minSize: 1, defaultSize: 8, "the length of the string", "Letters", "a and b")
    {
        public override int MaxSize(PuzzleLimits limits) => limits.MaxBits;
        public override string Largest(PuzzleLimits limits) => $"{limits.MaxBits} letters";

        public override Puzzle Generate(int size, string? variant, Random random) =>
            Of(Enumerable.Range(0, size).Select(_ => (byte)random.Next(2)).ToArray());

        private Puzzle Of(byte[] bits) => new(this, bits.Length, 1, bits.Length, bits, bits.Select((_, i) => i >= 2 && bits[i - 2] == 1).ToArray());

        public override void Encode(Puzzle puzzle, Span<float> x)
        {
            for (int j = 0; j < puzzle.CellCount; j++) { x[j] = 1; x[puzzle.CellCount + j] = puzzle.Cells[j]; }
        }

        public override char Symbol(byte code) => code == 0 ? 'a' : 'b';

        public override List<Puzzle> Read(string[] lines, PuzzleLimits limits) =>
            lines.Where(l => l.Trim().Length > 0).Select(l => l.Trim().All(c => c is 'a' or 'b')
                ? Of(l.Trim().Select(c => (byte)(c == 'b' ? 1 : 0)).ToArray())
                : throw new PuzzleFormatException($"'{l}' is not a string of a and b.")).ToList();

        public override string Describe(Puzzle puzzle) => $"{puzzle.Size} letters";
    }

    [Fact]
    public void A_task_the_shared_code_has_never_seen_is_generated_written_read_encoded_and_refined_by_a_network()
    {
        var task = new EchoTask();
        var source = new PuzzleSource(task, [5, 9]);
        List<Puzzle> puzzles = source.Instances(3, seed: 11).ToList();
        Assert.Equal(source.Instances(3, seed: 11).Select(p => p.ToText()), puzzles.Select(p => p.ToText()));   // seeded
        Assert.Equal([5, 5, 5, 9, 9, 9], puzzles.Select(p => p.Size));
        Assert.All(puzzles, p => Assert.Matches("^[ab]+$", p.ToText()));

        // the file format: written with the task's symbols, read back by the task, the same instances
        IReadOnlyList<Puzzle> read = PuzzleFormat.Read(task, PuzzleFormat.WriteAll(puzzles));
        Assert.Equal(puzzles.Select(p => p.ToText()), read.Select(p => p.ToText()));
        Assert.Equal(puzzles.SelectMany(p => p.Target), read.SelectMany(p => p.Target));
        var bad = Assert.Throws<PuzzleFormatException>(() => PuzzleFormat.Read(task, "abc\n"));
        Assert.Contains("not a string of a and b", bad.Message);

        // tensors: (B, 2, L) from the task's encoding, targets from its answers
        var (x, target) = PuzzleTensors.Build(puzzles.Take(3).ToList());
        Assert.Equal([3L, 2, 5], x.shape);
        Assert.Equal(puzzles[0].Cells.Select(c => (float)c), x[0, 1].data<float>().ToArray());
        Assert.Equal(puzzles[0].Target.Select(t => t ? 1L : 0L), target[0].data<long>().ToArray());

        // a string network refines it at every K: one pair of logits per position (the network's geometry comes from
        // TwoDimensional, not from the task's name)
        Assert.Throws<PuzzleFormatException>(() => PuzzleTasks.Parse("echo"));   // not registered, so no config names it
        using var network = PuzzleNetwork.Create(new PuzzleNetConfig { Task = PrefixSumsTask.Instance.Name, Width = 4, Blocks = 1 });
        using (torch.NewDisposeScope())
        {
            Tensor y = network.InitialState(x);
            for (int k = 0; k < 3; k++) y = network.Step(x, y);
            Assert.Equal([3L, 5, 2], network.Logits(y).shape);
        }
        x.Dispose();
        target.Dispose();
    }

    [Fact]
    public void Every_registered_task_has_a_folder_of_its_own_and_a_unique_name()
    {
        IEnumerable<string> names = TaskRegistry.Puzzles.Select(t => t.Name).Concat(TaskRegistry.Text.Select(t => t.Name));
        Assert.Equal(names.Distinct().Count(), names.Count());
        foreach (object task in TaskRegistry.Puzzles.Cast<object>().Concat(TaskRegistry.Text))
        {
            string folder = task.GetType().Namespace!.Split('.').Last();
            Assert.True(Directory.Exists(Repository.Combine("Isrm.Model", "Tasks", folder)), $"{task.GetType().Name} is not in a folder Isrm.Model/Tasks/{folder}");
            Assert.True(File.Exists(Repository.Combine("Isrm.Model", "Tasks", folder, task.GetType().Name + ".cs")), $"{task.GetType().Name}.cs is not in Isrm.Model/Tasks/{folder}");
        }
        foreach (PuzzleTask task in TaskRegistry.Puzzles)
        {
            Assert.Same(task, PuzzleTasks.Parse(task.Name.ToUpperInvariant()));
            foreach (string variant in task.Variants) task.CheckVariant(variant);   // each variant it lists is one it makes
            Puzzle one = task.Generate(task.DefaultSize, task.Variants.FirstOrDefault(), new Random(1));
            Assert.Same(task, one.Task);
            Assert.Equal(one.ToText(), PuzzleFormat.Read(task, one.ToText()).Single().ToText());
        }
    }

    [Fact]
    public void No_product_source_outside_the_task_folders_names_a_task()
    {
        // A switch on a task's name, or a task's own type, outside Isrm.Model/Tasks is what the seam replaces.
        string[] names = [.. TaskRegistry.Puzzles.Select(t => t.Name), .. TaskRegistry.Text.Select(t => t.Name)];
        string[] types = [.. TaskRegistry.Puzzles.Select(t => t.GetType().Name), .. TaskRegistry.Text.Select(t => t.GetType().Name), "MazeGenerator", "MazeAlgorithm"];
        var offenders = new List<string>();
        foreach (string project in new[] { "Isrm.Model", "Isrm.Cli", "Isrm.Web", "Isrm.Research", "Isrm.Bench" })
            foreach (string file in Directory.EnumerateFiles(Repository.Combine(project), "*.*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(Repository.Root, file).Replace('\\', '/');
                if (relative.StartsWith("Isrm.Model/Tasks/", StringComparison.Ordinal) || relative.Contains("/bin/") || relative.Contains("/obj/")
                    || Path.GetExtension(file) is not (".cs" or ".razor" or ".js")) continue;
                string text = File.ReadAllText(file);
                offenders.AddRange(names.Where(n => text.Contains($"\"{n}\"", StringComparison.Ordinal)).Select(n => $"{relative}: \"{n}\""));
                offenders.AddRange(types.Where(t => Regex.IsMatch(text, $@"\b{t}\b")).Select(t => $"{relative}: {t}"));
            }
        Assert.True(offenders.Count == 0, "task names outside the task folders:\n" + string.Join('\n', offenders));
    }
}
