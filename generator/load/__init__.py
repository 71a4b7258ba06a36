"""Load stage: the only code that reads the input exports."""
