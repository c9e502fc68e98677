//! Policy document parser: the three encodings AWS uses, normalized into `PolicyDocument`.
