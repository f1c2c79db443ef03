"""The MiniLM sentence-embedding demo: the float reference, its INT8 twin in chip GEMMs, and the
staged run a chip executor (handed in from tb/flows/) carries out."""
