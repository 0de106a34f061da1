namespace Isrm.Model.Data;

/// <summary>One document of a corpus: its id (file name without <c>.txt</c>), its genre label if known, and its text.</summary>
public sealed record CorpusDocument(string Id, string? Genre, string Text);
