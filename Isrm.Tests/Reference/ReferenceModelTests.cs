using System.Globalization;

namespace Isrm.Tests.Reference;

/// <summary>
/// The PyTorch reference (<c>reference/isrm_torch.py</c>, run by Debian's python3-torch) reproduces our log-probabilities
/// at K = 1, 8 and 32 within 1e-4 from the exported safetensors, on a fixed prompt and a fixed initial state — for the
/// shipped checkpoints and for tiny models that switch on every option the shipped ones leave off.
/// </summary>
public sealed partial class ReferenceModelTests : IDisposable
{
    private const string Prompt = "The jury said it did find that the court's ruling was fair, and the city agreed.";
    private static readonly int[] Depths = [1, 8, 32];
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Shipped() => new() { "isrm-default", "transformer-equal-steps" };

    [Theory]
    [MemberData(nameof(Shipped))]
    public void Shipped_checkpoints_match_the_pytorch_reference(string name)
    {
        string exported = _folder.Combine(name);
        CheckpointExchange.Export(Repository.Combine("checkpoints", name), exported);
        AssertReferenceMatches(exported);
    }

    /// <summary>Options the shipped checkpoints do not use: latent iterations, step embeddings with step scales, the
    /// whitepaper and harmonic schedules, additive injection, a learned initial state, an untied head.</summary>
    public static TheoryData<string> Variants() => new() { "latent-sinusoidal-whitepaper-add", "stateless-harmonic-concat-untied-random", "prelude-coda-sandwich-inputnorm" };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Tiny_models_with_every_option_match_the_pytorch_reference(string variant)
    {
        IsrmConfig config = variant.StartsWith("latent", StringComparison.Ordinal)
            ? TinyModels.Config(latent: 2) with { StepEmbedding = StepEmbeddingKind.Sinusoidal, AlphaSchedule = AlphaScheduleKind.Whitepaper, InputInjection = InjectionKind.Add, InitialState = InitialStateKind.Learned }
            : variant.StartsWith("prelude", StringComparison.Ordinal)
            ? TinyModels.Config() with
            {
                Layers = 1, Prelude = 1, Coda = 1, SandwichNorm = true, InputNorm = true, StateNorm = true, StepEmbedding = StepEmbeddingKind.None,
                AlphaSchedule = AlphaScheduleKind.Constant, InputInjection = InjectionKind.ConcatProject, InitialState = InitialStateKind.Random,
            }
            : TinyModels.Config() with
            {
                StepEmbedding = StepEmbeddingKind.Stateless, AlphaSchedule = AlphaScheduleKind.Harmonic, AlphaC = 0.9f, InputInjection = InjectionKind.ConcatProject,
                StateNorm = true, TiedEmbeddings = false, InitialState = InitialStateKind.Random, InitStateStd = 0.5f,
            };
        string saved = _folder.Combine(variant), exported = _folder.Combine(variant + "-st");
        using (var model = TinyModels.Create(config))
        {
            // Zero-initialised parts (step scales) would hide a mistake: give every weight some noise.
            using (no_grad())
                foreach (var p in model.parameters()) p.add_(randn_like(p) * 0.05f);
            Checkpoint.Save(saved, model, new Isrm.Model.Tokenization.ByteTokenizer(), new CheckpointMetadata { Command = "test" });
        }
        CheckpointExchange.Export(saved, exported);
        AssertReferenceMatches(exported);
    }

    private void AssertReferenceMatches(string checkpoint)
    {
        string expected = Path.Combine(checkpoint, "expected.safetensors");
        WriteExpected(checkpoint, expected);
        var (exit, output) = RunPython(Repository.Combine("reference", "isrm_torch.py"), "check", "--checkpoint", checkpoint, "--expected", expected);
        Assert.True(exit == 0, output);
        MatchCollection lines = DepthLine().Matches(output);
        Assert.NotEmpty(lines);
        foreach (Match line in lines)
        {
            Console.WriteLine($"{Path.GetFileName(checkpoint)}: {line.Value}");
            Assert.True(double.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture) <= 1e-4, output);
        }
    }

    /// <summary>Our log-probabilities after steps 1, 8 and 32 of one refinement run, with the prompt and the initial state.</summary>
    private static void WriteExpected(string checkpoint, string path)
    {
        using LoadedCheckpoint loaded = Checkpoint.Load(checkpoint, CPU);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int[] ids = loaded.Tokenizer.Encode(Prompt)[..Math.Min(Prompt.Length, loaded.Model.Config.MaxContext)];
        Tensor tokens = tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);         // (1, T)
        // The refiner's first draw is the initial state: the same seed gives it the state recorded here.
        manual_seed(20261126);
        var (y0, z0) = loaded.Model.InitialState(1, ids.Length);
        var named = new List<NamedTensor>
        {
            new("tokens", [1, ids.Length], ids.Select(i => (float)i).ToArray()),
            Named("y_init", y0), Named("z_init", z0),
        };
        manual_seed(20261126);
        var options = new RefinementOptions { K = Depths.Max(), EveryStepLogits = true };
        foreach (RefinementStep step in Refiner.Run(loaded.Model, loaded.Model.Embed(tokens), options))
            if (Depths.Contains(step.Step)) named.Add(Named($"logprobs.k{step.Step}", step.LogProbs!));
        Assert.Equal(loaded.Model.Config.IsSinglePass ? 1 : Depths.Length, named.Count - 3);
        SafeTensors.Write(path, named);
    }

    private static NamedTensor Named(string name, Tensor t)
    {
        Tensor c = t.contiguous();
        return new NamedTensor(name, c.shape, c.data<float>().ToArray());
    }

    internal static (int Exit, string Output) RunPython(params string[] args)
    {
        var start = new ProcessStartInfo(HostTools.TorchPython) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(), errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(); throw new TimeoutException("the PyTorch reference did not finish"); }
        return (process.ExitCode, output.Result + errors.Result);
    }

    [GeneratedRegex(@"K = (\d+): max \|log p \(PyTorch\) - log p \(C#\)\| = ([0-9.e+-]+)")]
    private static partial Regex DepthLine();
}
