// What most test files of this project read: xUnit's output helper, and for the browser tests Playwright with its
// web-first assertions (Expect).
global using Microsoft.Playwright;
global using Xunit.Abstractions;
global using static Microsoft.Playwright.Assertions;

// The test folders mirror the projects (Model/…, Cli, Web, Research, Bench) and each folder is a namespace; shared
// fixtures (Support/) are in Isrm.Tests itself. Tests reach each other's helpers through these.
global using Isrm.Tests.Bench;
global using Isrm.Tests.Build;
global using Isrm.Tests.Checks;
global using Isrm.Tests.Cli;
global using Isrm.Tests.Model.Checkpoints;
global using Isrm.Tests.Model.Config;
global using Isrm.Tests.Model.Data;
global using Isrm.Tests.Model.Generation;
global using Isrm.Tests.Model.Modules;
global using Isrm.Tests.Model.Reasoning;
global using Isrm.Tests.Model.Recurrent;
global using Isrm.Tests.Model.Refinement;
global using Isrm.Tests.Model.Runtime;
global using Isrm.Tests.Model.Tasks;
global using Isrm.Tests.Model.Tokenization;
global using Isrm.Tests.Model.Training;
global using Isrm.Tests.Reference;
global using Isrm.Tests.Research;
global using Isrm.Tests.Support.Provisioning;
global using Isrm.Tests.Web;
global using Isrm.Tests.Web.Browser;

// Namespaces most files of this project read (kept here rather than at the top of each file).
global using Isrm.Cli.Commands;
global using Isrm.Cli;
global using Isrm.Model.Checkpoints;
global using Isrm.Model.Config;
global using Isrm.Model.Data;
global using Isrm.Model.Evaluation;
global using Isrm.Model.Generation;
global using Isrm.Model.Modules;
global using Isrm.Model.Reasoning;
global using Isrm.Model.Refinement;
global using Isrm.Model.Runtime;
global using Isrm.Model.Tasks.Text;
global using Isrm.Model.Tokenization;
global using Isrm.Model.Training;
global using Isrm.Research.Commands;
global using Isrm.Research.Probes;
global using Isrm.Research.Training;
global using Isrm.Web.Hubs;
global using Isrm.Web.Options;
global using Isrm.Web.Puzzles;
global using Isrm.Web.Refinement;
global using Isrm.Web.State;
global using Microsoft.AspNetCore.SignalR.Client;
global using Microsoft.AspNetCore.SignalR;
global using Microsoft.Extensions.DependencyInjection;
global using System.CommandLine;
global using System.Diagnostics;
global using System.Net;
global using System.Text.Json.Nodes;
global using System.Text.Json;
global using System.Text.RegularExpressions;
global using System.Text;
global using TorchSharp;
global using static Isrm.Tests.Cli.CommandLineTests;
global using static TorchSharp.torch;
global using Generator = Isrm.Model.Generation.Generator;   // not TorchSharp.torch.Generator, which torch. names where it is meant
