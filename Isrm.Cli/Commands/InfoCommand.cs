using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Isrm.Model.Checkpoints;
using Spectre.Console;

namespace Isrm.Cli.Commands;

/// <summary><c>isrm info</c>: a checkpoint's configuration, parameter count and training metadata, read without loading its weights.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var checkpointOption = new Option<string>("--checkpoint") { Description = "Checkpoint folder", Required = true };
        var jsonOption = new Option<bool>("--json") { Description = "Print one JSON object (config and metadata)" };
        var command = new Command("info", "Show a checkpoint's configuration, parameter count and training metadata");
        command.Options.Add(checkpointOption);
        command.Options.Add(jsonOption);
        command.SetAction(parse => UserError.Guard(() =>
        {
            CheckpointInfo info = Checkpoint.Inspect(parse.GetValue(checkpointOption)!);
            if (parse.GetValue(jsonOption))
                Console.WriteLine(JsonSerializer.Serialize(new { info.Name, info.Directory, info.ParameterCount, info.Config, info.Metadata }, JsonOutput.Options));
            else Print(info);
            return 0;
        }));
        return command;
    }

    private static void Print(CheckpointInfo info)
    {
        CheckpointMetadata m = info.Metadata;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(info.Name)}[/] ({Markup.Escape(info.Directory)})");
        AnsiConsole.WriteLine($"{info.Family}, {info.ParameterCount:N0} parameters, tokenizer {Show(m.Tokenizer)}; trained {info.TrainingSummary}.");

        var config = new Table().Border(TableBorder.Simple).AddColumn("option").AddColumn("value");
        using (JsonDocument json = JsonDocument.Parse(info.Config.ToJson()))
            foreach (JsonProperty property in json.RootElement.EnumerateObject())
                config.AddRow(Markup.Escape(property.Name), Markup.Escape(property.Value.ToString()));
        AnsiConsole.Write(config);

        var training = new Table().Border(TableBorder.Simple).AddColumn("training").AddColumn("value");
        training.AddRow("command", Markup.Escape(Show(m.Command)));
        training.AddRow("corpus", Markup.Escape(Show(m.Corpus)));
        training.AddRow("corpus hash", Markup.Escape(Show(m.CorpusHash)));
        training.AddRow("step", m.Step.ToString("N0", CultureInfo.InvariantCulture));
        training.AddRow("tokens seen", m.TokensSeen.ToString("N0", CultureInfo.InvariantCulture));
        training.AddRow("FLOPs", m.Flops.ToString("G3", CultureInfo.InvariantCulture));
        training.AddRow("created (UTC)", m.CreatedUtc.ToString("u", CultureInfo.InvariantCulture));
        training.AddRow("weights", $"{m.WeightsBytes:N0} bytes, SHA-256 {m.WeightsSha256}");
        foreach ((string name, double value) in m.Metrics) training.AddRow(Markup.Escape(name), value.ToString("G5", CultureInfo.InvariantCulture));
        foreach ((string name, string value) in m.Notes) training.AddRow(Markup.Escape(name), Markup.Escape(value));
        AnsiConsole.Write(training);
    }

    private static string Show(string value) => value.Length == 0 ? "(not recorded)" : value;
}
