"""The HTTP interface and the command line of caseledger."""
