namespace Isrm.Cli.Commands;

/// <summary>
/// <c>isrm export</c> and <c>isrm import</c>: a checkpoint's weights to and from safetensors (docs/checkpoints.md), for
/// text and puzzle checkpoints alike; the run's split and training context travel with them.
/// </summary>
internal static class ExchangeCommands
{
    public static Command Export()
    {
        var checkpoint = CliOptions.Checkpoint("Checkpoint folder to read (text or puzzle)");
        var format = CliOptions.Text("--format", "Weights format: safetensors", "safetensors");
        var output = CliOptions.OptionalPath("--out", "Write a whole checkpoint folder here with model.safetensors (default: beside model.bin); an existing folder only with --force", PathKind.OutputFolder);
        var force = CliOptions.Force("--out");
        var command = CliCommands.Create("export", "Write a checkpoint's weights as model.safetensors (documented tensor names, config.json beside it)",
            checkpoint, format, output, force);
        command.SetAction(parse => UserError.Guard(() =>
        {
            if (parse.GetValue(format) != "safetensors") throw new ArgumentException($"--format must be safetensors (got '{CliOptions.Shown(parse.GetValue(format)!)}').");
            string source = parse.GetValue(checkpoint)!;
            string? target = parse.GetValue(output);
            bool inPlace = target is null || Path.GetFullPath(target) == Path.GetFullPath(source);
            CheckpointSummary checkpointSummary = CheckpointFolder.Describe(source);   // one sentence for a folder that is no checkpoint
            if (!inPlace) OutputGuard.Folder(target!, parse.GetValue(force), "--out");
            TorchSharp.torch.set_num_threads(1);
            string written = CheckpointFolder.Export(source, inPlace ? null : target);
            Console.WriteLine($"Wrote {written} ({new FileInfo(written).Length:N0} bytes) of {checkpointSummary.Name} ({checkpointSummary.Line}).");
            return 0;
        }));
        return command;
    }

    public static Command Import()
    {
        var source = CliOptions.Path("--checkpoint", "Folder to read: model.safetensors and config.json (metadata.json, split.json and tokenizer files optional)", PathKind.InputFolder, required: true, aliases: "--from");
        var output = CliOptions.Path("--out", "Checkpoint folder to write (model.bin); an existing folder only with --force", PathKind.OutputFolder, required: true);
        var force = CliOptions.Force("--out");
        var command = CliCommands.Create("import", "Read a model.safetensors (e.g. trained on in PyTorch) into a checkpoint folder every command loads",
            source, output, force);
        command.SetAction(parse => UserError.Guard(() =>
        {
            string from = parse.GetValue(source)!, to = parse.GetValue(output)!;
            if (Path.GetFullPath(from) == Path.GetFullPath(to)) throw new ArgumentException("--out must be another folder than the one imported from.");
            OutputGuard.Folder(to, parse.GetValue(force), "--out");
            TorchSharp.torch.set_num_threads(1);
            string commandLine = $"isrm import --checkpoint {from} --out {to}";
            CheckpointSummary imported = CheckpointFolder.Import(from, to, commandLine);
            Console.WriteLine($"Imported {imported.Network} ({imported.Task}), {imported.ParameterCount:N0} parameters, into {imported.Directory}.");
            return 0;
        }));
        return command;
    }
}
