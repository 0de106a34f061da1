namespace Isrm.Tests.Model.Data;

/// <summary>Brown's tagged form becomes plain text: tags gone, punctuation spaced as in print, one paragraph per line.</summary>
public class BrownTextTests
{
    [Theory]
    [InlineData("The/at jury/nn said/vbd ./.", "The jury said.\n")]
    [InlineData("``/`` Only/rb a/at handful/nn ''/'' ,/, the/at jury/nn said/vbd", "\"Only a handful\", the jury said\n")]
    [InlineData("a/at 4-7/8/cd inch/nn", "a 4-7/8 inch\n")]
    [InlineData("he/pps said/vbd '/' no/rb '/' and/cc left/vbd", "he said 'no' and left\n")]
    [InlineData("costs/vbz $/nns 5/cd (/( about/rb )/) ;/. fine/jj !/.", "costs $5 (about); fine!\n")]
    [InlineData("Allen/np Jr./np ./.", "Allen Jr.\n")]
    [InlineData("it/pps --/-- slowly/rb --/-- moved/vbd", "it -- slowly -- moved\n")]
    public void Tags_are_stripped_and_punctuation_is_spaced_as_in_print(string tagged, string plain) =>
        Assert.Equal(plain, BrownText.ToPlainText(tagged));

    [Fact]
    public void Sentences_of_one_paragraph_share_a_line_and_blank_lines_separate_paragraphs()
    {
        string tagged = "\n\n\tOne/cd ./.\nTwo/cd ./.\n\n\n\tThree/cd ./.\n";
        Assert.Equal("One. Two.\nThree.\n", BrownText.ToPlainText(tagged));
    }

    [Theory]
    [InlineData("ca01", "news")]
    [InlineData("cg75", "belles_lettres")]
    [InlineData("cm06", "science_fiction")]
    [InlineData("cr09", "humor")]
    public void The_letter_in_a_document_id_names_its_genre(string id, string genre) =>
        Assert.Equal(genre, BrownGenres.GenreOf(id));

    [Fact]
    public void There_are_fifteen_genres_and_other_names_are_not_documents()
    {
        Assert.Equal(15, BrownGenres.ByLetter.Count);
        Assert.False(BrownGenres.IsDocumentId("cats.txt"));
        Assert.False(BrownGenres.IsDocumentId("ci01"));
        Assert.False(BrownGenres.IsDocumentId("README"));
    }
}
