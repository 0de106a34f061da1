using System.CommandLine;
using Isrm.Model.Checkpoints;

namespace Isrm.Cli.Commands;

/// <summary><c>isrm export</c> and <c>isrm import</c>: a checkpoint's weights to and from safetensors (docs/checkpoints.md).</summary>
internal static class ExchangeCommands
{
    public static Command Export()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint folder", Required = true };
        var format = new Option<string>("--format") { Description = "Weights format: safetensors", DefaultValueFactory = _ => "safetensors" };
        var output = new Option<string?>("--out") { Description = "Write a whole checkpoint folder here with model.safetensors instead of model.bin (default: beside model.bin)" };
        var command = new Command("export", "Write a checkpoint's weights as model.safetensors (documented tensor names, config.json beside it)");
        foreach (Option o in new Option[] { checkpoint, format, output }) command.Options.Add(o);
        command.SetAction(parse => UserError.Guard(() =>
        {
            if (parse.GetValue(format) != "safetensors") throw new ArgumentException($"--format must be safetensors (got '{parse.GetValue(format)}').");
            TorchSharp.torch.set_num_threads(1);
            string written = CheckpointExchange.Export(parse.GetValue(checkpoint)!, parse.GetValue(output));
            Console.WriteLine($"Wrote {written} ({new FileInfo(written).Length:N0} bytes); its SHA-256 is in metadata.json beside it.");
            return 0;
        }));
        return command;
    }

    public static Command Import()
    {
        var source = new Option<string>("--from") { Description = "Folder with model.safetensors and config.json (metadata.json and tokenizer files optional)", Required = true };
        var output = new Option<string>("--out") { Description = "Checkpoint folder to write (model.bin)", Required = true };
        var command = new Command("import", "Read a model.safetensors (e.g. trained on in PyTorch) into a checkpoint folder every command loads");
        command.Options.Add(source);
        command.Options.Add(output);
        command.SetAction(parse => UserError.Guard(() =>
        {
            TorchSharp.torch.set_num_threads(1);
            string from = parse.GetValue(source)!, to = parse.GetValue(output)!;
            CheckpointInfo info = CheckpointExchange.Import(from, to, $"isrm import --from {from} --out {to}");
            Console.WriteLine($"Imported {info.Family}, {info.ParameterCount:N0} parameters, into {info.Directory}.");
            return 0;
        }));
        return command;
    }
}
