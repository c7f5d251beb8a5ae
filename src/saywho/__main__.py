"""`python -m saywho ...` runs the command line."""

from saywho.cli import main

main()
