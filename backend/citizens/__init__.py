"""Citizens (borgere): identity, address, language."""
