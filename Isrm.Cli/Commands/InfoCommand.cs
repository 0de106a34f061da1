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
                Console.WriteLine(JsonSerializer.Serialize(new { info.Name, info.Directory, info.ParameterCount, info.Config, info.Metadata, ModelCard = ModelCard.Read(info.Directory)?.Facts.ToDictionary() }, JsonOutput.Options));
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
        PrintCard(info.Directory);

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

    /// <summary>The model card's key facts (README.md front matter), or a line saying the folder has none.</summary>
    private static void PrintCard(string directory)
    {
        ModelCard? card = ModelCard.Read(directory);
        if (card is null)
        {
            AnsiConsole.WriteLine($"No model card ({ModelCard.FileName} with front matter) in this folder.");
            return;
        }
        var table = new Table().Border(TableBorder.Simple).AddColumn("model card").AddColumn("").HideHeaders();
        foreach (string key in ModelCard.KeyFacts)
            if (card[key] is string value) table.AddRow(Markup.Escape(key.Replace('_', ' ')), Markup.Escape(value));
        table.Title = new TableTitle($"model card ({ModelCard.FileName})");
        AnsiConsole.Write(table);
    }

    private static string Show(string value) => value.Length == 0 ? "(not recorded)" : value;
}
