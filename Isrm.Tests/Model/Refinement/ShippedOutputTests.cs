namespace Isrm.Tests.Model.Refinement;

/// <summary>
/// Every shipped checkpoint gives the outputs it gave before the engine was unified (issue 24, point 1): the same
/// tokens, the same per-step probabilities (within 1e-5) and the same puzzle answers, at a fixed K and at K = ∞.
/// The expected outputs in <c>shipped-outputs.json</c> were recorded with the engine of two refinement loops (commit
/// 105be74) by running this class with <c>ISRM_RECORD_SHIPPED_OUTPUTS=1</c>; a checkpoint that is retrained must be
/// recorded again, and its commit says so. The maze network's entry was recorded again once libtorch's oneDNN
/// convolutions were limited to SSE4.1 (<c>OneDnnGuard</c>): the AVX kernels this machine had used gave wrong and
/// batch-dependent results, so its first recording held their errors (the engine change itself left them unchanged).
/// </summary>
[Collection(SeededTrainingCollection.Name)]
public sealed class ShippedOutputTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-5f;
    private static readonly string Expected = Path.Combine(Repository.Root, "Isrm.Tests", "Model", "Refinement", "shipped-outputs.json");
    private static bool Recording => Environment.GetEnvironmentVariable("ISRM_RECORD_SHIPPED_OUTPUTS") == "1";

    /// <summary>A prompt each text checkpoint reads as its users would type it.</summary>
    private static readonly Dictionary<string, string> Prompts = new()
    {
        ["addition-isrm"] = "4096+8125=",
        ["parity-isrm"] = "1101001110=",
    };

    public static TheoryData<string> Checkpoints => new(Directory.GetDirectories(Path.Combine(Repository.Root, "checkpoints"))
        .Where(d => File.Exists(Path.Combine(d, "config.json"))).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void A_shipped_checkpoint_gives_the_outputs_it_gave_before(string name)
    {
        string folder = Path.Combine(Repository.Root, "checkpoints", name);
        JsonObject actual = PuzzleCheckpoint.IsPuzzle(folder) ? Puzzles(folder) : Text(folder, name);

        if (Recording)
        {
            JsonObject all = File.Exists(Expected) ? JsonNode.Parse(File.ReadAllText(Expected))!.AsObject() : [];
            lock (Expected)
            {
                all[name] = actual;
                File.WriteAllText(Expected, all.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            }
            return;
        }
        JsonNode expected = JsonNode.Parse(File.ReadAllText(Expected))![name]
            ?? throw new Xunit.Sdk.XunitException($"no recorded outputs for {name}: record them with ISRM_RECORD_SHIPPED_OUTPUTS=1");
        int compared = Compare(expected, JsonNode.Parse(actual.ToJsonString()), name);   // as read from a file, like the expected
        output.WriteLine($"{name}: {compared} values equal (probabilities within {Tolerance})");
        Assert.True(compared >= 16, $"only {compared} values were compared");
    }

    /// <summary>Greedy tokens and every step's top probabilities of the first tokens, at K = 6 and at K = ∞ (cap 64).</summary>
    private static JsonObject Text(string folder, string name)
    {
        using LoadedCheckpoint checkpoint = Checkpoint.Load(folder, CPU);
        var result = new JsonObject();
        foreach ((string label, RefinementDepth k) in new[] { ("k6", (RefinementDepth)6), ("kinf", RefinementDepth.Infinite) })
        {
            var request = new GenerationRequest
            {
                Prompt = Prompts.GetValueOrDefault(name, "The man said that"), K = ((RefinementDepth)k).Capped(64), MaxTokens = 4,
                Temperature = 0, Seed = 7, ReportTopTokens = 6, StopText = null,
            };
            var tokens = new JsonArray();
            var steps = new JsonArray();
            foreach (GenerationEvent e in Generator.Generate(checkpoint, request))
                switch (e)
                {
                    case TokenEvent t: tokens.Add(new JsonArray(t.TokenId, t.StepsUsed)); break;
                    case StepEvent s:
                        steps.Add(new JsonArray(s.TokenIndex, s.Step,
                            new JsonArray([.. s.TopTokens.Select(p => (JsonNode)new JsonArray(p.TokenId, p.Prob))])));
                        break;
                }
            result[label] = new JsonObject { ["tokens"] = tokens, ["steps"] = steps };
        }
        return result;
    }

    /// <summary>The answer (every cell's probability byte) and the step count on two instances, at K = 16 and K = ∞ (cap 256).</summary>
    private static JsonObject Puzzles(string folder)
    {
        using LoadedPuzzleCheckpoint checkpoint = PuzzleCheckpoint.Load(folder);
        PuzzleTask task = checkpoint.Config.PuzzleTask;
        int[] sizes = task == MazesTask.Instance ? [9, 13] : [32, 64];
        var source = new PuzzleSource(task, sizes);
        var result = new JsonObject();
        foreach (Puzzle puzzle in source.Instances(1, seed: 2024))
            foreach ((string label, int? k) in new[] { ("k16", (int?)16), ("kinf", null) })
            {
                PuzzleFrame last = PuzzleSolver.Solve(checkpoint.Network, puzzle, new PuzzleSolveOptions { K = ((RefinementDepth)k).Capped(256) }).Last();
                result[$"{puzzle.Height}x{puzzle.Width}-{label}"] = new JsonObject
                {
                    ["step"] = last.Step, ["correct"] = last.Correct, ["solved"] = last.Solved,
                    ["answer"] = Convert.ToBase64String(last.Probabilities),
                };
            }
        return result;
    }

    /// <summary>Walks both trees: numbers that are not whole within the tolerance, everything else exactly.</summary>
    private static int Compare(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case JsonObject o:
                var a = Assert.IsType<JsonObject>(actual);
                Assert.Equal(o.Select(p => p.Key).Order(), a.Select(p => p.Key).Order());
                return o.Sum(p => Compare(p.Value, a[p.Key], $"{path}.{p.Key}"));
            case JsonArray array:
                var b = Assert.IsType<JsonArray>(actual);
                Assert.True(array.Count == b.Count, $"{path}: {b.Count} items, expected {array.Count}");
                return array.Select((item, i) => Compare(item, b[i], $"{path}[{i}]")).Sum();
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number && actual is JsonValue w:
                double e = v.GetValue<double>(), g = w.GetValue<double>();
                bool whole = Math.Abs(e - Math.Round(e)) == 0 && Math.Abs(g - Math.Round(g)) == 0;
                Assert.True(whole ? e == g : Math.Abs(e - g) <= Tolerance, $"{path}: {g}, expected {e}");
                return 1;
            default:
                Assert.Equal(expected?.ToJsonString(), actual?.ToJsonString());
                return 1;
        }
    }
}
