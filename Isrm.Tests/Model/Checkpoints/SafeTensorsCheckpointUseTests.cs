namespace Isrm.Tests.Model.Checkpoints;

/// <summary>
/// A checkpoint folder holding <c>model.safetensors</c> instead of <c>model.bin</c> works everywhere: the web app lists
/// it and generates from it, the command line generates from it and gives the same tokens as the original, and a
/// model trained on in PyTorch comes back through <c>isrm import</c>.
/// </summary>
public sealed class SafeTensorsCheckpointUseTests : IDisposable
{
    private readonly TempCheckpointsRoot _root = new();

    public SafeTensorsCheckpointUseTests()
    {
        TinyCheckpoints.Save(_root.Root, "original");
        CheckpointExchange.Export(Path.Combine(_root.Root, "original"), Path.Combine(_root.Root, "exported"));
    }

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task The_web_app_lists_and_generates_from_a_safetensors_only_folder()
    {
        Assert.False(File.Exists(Path.Combine(_root.Root, "exported", Checkpoint.WeightsFile)));
        await using var app = new IsrmWebApp(_root.Root);
        await using HubConnection hub = await app.ConnectAsync(app.Start());
        var list = await hub.InvokeAsync<List<CheckpointListing>>("ListCheckpoints");
        Assert.True(list.Single(c => c.Name == "exported").Usable, list.Single(c => c.Name == "exported").Error);

        var tokens = new List<string>();
        await foreach (JsonElement f in hub.StreamAsync<JsonElement>("Generate",
                           new RefinementRequest { Prompt = "The cat", Checkpoint = "exported", K = RefinementDepth.Of(3), MaxTokens = 4, Seed = 5 }))
            if (f.GetProperty("kind").GetString() == "token") tokens.Add(f.GetProperty("text").GetString()!);
        Assert.Equal(4, tokens.Count);
    }

    [Fact]
    public void Generate_on_the_exported_folder_gives_the_originals_tokens()
    {
        string[] args = ["generate", "--prompt", "The jury", "--k", "4", "--temperature", "0", "--max-tokens", "12"];
        var (codeA, original, errorsA) = IsrmProcess.Run([.. args, "--checkpoint", Path.Combine(_root.Root, "original")]);
        var (codeB, exported, errorsB) = IsrmProcess.Run([.. args, "--checkpoint", Path.Combine(_root.Root, "exported")]);
        Assert.True(codeA == 0, errorsA);
        Assert.True(codeB == 0, errorsB);
        Assert.Equal(original, exported);
    }

    [Fact]
    public void Weights_trained_on_in_pytorch_come_back_through_isrm_import()
    {
        string text = Path.Combine(_root.Root, "text.txt"), trained = Path.Combine(_root.Root, "trained"), back = Path.Combine(_root.Root, "back");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 40)));
        var (exit, output) = ReferenceModelTests.RunPython(Repository.Combine("reference", "isrm_torch.py"), "train",
            "--checkpoint", Path.Combine(_root.Root, "exported"), "--text", text, "--out", trained,
            "--steps", "3", "--batch", "2", "--context", "32", "--k-max", "3", "--backprop", "2", "--lr", "1e-2", "--device", "cpu");
        Assert.True(exit == 0, output);
        Assert.Matches(@"step 3: K = \d, loss \d+\.\d{4} nats/byte", output);

        var (code, stdout, errors) = IsrmProcess.Run("import", "--checkpoint", trained, "--out", back);
        Assert.True(code == 0, errors);
        Assert.Contains("Imported isrm", stdout);
        using LoadedCheckpoint before = Checkpoint.Load(Path.Combine(_root.Root, "original"), TorchSharp.torch.CPU);
        using LoadedCheckpoint after = Checkpoint.Load(back, TorchSharp.torch.CPU);
        Assert.Equal(before.Model.ParameterCount, after.Model.ParameterCount);
        var changed = before.Model.state_dict().Count(kv => !kv.Value.equal(after.Model.state_dict()[kv.Key]).all().item<bool>());
        Assert.True(changed > 0, "three AdamW steps in PyTorch changed no weight");
    }

    [Fact]
    public void Export_and_import_user_errors_are_one_sentence_with_exit_code_1()
    {
        var (badFormat, _, formatError) = IsrmProcess.Run("export", "--checkpoint", Path.Combine(_root.Root, "original"), "--format", "onnx");
        Assert.Equal(1, badFormat);
        Assert.Equal("--format must be safetensors (got 'onnx').", formatError.Trim());

        var (missing, _, missingError) = IsrmProcess.Run("import", "--checkpoint", Path.Combine(_root.Root, "nowhere"), "--out", Path.Combine(_root.Root, "x"));
        Assert.Equal(1, missing);
        Assert.Matches(@"^--checkpoint '.+nowhere' does not exist\.$", missingError.Trim());
        Directory.CreateDirectory(Path.Combine(_root.Root, "empty"));
        var (empty, _, emptyError) = IsrmProcess.Run("import", "--checkpoint", Path.Combine(_root.Root, "empty"), "--out", Path.Combine(_root.Root, "x"));
        Assert.Equal(1, empty);
        Assert.Matches(@"^'.+empty' has no model\.safetensors with a config\.json beside it\.$", emptyError.Trim());

        var (notCheckpoint, _, exportError) = IsrmProcess.Run("export", "--checkpoint", Path.Combine(_root.Root, "nowhere"));
        Assert.Equal(1, notCheckpoint);
        Assert.Single(exportError.Trim().Split('\n'));
    }
}
