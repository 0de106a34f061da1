using Isrm.Model.Evaluation;

namespace Isrm.Bench;

/// <summary><c>isrm-bench rlm</c>: a recurrent checkpoint's inference memory at growing context next to a transformer's K/V cache.</summary>
internal static class BenchRlmCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A recurrent checkpoint (rlm, rlt, gated-rlt)", Required = true };
        var transformer = new Option<string?>("--transformer") { Description = "A transformer checkpoint whose config sizes the K/V cache (default: the same width and 2 layers)" };
        var contexts = new Option<string>("--contexts") { Description = "Context lengths in tokens", DefaultValueFactory = _ => "1024,4096,16384" };
        var json = new Option<string?>("--json") { Description = "Also write the rows to this JSON file" };
        var command = CliCommands.Create("rlm", "Inference memory of a recurrent model at 1k, 4k, 16k tokens next to a transformer's K/V cache",
            checkpoint, transformer, contexts, json);
        command.SetAction(parse =>
        {
            try
            {
                TorchSharp.torch.set_num_threads(1);
                int[] lengths = parse.GetValue(contexts)!.Split(',').Select(c => int.TryParse(c, out int v) && v > 0 ? v : throw new ArgumentException($"--contexts takes positive integers; '{c}' is not one.")).ToArray();
                using LoadedCheckpoint recurrent = Checkpoint.Load(parse.GetValue(checkpoint)!, ComputeDevice.Parse("cpu"));
                IsrmConfig kvConfig = parse.GetValue(transformer) is string t ? Checkpoint.Inspect(t).Config
                    : recurrent.Model.Config with { Family = ModelFamily.Transformer, Layers = 2 };
                IReadOnlyList<RecurrentMemory.Row> rows = RecurrentMemory.Run(recurrent.Model, kvConfig, lengths);
                var table = new Table().AddColumn("context").AddColumn($"{recurrent.Info.Family} state").AddColumn("process RSS after streaming")
                    .AddColumn("stream tok/s").AddColumn($"transformer K/V cache ({kvConfig.Layers} layers × {kvConfig.KvHeads} kv heads × {kvConfig.HeadDim})");
                foreach (RecurrentMemory.Row r in rows)
                    table.AddRow(r.Context.ToString("N0"), $"{r.StateBytes:N0} B", $"{r.ResidentBytes / 1048576.0:F1} MiB", $"{r.TokensPerSecond:N0}", $"{r.TransformerKvBytes:N0} B");
                AnsiConsole.Write(table);
                double flat = (double)rows[^1].ResidentBytes / rows[0].ResidentBytes;
                AnsiConsole.MarkupLine($"RSS at {rows[^1].Context:N0} / RSS at {rows[0].Context:N0} tokens = {flat:F3} (goal ≤ 1.1); state bytes constant: {rows.All(r => r.StateBytes == rows[0].StateBytes)}");
                if (parse.GetValue(json) is string path)
                    File.WriteAllText(path, JsonSerializer.Serialize(new { command = "isrm " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), rows, rssRatio = flat }, JsonOutput.Options));
                return 0;
            }
            catch (Exception e) when (e is ArgumentException or CheckpointException or IOException)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
        });
        return command;
    }
}
