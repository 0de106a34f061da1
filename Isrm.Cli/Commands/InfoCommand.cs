namespace Isrm.Cli.Commands;

/// <summary><c>isrm info</c>: a checkpoint's configuration, parameter count and training metadata, read without loading its weights.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var checkpointOption = CliOptions.Checkpoint("Checkpoint folder to read (text or puzzle)");
        var jsonOption = CliOptions.Json("the config, metadata and model card");
        var force = CliOptions.Force("the --json file");
        var command = CliCommands.Create("info", "Show a checkpoint's configuration, parameter count and training metadata", checkpointOption, jsonOption, force);
        command.SetAction(parse => UserError.Guard(() =>
        {
            string directory = parse.GetValue(checkpointOption)!;
            bool json = CliOptions.JsonWanted(parse, jsonOption, out string? jsonFile);
            CheckpointSummary summary = CheckpointFolder.Describe(directory);   // every task through the one entry
            using JsonDocument config = JsonDocument.Parse(summary.ConfigJson);
            if (json)
                JsonOutput.Write(jsonFile, new
                {
                    summary.Name, summary.Directory, summary.Kind, summary.Task, summary.Network, summary.ParameterCount,
                    config = config.RootElement, summary.Metadata, ModelCard = ModelCard.Read(summary.Directory)?.Facts.ToDictionary(),
                }, parse.GetValue(force));
            else Print(summary, config.RootElement);
            return 0;
        }));
        return command;
    }

    private static void Print(CheckpointSummary summary, JsonElement config)
    {
        CheckpointMetadata m = summary.Metadata;
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(summary.Name)}[/] ({Markup.Escape(summary.Directory)})");
        AnsiConsole.WriteLine(summary.Kind == PuzzleCheckpoint.Kind
            ? $"A {summary.Task} puzzle network ({summary.Network}), {m.ParameterCount:N0} parameters; 'isrm solve --checkpoint {summary.Name} --input FILE' measures it."
            : $"{summary.Network} ({summary.Task}), {summary.ParameterCount:N0} parameters, tokenizer {Show(m.Tokenizer)}; trained {m.Step:N0} steps, {m.TokensSeen:N0} tokens"
              + (m.Metrics.TryGetValue("valLoss", out double v) ? $", validation loss {v:F3} nats/token." : "."));
        PrintCard(summary.Directory);
        var table = new Table().Border(TableBorder.Simple).AddColumn("option").AddColumn("value");
        foreach (JsonProperty property in config.EnumerateObject())
            table.AddRow(Markup.Escape(property.Name), Markup.Escape(property.Value.ToString()));
        AnsiConsole.Write(table);
        PrintTraining(m);
    }

    private static void PrintTraining(CheckpointMetadata m)
    {
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
