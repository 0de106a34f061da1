namespace Isrm.Cli.Commands;

/// <summary><c>isrm info</c>: a checkpoint's configuration, parameter count and training metadata, read without loading its weights.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var checkpointOption = CliOptions.Checkpoint("Checkpoint folder to read (text or puzzle)");
        var jsonOption = CliOptions.Json("the config, metadata and model card");
        var force = CliOptions.Force("the --json file");
        var command = new Command("info", "Show a checkpoint's configuration, parameter count and training metadata");
        command.Options.Add(checkpointOption);
        command.Options.Add(jsonOption);
        command.Options.Add(force);
        command.SetAction(parse => UserError.Guard(() =>
        {
            string directory = parse.GetValue(checkpointOption)!;
            bool json = CliOptions.JsonWanted(parse, jsonOption, out string? jsonFile);
            if (PuzzleCheckpoint.IsPuzzle(directory))
            {
                var (config, metadata) = PuzzleCheckpoint.Inspect(directory);
                string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(directory));
                if (json) JsonOutput.Write(jsonFile, new { name, directory = Path.GetFullPath(directory), kind = PuzzleCheckpoint.Kind, metadata.ParameterCount, config, metadata, ModelCard = ModelCard.Read(directory)?.Facts.ToDictionary() }, parse.GetValue(force));
                else PrintPuzzle(name, directory, config, metadata);
                return 0;
            }
            CheckpointInfo info = Checkpoint.Inspect(directory);
            if (json) JsonOutput.Write(jsonFile, new { info.Name, info.Directory, kind = "text", info.ParameterCount, info.Config, info.Metadata, ModelCard = ModelCard.Read(info.Directory)?.Facts.ToDictionary() }, parse.GetValue(force));
            else Print(info);
            return 0;
        }));
        return command;
    }

    private static void PrintPuzzle(string name, string directory, PuzzleNetConfig config, CheckpointMetadata m)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(name)}[/] ({Markup.Escape(Path.GetFullPath(directory))})");
        AnsiConsole.WriteLine($"A {config.Task} puzzle network ({config.Architecture}), {m.ParameterCount:N0} parameters; 'isrm solve --checkpoint {name} --input FILE' measures it.");
        PrintCard(directory);
        var table = new Table().Border(TableBorder.Simple).AddColumn("option").AddColumn("value");
        using (JsonDocument json = JsonDocument.Parse(config.ToJson()))
            foreach (JsonProperty property in json.RootElement.EnumerateObject())
                table.AddRow(Markup.Escape(property.Name), Markup.Escape(property.Value.ToString()));
        AnsiConsole.Write(table);
        PrintTraining(m);
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
