"""④ spaCy Doc → records, one module per record kind. Lexicons live beside the code as data files."""
