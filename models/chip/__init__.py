"""The chip's contract in software: golden arithmetic, register map, host operand layout."""
