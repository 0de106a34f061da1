// Namespaces most files of this project read (kept here rather than at the top of each file).
global using Isrm.Model.Checkpoints;
global using Isrm.Model.Config;
global using Isrm.Model.Data;
global using Isrm.Model.Generation;
global using Isrm.Model.Reasoning;
global using Isrm.Model.Refinement;
global using Isrm.Model.Tasks.Text;
global using Isrm.Model.Tokenization;
global using Isrm.Model.Training;
global using Spectre.Console;
global using System.CommandLine;
global using System.Globalization;
global using System.Text.Json;
global using System.Text;
