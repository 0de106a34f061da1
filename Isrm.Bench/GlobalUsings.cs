// Namespaces most files of this project read (kept here rather than at the top of each file).
global using Isrm.Cli.Commands;
global using Isrm.Model.Checkpoints;
global using Isrm.Model.Config;
global using Isrm.Model.Generation;
global using Isrm.Model.Modules;
global using Isrm.Model.Refinement;
global using Isrm.Model.Runtime;
global using Isrm.Web.Refinement;
global using Microsoft.AspNetCore.SignalR.Client;
global using Spectre.Console;
global using System.CommandLine;
global using System.Diagnostics;
global using System.Globalization;
global using System.Text.Json;
global using System.Text;
global using TorchSharp;
global using static TorchSharp.torch;
